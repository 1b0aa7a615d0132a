/**
 * GenQTest.c: send to front and back, peek, and mutex priority inheritance — raised to the
 * highest waiter (the direct holder only), two mutexes given back in both orders, and the
 * disinherit that follows a waiter's timeout.
 *
 * Reading the traces: at start the timer service task (priority 7) runs first and blocks; then
 * the highest-priority ready task runs, equal priorities in creation order. Every part runs on a
 * fresh kernel starting at tick 0.
 */
import { MAX_DELAY } from '../../config.js';
import { Mutex } from '../../mutex.js';
import { Queue } from '../../queue.js';
import type { Task } from '../../task.js';
import type { Scenario } from '../harness.js';
import { type Phase, runPhases } from '../phases.js';

/** Front and back: tx (1) fills a length-5 queue from both ends; rx (2) reads it. */
const order: Phase = {
  name: 'order',
  run({ kernel: k, clock, at }) {
    const q = new Queue<number>(k, 5);
    k.createTask('rx', 2, function* () {
      at(`rx ${yield* q.receive(MAX_DELAY)}`);
      yield* k.delay(5);
      at(`rx peek ${yield* q.peek(0)} count ${q.messagesWaiting()}`);
      at(`rx ${yield* q.receive(0)}`);
      yield* k.delay(1);
      for (;;) {
        const v = yield* q.receive(0);
        at(`rx ${v}`);
        if (v === undefined) break;
      }
      yield* k.suspend();
    });
    k.createTask('tx', 1, function* () {
      at(`tx front 1 ${yield* q.sendToFront(1, 0)}`);
      at(`tx back 10 ${yield* q.send(10, 0)}`);
      at(`tx back 11 ${yield* q.send(11, 0)}`);
      at(`tx front 9 ${yield* q.sendToFront(9, 0)}`);
      at(`tx front 8 ${yield* q.sendToFront(8, 0)}`);
      at(`tx back 12 ${yield* q.send(12, 0)}`);
      at(`tx front 7 ${yield* q.sendToFront(7, 10)}`);
      yield* k.suspend();
    });
    clock.start();
    clock.advance(7);
  },
};

/** L (1) holds the mutex; H (3) waits on it, so L runs at 3 and M (2) cannot run until L gives. */
const inherit: Phase = {
  name: 'inherit',
  run({ kernel: k, clock, at }) {
    const m = new Mutex(k);
    const tasks: Task[] = [];
    k.createTask('L', 1, function* () {
      at(`L take ${yield* m.take(0)}`);
      yield* k.resume(tasks[1]);
      yield* k.taskYield(); // cooperative: lets H run and block; preemptive: H already has
      at(`L prio ${k.priorityOf()}`);
      yield* k.resume(tasks[0]);
      at(`L prio ${k.priorityOf()} M ${k.stateOf(tasks[0])}`);
      at(`L gave ${yield* m.give()} prio ${k.priorityOf()}`);
      yield* k.suspend();
    });
    tasks.push(
      k.createTask('M', 2, function* () {
        yield* k.suspend();
        at('M runs');
        yield* k.suspend();
      }),
    );
    tasks.push(
      k.createTask('H', 3, function* () {
        yield* k.suspend();
        at(`H took ${yield* m.take(MAX_DELAY)}`);
        at(`H gave ${yield* m.give()}`);
        yield* k.suspend();
      }),
    );
    clock.start();
    clock.advance(1);
  },
};

/**
 * Direct holder only: L (1) holds m1; M (2) holds m2 and waits on m1 (L inherits 2); H (3) waits
 * on m2, which raises M to 3 but not L, the holder of what M waits for.
 */
const chain: Phase = {
  name: 'chain',
  run({ kernel: k, clock, at }) {
    const m1 = new Mutex(k, 'm1');
    const m2 = new Mutex(k, 'm2');
    const tasks: Task[] = [];
    k.createTask('L', 1, function* () {
      at(`L take m1 ${yield* m1.take(0)}`);
      yield* k.resume(tasks[0]);
      yield* k.taskYield();
      at(`L prio ${k.priorityOf()}`);
      yield* k.resume(tasks[1]);
      yield* k.taskYield();
      at(`L prio ${k.priorityOf()} M prio ${k.priorityOf(tasks[0])}`);
      at(`L gave m1 ${yield* m1.give()} prio ${k.priorityOf()}`);
      yield* k.suspend();
    });
    tasks.push(
      k.createTask('M', 2, function* () {
        yield* k.suspend();
        at(`M take m2 ${yield* m2.take(0)}`);
        at(`M take m1 ${yield* m1.take(MAX_DELAY)}`);
        at(`M gave m1 ${yield* m1.give()} prio ${k.priorityOf()}`);
        at(`M gave m2 ${yield* m2.give()} prio ${k.priorityOf()}`);
        yield* k.suspend();
      }),
    );
    tasks.push(
      k.createTask('H', 3, function* () {
        yield* k.suspend();
        at(`H take m2 ${yield* m2.take(MAX_DELAY)}`);
        at(`H gave m2 ${yield* m2.give()}`);
        yield* k.suspend();
      }),
    );
    clock.start();
    clock.advance(1);
  },
};

/**
 * Two mutexes: L (1) holds m1 and m2, H (3) waits on m1. Round 1 gives m2 first, round 2 gives
 * m1 (the one H waits for) first; either way L keeps priority 3 until it holds neither.
 */
const twoMutexes: Phase = {
  name: 'two mutexes',
  run({ kernel: k, clock, at }) {
    const m1 = new Mutex(k, 'm1');
    const m2 = new Mutex(k, 'm2');
    const tasks: Task[] = [];
    k.createTask('L', 1, function* () {
      for (let round = 1; round <= 2; round++) {
        at(`L round ${round} takes ${yield* m1.take(0)} ${yield* m2.take(0)}`);
        yield* k.resume(tasks[1]);
        yield* k.taskYield();
        yield* k.resume(tasks[0]);
        at(`L holds 2 prio ${k.priorityOf()}`);
        if (round === 1) {
          at(`L gave m2 ${yield* m2.give()} prio ${k.priorityOf()}`);
          at(`L gave m1 ${yield* m1.give()} prio ${k.priorityOf()}`);
        } else {
          at(`L gave m1 ${yield* m1.give()} prio ${k.priorityOf()}`);
          at(`L gave m2 ${yield* m2.give()} prio ${k.priorityOf()}`);
        }
      }
      yield* k.suspend();
    });
    tasks.push(
      k.createTask('M', 2, function* () {
        for (;;) {
          yield* k.suspend();
          at('M runs');
        }
      }),
    );
    tasks.push(
      k.createTask('H', 3, function* () {
        for (;;) {
          yield* k.suspend();
          at(`H took m1 ${yield* m1.take(MAX_DELAY)}`);
          yield* m1.give();
        }
      }),
    );
    clock.start();
    clock.advance(1);
  },
};

/**
 * A waiter times out: L (1) holds one mutex while delayed; H (3) waits 2 ticks, M (2) forever.
 * When H gives up, L drops to max(base 1, highest remaining waiter 2) = 2.
 */
const timeoutOne: Phase = {
  name: 'timeout, one mutex held',
  run({ kernel: k, clock, at }) {
    const m = new Mutex(k);
    const L = k.createTask('L', 1, function* () {
      at(`L take ${yield* m.take(0)}`);
      yield* k.delay(5);
      at(`L prio ${k.priorityOf()}`);
      at(`L gave ${yield* m.give()} prio ${k.priorityOf()}`);
      yield* k.suspend();
    });
    k.createTask('M', 2, function* () {
      yield* k.delay(1);
      at('M waits');
      at(`M took ${yield* m.take(MAX_DELAY)}`);
      yield* m.give();
      yield* k.suspend();
    });
    k.createTask('H', 3, function* () {
      yield* k.delay(1);
      at('H waits');
      at(`H took ${yield* m.take(2)} L prio ${k.priorityOf(L)}`);
      yield* k.suspend();
    });
    clock.start();
    clock.advance(6);
  },
};

/** The same timeout while L holds two mutexes: no drop until L has given both back. */
const timeoutTwo: Phase = {
  name: 'timeout, two mutexes held',
  run({ kernel: k, clock, at }) {
    const m1 = new Mutex(k, 'm1');
    const m2 = new Mutex(k, 'm2');
    const L = k.createTask('L', 1, function* () {
      at(`L takes ${yield* m1.take(0)} ${yield* m2.take(0)}`);
      yield* k.delay(5);
      at(`L prio ${k.priorityOf()}`);
      at(`L gave m2 ${yield* m2.give()} prio ${k.priorityOf()}`);
      at(`L gave m1 ${yield* m1.give()} prio ${k.priorityOf()}`);
      yield* k.suspend();
    });
    k.createTask('H', 3, function* () {
      yield* k.delay(1);
      at('H waits');
      at(`H took ${yield* m1.take(2)} L prio ${k.priorityOf(L)}`);
      yield* k.suspend();
    });
    clock.start();
    clock.advance(6);
  },
};

const phases = [order, inherit, chain, twoMutexes, timeoutOne, timeoutTwo];

export const scenario: Scenario = {
  name: 'gen-q',
  demo: 'GenQTest.c',
  run(preemption) {
    return runPhases(preemption, phases);
  },
  expected: {
    preemptive: [
      '-- order',
      // rx (2) blocks on the empty queue; tx's first send readies it and, being higher, it runs
      // before the send returns, takes 1 and sleeps until tick 5.
      '0 rx 1',
      '0 tx front 1 true',
      '0 tx back 10 true',
      '0 tx back 11 true',
      '0 tx front 9 true',
      '0 tx front 8 true', // [8 9 10 11]
      '0 tx back 12 true', // [8 9 10 11 12]: full, so front 7 blocks (up to tick 10)
      '5 rx peek 8 count 5', // peek leaves the item
      '5 rx 8', // the receive readies tx (lower: no switch); rx's delay lets tx run
      '5 tx front 7 true', // 7 goes in front of what is left: [7 9 10 11 12]
      '6 rx 7',
      '6 rx 9',
      '6 rx 10',
      '6 rx 11',
      '6 rx 12',
      '6 rx undefined',
      '-- inherit',
      '0 L take true',
      // resume(H) switches to H, which blocks on the mutex and raises L to 3.
      '0 L prio 3',
      // resume(M) does not switch: M (2) is below L's inherited 3.
      '0 L prio 3 M Ready',
      // The give drops L to 1 and readies H (3 > 1): H runs first, then M, then L.
      '0 H took true',
      '0 H gave true',
      '0 M runs',
      '0 L gave true prio 1',
      '-- chain',
      '0 L take m1 true',
      '0 M take m2 true', // resume(M) switches to M; M blocks on m1, L inherits 2
      '0 L prio 2',
      // H blocks on m2: M (its holder, itself blocked) goes to 3; L stays at 2.
      '0 L prio 2 M prio 3',
      // L drops to 1 and M (3) is readied: M runs, takes m1 and now holds both mutexes.
      '0 M take m1 true',
      '0 M gave m1 true prio 3', // still holds m2: keeps the inherited 3
      // Giving m2 drops M to 2 and readies H (3 > 2), which runs before the give returns.
      '0 H take m2 true',
      '0 H gave m2 true',
      '0 M gave m2 true prio 2',
      '0 L gave m1 true prio 1',
      '-- two mutexes',
      '0 L round 1 takes true true',
      '0 L holds 2 prio 3', // H blocked on m1; M resumed but below 3
      '0 L gave m2 true prio 3', // still holds m1
      // Holding none now, L drops to 1; H (readied by the give) runs, then M.
      '0 H took m1 true',
      '0 M runs',
      '0 L gave m1 true prio 1',
      '0 L round 2 takes true true',
      '0 L holds 2 prio 3',
      // m1 first: H is readied at 3, not above L's 3, so no switch; L still holds m2.
      '0 L gave m1 true prio 3',
      // m2: L holds none, drops to 1 and yields; H takes m1 (still free), then M runs.
      '0 H took m1 true',
      '0 M runs',
      '0 L gave m2 true prio 1',
      '-- timeout, one mutex held',
      '0 L take true',
      '1 H waits', // H blocks for 2 ticks and raises L (delayed) to 3
      '1 M waits', // M (2) is below L's 3: nothing changes
      // At tick 3 H times out; L holds one mutex, so it drops to max(1, M's 2).
      '3 H took false L prio 2',
      '5 L prio 2',
      // The give drops L to its base 1 and readies M (2 > 1), which runs at once.
      '5 M took true',
      '5 L gave true prio 1',
      '-- timeout, two mutexes held',
      '0 L takes true true',
      '1 H waits',
      // H gives up with no waiter left, but L holds two mutexes: it stays at 3.
      '3 H took false L prio 3',
      '5 L prio 3',
      '5 L gave m2 true prio 3', // still holds m1
      '5 L gave m1 true prio 1',
    ],
    cooperative: [
      '-- order',
      // The send readies rx but tx runs on: the front sends go ahead of 1.
      '0 tx front 1 true',
      '0 tx back 10 true',
      '0 tx back 11 true',
      '0 tx front 9 true', // [9 1 10 11]
      '0 tx front 8 true', // [8 9 1 10 11]: full
      '0 tx back 12 false', // full, timeout 0
      // front 7 blocks: rx runs, takes 8, readies tx, and sleeps; tx retries and succeeds.
      '0 rx 8',
      '0 tx front 7 true', // [7 9 1 10 11]
      '5 rx peek 7 count 5',
      '5 rx 7',
      '6 rx 9',
      '6 rx 1',
      '6 rx 10',
      '6 rx 11',
      '6 rx undefined',
      '-- inherit',
      '0 L take true',
      '0 L prio 3', // taskYield ran H, which blocked and raised L to 3
      '0 L prio 3 M Ready',
      // The give drops L to 1 and readies H, but L runs on until it suspends.
      '0 L gave true prio 1',
      '0 H took true',
      '0 H gave true',
      '0 M runs',
      '-- chain',
      '0 L take m1 true',
      '0 M take m2 true', // taskYield ran M
      '0 L prio 2',
      '0 L prio 2 M prio 3',
      '0 L gave m1 true prio 1', // M readied, no switch
      '0 M take m1 true',
      '0 M gave m1 true prio 3',
      '0 M gave m2 true prio 2', // H readied, no switch
      '0 H take m2 true',
      '0 H gave m2 true',
      '-- two mutexes',
      '0 L round 1 takes true true',
      '0 L holds 2 prio 3',
      '0 L gave m2 true prio 3',
      '0 L gave m1 true prio 1', // H readied, but L runs on
      // No hand-off: m1 is free, so L takes it again before H has run.
      '0 L round 2 takes true true',
      // resume(H) does nothing (H is ready); taskYield runs H, which finds m1 taken, blocks
      // again and raises L to 3. resume(M): M is still ready from round 1.
      '0 L holds 2 prio 3',
      '0 L gave m1 true prio 3',
      '0 L gave m2 true prio 1',
      // L suspends: H (3) takes m1, then M (2) runs once.
      '0 H took m1 true',
      '0 M runs',
      '-- timeout, one mutex held',
      '0 L take true',
      '1 H waits',
      '1 M waits',
      '3 H took false L prio 2',
      '5 L prio 2',
      '5 L gave true prio 1', // M readied, no switch
      '5 M took true',
      '-- timeout, two mutexes held',
      '0 L takes true true',
      '1 H waits',
      '3 H took false L prio 3',
      '5 L prio 3',
      '5 L gave m2 true prio 3',
      '5 L gave m1 true prio 1',
    ],
  },
};
