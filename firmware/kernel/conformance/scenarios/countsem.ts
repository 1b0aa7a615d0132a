/**
 * countsem.c and semtest.c: counting semaphores (max, initial) taken to zero and given up to
 * their maximum, a binary semaphore that starts empty, waiters ordered by priority then FIFO,
 * and a binary semaphore guarding a critical section shared by two equal-priority tasks.
 * Every part runs on a fresh kernel from tick 0.
 */
import { MAX_DELAY } from '../../config.js';
import { BinarySemaphore, CountingSemaphore } from '../../semaphore.js';
import type { Scenario } from '../harness.js';
import { type Phase, runPhases } from '../phases.js';

/** countsem.c's take-to-zero and give-to-max, then a binary semaphore. One task. */
const counts: Phase = {
  name: 'counts',
  run({ kernel: k, clock, at }) {
    const full = new CountingSemaphore(k, 3, 3);
    const empty = new CountingSemaphore(k, 3, 0);
    const bin = new BinarySemaphore(k);
    k.createTask('T', 1, function* () {
      for (let i = 0; i < 4; i++) at(`full take ${yield* full.take(0)} value ${full.value}`);
      for (let i = 0; i < 4; i++) at(`empty give ${yield* empty.give()} value ${empty.value}`);
      at(`full take ${yield* full.take(2)} value ${full.value}`);
      at(`bin value ${bin.value} take ${yield* bin.take(0)}`);
      at(`bin give ${yield* bin.give()} give ${yield* bin.give()} value ${bin.value}`);
      at(`bin take ${yield* bin.take(0)} value ${bin.value}`);
      yield* k.suspend();
    });
    clock.start();
    clock.advance(3);
  },
};

/**
 * Three waiters on one counting semaphore: W2a (2) from tick 0, W3 (3) from tick 1, W2b (2) from
 * tick 2. G (1) gives one unit per tick from tick 3: W3 first (priority), then W2a before W2b
 * (same priority: first come, first served).
 */
const waiters: Phase = {
  name: 'waiters',
  run({ kernel: k, clock, at }) {
    const s = new CountingSemaphore(k, 5, 0);
    const waiter = (name: string, delay: number) =>
      function* () {
        if (delay > 0) yield* k.delay(delay);
        at(`${name} waits`);
        at(`${name} took ${yield* s.take(MAX_DELAY)}`);
        yield* k.suspend();
      };
    k.createTask('W3', 3, waiter('W3', 1));
    k.createTask('W2a', 2, waiter('W2a', 0));
    k.createTask('W2b', 2, waiter('W2b', 2));
    k.createTask('G', 1, function* () {
      yield* k.delay(3);
      for (let i = 0; i < 3; i++) {
        at(`G give ${yield* s.give()} value ${s.value}`);
        yield* k.delay(1);
      }
      yield* k.suspend();
    });
    clock.start();
    clock.advance(6);
  },
};

/** semtest.c: A and B (both 1) share a binary semaphore as a lock and yield inside it. */
const lock: Phase = {
  name: 'lock',
  run({ kernel: k, clock, at }) {
    const s = new BinarySemaphore(k);
    const body = (name: string, first: boolean) =>
      function* () {
        if (first) yield* s.give(); // created empty: one side makes it available
        for (let round = 0; round < 2; round++) {
          yield* s.take(MAX_DELAY);
          at(`${name} in`);
          yield* k.taskYield(); // the other task runs, finds the lock taken and blocks
          at(`${name} out`);
          yield* s.give();
          yield* k.taskYield();
        }
        yield* k.suspend();
      };
    k.createTask('A', 1, body('A', true));
    k.createTask('B', 1, body('B', false));
    clock.start();
    clock.advance(1);
  },
};

const phases = [counts, waiters, lock];

export const scenario: Scenario = {
  name: 'countsem',
  demo: 'countsem.c, semtest.c',
  run(preemption) {
    return runPhases(preemption, phases);
  },
  expected: {
    preemptive: [
      '-- counts',
      '0 full take true value 2',
      '0 full take true value 1',
      '0 full take true value 0',
      '0 full take false value 0', // at zero, timeout 0
      '0 empty give true value 1',
      '0 empty give true value 2',
      '0 empty give true value 3',
      '0 empty give false value 3', // beyond max
      '2 full take false value 0', // blocked 2 ticks
      '2 bin value 0 take false', // a binary semaphore starts empty
      '2 bin give true give false value 1', // max 1
      '2 bin take true value 0',
      '-- waiters',
      '0 W2a waits',
      '1 W3 waits',
      '2 W2b waits',
      // Each give readies the head waiter, which outranks G and takes the unit at once.
      '3 W3 took true',
      '3 G give true value 0',
      '4 W2a took true',
      '4 G give true value 0',
      '5 W2b took true',
      '5 G give true value 0',
      '-- lock',
      // A's taskYield runs B, which blocks on the lock; A's give readies B (no switch: equal
      // priority) and A's second taskYield lets B in. The same again the other way round.
      '0 A in',
      '0 A out',
      '0 B in',
      '0 B out',
      '0 A in',
      '0 A out',
      '0 B in',
      '0 B out',
    ],
    cooperative: [
      '-- counts',
      '0 full take true value 2',
      '0 full take true value 1',
      '0 full take true value 0',
      '0 full take false value 0',
      '0 empty give true value 1',
      '0 empty give true value 2',
      '0 empty give true value 3',
      '0 empty give false value 3',
      '2 full take false value 0',
      '2 bin value 0 take false',
      '2 bin give true give false value 1',
      '2 bin take true value 0',
      '-- waiters',
      '0 W2a waits',
      '1 W3 waits',
      '2 W2b waits',
      // G runs on after each give: the unit is still there; the waiter takes it when G sleeps.
      '3 G give true value 1',
      '3 W3 took true',
      '4 G give true value 1',
      '4 W2a took true',
      '5 G give true value 1',
      '5 W2b took true',
      '-- lock',
      '0 A in',
      '0 A out',
      '0 B in',
      '0 B out',
      '0 A in',
      '0 A out',
      '0 B in',
      '0 B out',
    ],
  },
};
