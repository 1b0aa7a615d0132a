import { describe, expect, test } from 'vitest';
import { Kernel, Queue, Timer, VirtualClock } from './index.js';

describe('errors in hooks and callbacks reach the host; the kernel goes on', () => {
  test('an idle hook that throws', () => {
    let calls = 0;
    const k = new Kernel({
      idleHook: () => {
        calls++;
        if (calls === 2) throw new Error('hook broke');
      },
    });
    const clock = new VirtualClock(k);
    clock.start(); // idle loop 1
    expect(() => clock.advance(1)).toThrow('hook broke'); // idle loop 2
    clock.advance(3);
    expect(calls).toBe(5);
    expect(k.stateOf(k.idleTask!)).toBe('Running');
  });

  test('a timer callback that throws: the service task keeps serving timers', () => {
    const k = new Kernel();
    const fired: string[] = [];
    new Timer(k, 'bad', 2, false, () => {
      throw new Error('callback broke');
    }).startFromISR();
    new Timer(k, 'good', 3, true, () => {
      fired.push(`good@${k.tickCount}`);
    }).startFromISR();
    const clock = new VirtualClock(k);
    clock.start();
    clock.advance(1);
    expect(() => clock.advance(1)).toThrow('callback broke');
    clock.advance(5);
    expect(fired).toEqual(['good@3', 'good@6']);
  });
});

describe('tick counts are whole numbers from 0', () => {
  for (const bad of [-1, 1.5, Number.NaN]) {
    test(`delay(${bad}) and receive(${bad}) throw and the task can go on`, () => {
      const k = new Kernel();
      const q = new Queue<number>(k, 1);
      const seen: string[] = [];
      k.createTask('t', 1, function* () {
        try {
          yield* k.delay(bad);
        } catch (e) {
          seen.push((e as Error).message);
        }
        try {
          yield* q.receive(bad);
        } catch (e) {
          seen.push((e as Error).message);
        }
        yield* k.delay(1);
        seen.push(`ran on at ${k.tickCount}`);
        yield* k.suspend();
      });
      const clock = new VirtualClock(k);
      clock.start();
      clock.advance(1);
      expect(seen).toEqual([
        `kernel: ticks must be a whole number of ticks from 0, got ${bad}`,
        `kernel: ticks must be a whole number of ticks from 0, got ${bad}`,
        'ran on at 1',
      ]);
    });
  }
});

describe('EventGroup.sync refuses to block before it changes anything', () => {
  test('with the scheduler suspended it throws and leaves the bits alone', async () => {
    const { EventGroup } = await import('./index.js');
    const k = new Kernel();
    const group = new EventGroup(k);
    const seen: string[] = [];
    k.createTask('t', 1, function* () {
      k.suspendAll();
      try {
        yield* group.sync(0x1, 0x3, 10);
      } catch (e) {
        seen.push((e as Error).message);
      }
      yield* k.resumeAll();
      seen.push(`bits ${group.getBits()}`);
      yield* k.suspend();
    });
    new VirtualClock(k).start();
    expect(seen).toEqual(['kernel: a task cannot block while the scheduler is suspended', 'bits 0']);
  });
});

describe('TimerService.pendFunctionCall from a task', () => {
  test('the function runs in the service task, which outranks the caller, before the call returns', () => {
    const k = new Kernel({ timerTaskPriority: 3 });
    const log: string[] = [];
    k.createTask('t', 1, function* () {
      log.push('before');
      const queued = yield* k.timers.pendFunctionCall(() => {
        log.push(`pended runs in ${k.current?.name}`);
      });
      log.push(`after, queued ${queued}`);
      yield* k.suspend();
    });
    new VirtualClock(k).start();
    expect(log).toEqual(['before', 'pended runs in Tmr Svc', 'after, queued true']);
  });
});
