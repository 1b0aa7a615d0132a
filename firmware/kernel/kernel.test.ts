import { describe, expect, it } from 'vitest';
import { Kernel, MAX_DELAY, Queue, VirtualClock, notifyGive, notifyTake, notifyWait } from './index.js';

function setup(preemption: boolean) {
  const k = new Kernel({ preemption });
  const clock = new VirtualClock(k);
  const log: string[] = [];
  const at = (e: string) => log.push(`${k.tickCount} ${e}`);
  return { k, clock, log, at };
}

describe('interrupt switches (portYIELD_FROM_ISR)', () => {
  it('while the scheduler is suspended only pend a yield: cooperative resumeAll and later calls do not switch', () => {
    // vTaskSwitchContext with the scheduler suspended sets xYieldPending; cooperative
    // xTaskResumeAll does not yield, and nothing else acts on xYieldPending until the task blocks.
    const { k, clock, log, at } = setup(false);
    const q = new Queue<number>(k, 1);
    k.createTask('rx', 2, function* () {
      at(`rx got ${yield* q.receive(MAX_DELAY)}`);
      yield* k.suspend();
    });
    k.createTask('main', 1, function* () {
      k.suspendAll();
      k.isr(() => q.sendFromISR(1));
      at(`resumeAll ${yield* k.resumeAll()}`);
      yield* k.resume(k.current as never); // a kernel call that neither blocks nor yields
      at('main ran on');
      yield* k.delay(1);
    });
    clock.start();
    expect(log).toEqual(['0 resumeAll false', '0 main ran on', '0 rx got 1']);
  });

  it('while the scheduler is suspended switch once, at resumeAll (preemptive), without rotating equal-priority tasks later', () => {
    const { k, clock, log, at } = setup(true);
    const q = new Queue<number>(k, 1);
    const q2 = new Queue<number>(k, 1);
    k.createTask('rx', 2, function* () {
      at(`rx got ${yield* q.receive(MAX_DELAY)}`);
      yield* k.resume(k.current as never); // must not switch to rx2 (same priority, no tick)
      at('rx ran on');
      yield* k.suspend();
    });
    k.createTask('rx2', 2, function* () {
      at(`rx2 got ${yield* q2.receive(MAX_DELAY)}`);
      yield* k.suspend();
    });
    k.createTask('main', 1, function* () {
      k.suspendAll();
      k.isr(() => {
        q.sendFromISR(1);
        q2.sendFromISR(2);
      });
      at('main still running');
      at(`resumeAll ${yield* k.resumeAll()}`);
      yield* k.suspend();
    });
    clock.start();
    expect(log).toEqual(['0 main still running', '0 rx got 1', '0 rx ran on', '0 rx2 got 2', '0 resumeAll true']);
  });

  it('that another switch already carried out are not carried out again', () => {
    // The interrupted task ends before its next kernel call; the switch away from it serves the
    // interrupt's request too (pended PendSVs coalesce): rx must not be rotated out for rx2.
    for (const preemption of [true, false]) {
      const { k, clock, log, at } = setup(preemption);
      const q = new Queue<number>(k, 1);
      const q2 = new Queue<number>(k, 1);
      k.createTask('rx', 2, function* () {
        at(`rx got ${yield* q.receive(MAX_DELAY)}`);
        yield* k.resume(k.current as never);
        at('rx ran on');
        yield* k.suspend();
      });
      k.createTask('rx2', 2, function* () {
        at(`rx2 got ${yield* q2.receive(MAX_DELAY)}`);
        yield* k.suspend();
      });
      k.createTask('main', 1, function* () {
        k.isr(() => {
          q.sendFromISR(1);
          q2.sendFromISR(2);
        });
      });
      clock.start();
      expect(log).toEqual(['0 rx got 1', '0 rx ran on', '0 rx2 got 2']);
    }
  });
});

describe('resume and resumeFromISR (prvTaskIsTaskSuspended)', () => {
  it('leave a task blocked forever on a notification blocked', () => {
    for (const preemption of [true, false]) {
      const { k, clock, log, at } = setup(preemption);
      const take = k.createTask('take', 2, function* () {
        at(`take ${yield* notifyTake(k, true, MAX_DELAY)}`);
      });
      const wait = k.createTask('wait', 2, function* () {
        const r = yield* notifyWait(k, 0, 0, MAX_DELAY);
        at(`wait ${r.received} ${r.value}`);
      });
      k.createTask('main', 1, function* () {
        yield* k.resume(take);
        at(`fromISR ${k.isr(() => k.resumeFromISR(wait))}`);
        at(`after resumes: ${k.stateOf(take)} ${k.stateOf(wait)}`);
        yield* notifyGive(k, take);
        yield* notifyGive(k, wait);
        yield* k.delay(1);
      });
      clock.start();
      // Only the notifications wake them (preemptive: at once; cooperative: when main blocks).
      expect(log).toEqual(['0 fromISR false', '0 after resumes: Blocked Blocked', '0 take 1', '0 wait true 1']);
    }
  });
});

describe('resumeAll', () => {
  it('is a kernel call: a loop of suspendAll/resumeAll sees ticks', () => {
    const k = new Kernel({ workPerTick: 5 });
    const clock = new VirtualClock(k);
    let loops = 0;
    k.createTask('spin', 1, function* () {
      for (let i = 0; i < 100; i++) {
        k.suspendAll();
        loops++;
        yield* k.resumeAll();
      }
      yield* k.suspend();
    });
    clock.start(); // returned to the host: the fifth resumeAll found a tick due
    expect(loops).toBe(5);
    clock.advance(2);
    expect([k.tickCount, loops]).toEqual([2, 15]);
  });
});

describe('a task that ends while it has the scheduler suspended', () => {
  it('ends the suspension too, so the kernel runs on (returning, throwing or a stray yield)', () => {
    const endings: Array<[string, (k: Kernel) => Generator<never, void, void>]> = [
      ['returns', () => (function* () {})()],
      [
        'throws',
        () =>
          (function* () {
            throw new Error('boom');
          })(),
      ],
      [
        'yields a non-kernel value',
        () =>
          (function* () {
            yield 7 as never;
          })(),
      ],
    ];
    for (const [how, ending] of endings) {
      const { k, clock, log, at } = setup(true);
      const q = new Queue<number>(k, 1);
      k.createTask('rx', 2, function* () {
        for (;;) at(`rx got ${yield* q.receive(MAX_DELAY)}`);
      });
      k.createTask('dies', 1, function* () {
        k.suspendAll();
        yield* q.send(1, 0); // rx goes to the pending-ready list
        yield* ending(k);
      });
      k.createTask('beat', 1, function* () {
        for (;;) {
          yield* k.delay(1);
          at('beat');
        }
      });
      let threw = false;
      try {
        clock.start();
      } catch {
        threw = true; // the error reaches the host before the other ready tasks run (next tick)
      }
      clock.advance(2);
      const expected = threw ? ['1 rx got 1', '2 beat'] : ['0 rx got 1', '1 beat', '2 beat'];
      expect([how, threw, k.schedulerSuspended, ...log]).toEqual([how, how !== 'returns', 0, ...expected]);
    }
  });
});
