/**
 * recmutex.c: a recursive mutex shared by three tasks.
 * - C (controlling, 3) takes it three times, one tick apart, then gives it three times; it is
 *   released only by the third give, and a fourth give (no longer the holder) fails.
 * - B (blocking, 2) waits for it forever, takes it twice, gives it twice, suspends.
 * - P (polling, 1) tries a give it does not hold (fails), then polls with timeout 0 each tick.
 *   When it gets the mutex it resumes B and C, which block on it and raise P to 3 by
 *   inheritance; P's give drops it back to 1 and C (the higher waiter) gets the mutex.
 */
import { MAX_DELAY } from '../../config.js';
import { RecursiveMutex } from '../../mutex.js';
import type { Task } from '../../task.js';
import { bench, type Scenario } from '../harness.js';

export const scenario: Scenario = {
  name: 'recmutex',
  demo: 'recmutex.c',
  run(preemption) {
    const { kernel: k, clock, log, at } = bench(preemption);
    const m = new RecursiveMutex(k);
    const holder = () => (m.holder === null ? 'none' : m.holder.name);
    const tasks: Task[] = [];
    tasks.push(
      k.createTask('C', 3, function* () {
        for (let round = 1; round <= 2; round++) {
          for (let i = 0; i < 3; i++) {
            at(`C take ${yield* m.takeRecursive(MAX_DELAY)}`);
            yield* k.delay(1);
          }
          for (let i = 0; i < 3; i++) at(`C give ${yield* m.giveRecursive()} holder ${holder()}`);
          at(`C give extra ${yield* m.giveRecursive()}`);
          yield* k.suspend();
        }
      }),
    );
    tasks.push(
      k.createTask('B', 2, function* () {
        for (;;) {
          at(`B took ${yield* m.takeRecursive(MAX_DELAY)}`);
          at(`B took again ${yield* m.takeRecursive(0)}`);
          at(`B give ${yield* m.giveRecursive()} holder ${holder()}`);
          at(`B give ${yield* m.giveRecursive()} holder ${holder()}`);
          yield* k.suspend();
        }
      }),
    );
    k.createTask('P', 1, function* () {
      at(`P give ${yield* m.giveRecursive()}`);
      for (;;) {
        if (yield* m.takeRecursive(0)) {
          at(`P took, B ${k.stateOf(tasks[1])} C ${k.stateOf(tasks[0])}`);
          yield* k.resume(tasks[1]);
          yield* k.taskYield(); // cooperative: lets B run and block (preemptive: it already has)
          yield* k.resume(tasks[0]);
          yield* k.taskYield();
          at(`P prio ${k.priorityOf()}`);
          at(`P give ${yield* m.giveRecursive()} prio ${k.priorityOf()}`);
          yield* k.suspend();
        }
        at('P poll false');
        yield* k.delay(1);
      }
    });
    clock.start();
    clock.advance(7);
    return log;
  },
  expected: {
    preemptive: [
      '0 C take true',
      // B blocks (C at 3 outranks it: no inheritance); P does not hold the mutex.
      '0 P give false',
      '0 P poll false',
      '1 C take true', // count 2, no kernel wait
      '1 P poll false',
      '2 C take true', // count 3
      '2 P poll false',
      '3 C give true holder C', // count 2
      '3 C give true holder C', // count 1
      '3 C give true holder none', // released: readies B (2 < 3, no switch)
      '3 C give extra false', // C is no longer the holder
      // C suspends; B gets the mutex, twice, and releases it with the second give.
      '3 B took true',
      '3 B took again true',
      '3 B give true holder B',
      '3 B give true holder none',
      // P (woken at 3) polls and wins with B and C both suspended.
      '3 P took, B Suspended C Suspended',
      // resume(B) runs B (2 > 1), which blocks and raises P to 2; resume(C) runs C, which
      // blocks and raises P to 3.
      '3 P prio 3',
      // The give releases it (count 1 -> 0), drops P to 1 and readies C, the highest waiter,
      // which runs at once and takes it; B stays blocked.
      '3 C take true',
      '3 P give true prio 1',
      '4 C take true',
      '5 C take true',
      '6 C give true holder C',
      '6 C give true holder C',
      '6 C give true holder none', // readies B
      '6 C give extra false',
      '6 B took true',
      '6 B took again true',
      '6 B give true holder B',
      '6 B give true holder none',
    ],
    cooperative: [
      '0 C take true',
      '0 P give false',
      '0 P poll false',
      '1 C take true',
      '1 P poll false',
      '2 C take true',
      '2 P poll false',
      '3 C give true holder C',
      '3 C give true holder C',
      '3 C give true holder none',
      '3 C give extra false',
      '3 B took true',
      '3 B took again true',
      '3 B give true holder B',
      '3 B give true holder none',
      '3 P took, B Suspended C Suspended',
      // The resumes do not switch, the taskYields do: B then C block and raise P to 3.
      '3 P prio 3',
      '3 P give true prio 1', // C readied; P runs on until it suspends
      '3 C take true',
      '4 C take true',
      '5 C take true',
      '6 C give true holder C',
      '6 C give true holder C',
      '6 C give true holder none',
      '6 C give extra false',
      '6 B took true',
      '6 B took again true',
      '6 B give true holder B',
      '6 B give true holder none',
    ],
  },
};
