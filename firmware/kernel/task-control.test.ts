/**
 * Task control given bad input: each mistake throws a precise error, and the kernel stays
 * usable afterwards (other tasks run, ticks keep coming, the caller can carry on if it catches).
 */
import { describe, expect, it } from 'vitest';
import { Kernel, MAX_DELAY, Queue, VirtualClock, notifyWait, type Op, type Task } from './index.js';

function setup(config: ConstructorParameters<typeof Kernel>[0] = {}) {
  const k = new Kernel(config);
  const clock = new VirtualClock(k);
  const log: string[] = [];
  const at = (e: string) => log.push(`${k.tickCount} ${e}`);
  /** Runs a kernel call inside a task and logs what it threw. */
  function* attempt(call: () => Op<unknown>): Op<void> {
    try {
      yield* call();
      at('no error');
    } catch (e) {
      at(`${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  return { k, clock, log, at, attempt };
}

/** A task at priority 1 that ticks along, to show the kernel still schedules. */
function heartbeat(k: Kernel, at: (e: string) => void, period = 2): Task {
  return k.createTask('beat', 1, function* () {
    for (;;) {
      yield* k.delay(period);
      at('beat');
    }
  });
}

describe('priority out of range', () => {
  it('createTask rejects it before creating anything', () => {
    const { k } = setup();
    for (const bad of [8, -1, 1.5, Number.NaN, '3' as unknown as number]) {
      expect(() => k.createTask('bad', bad, function* () {})).toThrow(
        new RangeError(`kernel: priority must be a whole number from 0 to 7, got ${bad}`),
      );
    }
    expect(k.taskCount).toBe(0);
    expect(k.tasks()).toEqual([]);
    const t = k.createTask('good', 7, function* () {});
    expect(t.number).toBe(1); // no task number was used up by the failed calls
  });

  it('setPriority and spawn throw inside the calling task, which can catch and carry on', () => {
    const { k, clock, log, at, attempt } = setup();
    k.createTask('main', 2, function* (self) {
      yield* attempt(() => k.setPriority(null, 8));
      yield* attempt(() => k.setPriority(self, -1));
      at(`priority ${k.priorityOf()}`);
      yield* attempt(() => k.spawn('child', 99, function* () {}));
      at(`tasks ${k.taskCount}`);
      yield* k.setPriority(null, 3); // valid calls still work
      at(`priority ${k.priorityOf()}`);
      yield* k.delay(3);
      at('main woke');
    });
    heartbeat(k, at);
    clock.start();
    clock.advance(3);
    expect(log).toEqual([
      '0 RangeError: kernel: priority must be a whole number from 0 to 7, got 8',
      '0 RangeError: kernel: priority must be a whole number from 0 to 7, got -1',
      '0 priority 2',
      '0 RangeError: kernel: priority must be a whole number from 0 to 7, got 99',
      '0 tasks 4', // main, beat, IDLE, Tmr Svc
      '0 priority 3',
      '2 beat',
      '3 main woke',
    ]);
  });
});

describe('delayUntil with period 0', () => {
  it('throws without touching the wake time or blocking', () => {
    const { k, clock, log, at, attempt } = setup();
    k.createTask('main', 2, function* () {
      const wake = { previous: 0 };
      yield* attempt(() => k.delayUntil(wake, 0));
      yield* attempt(() => k.delayUntil(wake, -5));
      yield* attempt(() => k.delayUntil(wake, Number.NaN));
      at(`previous ${wake.previous}`);
      at(`delayUntil ${yield* k.delayUntil(wake, 2)}`);
      at(`previous ${wake.previous}`);
    });
    heartbeat(k, at, 3);
    clock.start();
    clock.advance(3);
    const error = '0 RangeError: kernel: delayUntil needs a period above 0';
    expect(log).toEqual([error, error, error, '0 previous 0', '2 delayUntil true', '2 previous 2', '3 beat']);
  });
});

describe('blocking inside isr()', () => {
  const error = 'Error: kernel: blocking call inside isr(); use the FromISR form';

  it('throws from a task-level call made in a handler, leaving no wait behind', () => {
    const { k, clock, log, at } = setup();
    const empty = new Queue<number>(k, 1);
    const full = new Queue<number>(k, 1);
    const wake = { previous: 0 };
    k.createTask('main', 2, function* (self) {
      // Kernel calls are generators: a handler has to drive one by hand to misuse it.
      const misuse: Array<[string, () => Op<unknown>]> = [
        ['receive', () => empty.receive(5)],
        ['send to a full queue', () => full.send(9, 5)],
        ['delay', () => k.delay(3)],
        ['delayUntil', () => k.delayUntil(wake, 4)],
        ['notifyWait', () => notifyWait(k, 0xff, 0, 4)],
      ];
      yield* full.send(1, 0);
      for (const [name, call] of misuse) {
        try {
          k.isr(() => call().next());
          at(`${name}: no error`);
        } catch (e) {
          at(`${name}: ${(e as Error).name}: ${(e as Error).message}`);
        }
      }
      at(`main ${k.stateOf(self)}, waiting senders ${full.sendWaiters.length}, receivers ${empty.receiveWaiters.length}`);
      at(`wake.previous ${wake.previous}, notify state ${self.notifyState[0]}`);
      at(`got ${yield* full.receive(0)}`);
      yield* k.delay(2);
      at('main woke');
    });
    heartbeat(k, at, 1);
    clock.start();
    clock.advance(2);
    expect(log).toEqual([
      `0 receive: ${error}`,
      `0 send to a full queue: ${error}`,
      `0 delay: ${error}`,
      `0 delayUntil: ${error}`,
      `0 notifyWait: ${error}`,
      '0 main Running, waiting senders 0, receivers 0',
      '0 wake.previous 0, notify state 0',
      '0 got 1',
      '1 beat',
      '2 main woke',
      '2 beat',
    ]);
  });

  it('throws out of isr() called from host code; the kernel carries on', () => {
    const { k, clock, log, at } = setup();
    const q = new Queue<number>(k, 1);
    heartbeat(k, at, 1);
    clock.start();
    expect(() => k.isr(() => q.receive(MAX_DELAY).next())).toThrow(error.replace('Error: ', ''));
    expect(q.receiveWaiters.length).toBe(0);
    k.isr(() => q.sendFromISR(4)); // FromISR calls still work
    clock.advance(2);
    expect(log).toEqual(['1 beat', '2 beat']);
    expect(q.messagesWaiting()).toBe(1);
  });
});

describe('resumeAll without suspendAll', () => {
  it('throws and leaves the scheduler running', () => {
    const { k, clock, log, at, attempt } = setup();
    k.createTask('main', 2, function* () {
      yield* attempt(() => k.resumeAll());
      at(`suspended ${k.schedulerSuspended}`);
      k.suspendAll();
      at(`resumeAll ${yield* k.resumeAll()}`);
      yield* attempt(() => k.resumeAll()); // one resumeAll too many
      yield* k.delay(2); // would throw if the scheduler were left suspended
      at('main woke');
    });
    heartbeat(k, at, 1);
    clock.start();
    clock.advance(2);
    const error = '0 Error: kernel: resumeAll without suspendAll';
    expect(log).toEqual([error, '0 suspended 0', '0 resumeAll false', error, '1 beat', '2 main woke', '2 beat']);
  });
});

describe('deleting itself with the scheduler suspended', () => {
  it('throws (FreeRTOS asserts) instead of running on as a deleted task', () => {
    const { k, clock, log, at, attempt } = setup();
    k.createTask('main', 2, function* (self) {
      k.suspendAll();
      yield* attempt(() => k.deleteTask(null));
      at(`main ${k.stateOf(self)}`);
      yield* k.resumeAll();
      yield* k.deleteTask(null);
      at('main still running');
    });
    heartbeat(k, at, 1);
    clock.start();
    clock.advance(1);
    expect(log).toEqual(['0 Error: kernel: a task cannot delete itself while the scheduler is suspended', '0 main Running', '1 beat']);
    expect(k.taskCount).toBe(3);
  });
});

describe('a task yielding a non-kernel value', () => {
  it('throws a TypeError naming the task; that task is deleted and the rest run on', () => {
    const { k, clock, log, at } = setup();
    const q = new Queue<number>(k, 1);
    const bad = k.createTask('bad', 2, function* () {
      at('bad starts');
      // The classic slip: `yield` instead of `yield*`.
      yield q.send(1, 0) as never;
      at('bad carried on');
    });
    heartbeat(k, at, 1);
    expect(() => clock.start()).toThrow(
      new TypeError('kernel: task "bad" yielded [object Generator]; kernel calls are made with `yield* call()`'),
    );
    expect(k.stateOf(bad)).toBe('Deleted');
    clock.advance(2);
    // The error reached the host before beat first ran (it starts its delay(1) at tick 1).
    expect(log).toEqual(['0 bad starts', '2 beat']);
    expect(k.taskCount).toBe(3); // idle freed it: beat, IDLE, Tmr Svc
  });

  it('also after the task has run for a while', () => {
    const { k, clock, log, at } = setup();
    k.createTask('bad', 2, function* () {
      yield* k.delay(1);
      at('bad woke');
      yield 42 as never;
    });
    heartbeat(k, at, 1);
    clock.start();
    expect(() => clock.advance(1)).toThrow(new TypeError('kernel: task "bad" yielded 42; kernel calls are made with `yield* call()`'));
    clock.advance(1);
    // beat, woken at 1 too, runs at the next dispatch.
    expect(log).toEqual(['1 bad woke', '2 beat']);
    expect(k.taskCount).toBe(3);
  });
});
