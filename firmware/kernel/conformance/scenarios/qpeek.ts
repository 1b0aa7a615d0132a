/**
 * QPeek.c: peekers at several priorities wait on one queue; Lo (1) sends.
 * - Round 1: Top (4), Hi (3) and Med (2) all peek. The send wakes only Top (the head waiter);
 *   each peek leaves the item and wakes the next waiting receiver, so all three see it and it
 *   is still there for Lo to receive.
 * - Round 2: Top peeks, Hi receives, Med peeks with a 2-tick timeout. Top's peek wakes Hi; Hi's
 *   receive takes the item and wakes no receiver, so Med times out.
 */
import { MAX_DELAY } from '../../config.js';
import { Queue } from '../../queue.js';
import type { Task } from '../../task.js';
import { bench, type Scenario } from '../harness.js';

export const scenario: Scenario = {
  name: 'qpeek',
  demo: 'QPeek.c',
  run(preemption) {
    const { kernel: k, clock, log, at } = bench(preemption);
    const q = new Queue<number>(k, 5);
    const tasks: Task[] = [];
    tasks.push(
      k.createTask('Top', 4, function* () {
        for (;;) {
          at(`Top peek ${yield* q.peek(MAX_DELAY)} count ${q.messagesWaiting()}`);
          yield* k.suspend();
        }
      }),
    );
    tasks.push(
      k.createTask('Hi', 3, function* () {
        at(`Hi peek ${yield* q.peek(MAX_DELAY)}`);
        yield* k.suspend();
        at(`Hi receive ${yield* q.receive(MAX_DELAY)}`);
        yield* k.suspend();
      }),
    );
    tasks.push(
      k.createTask('Med', 2, function* () {
        at(`Med peek ${yield* q.peek(MAX_DELAY)}`);
        yield* k.suspend();
        at(`Med peek ${yield* q.peek(2)}`);
        yield* k.suspend();
      }),
    );
    k.createTask('Lo', 1, function* () {
      at(`Lo send ${yield* q.send(11, 0)}`);
      yield* k.taskYield(); // cooperative: lets the readied peekers run (preemptive: they have)
      at(`Lo count ${q.messagesWaiting()} receive ${yield* q.receive(0)}`);
      yield* k.resume(tasks[2]);
      yield* k.resume(tasks[1]);
      yield* k.resume(tasks[0]);
      yield* k.taskYield(); // cooperative: lets them block on the empty queue
      at(`Lo send ${yield* q.send(22, 0)}`);
      yield* k.taskYield();
      at(`Lo count ${q.messagesWaiting()}`);
      yield* k.suspend();
    });
    clock.start();
    clock.advance(3);
    return log;
  },
  expected: {
    preemptive: [
      // Top, Hi, Med block in turn. The send readies Top (4 > 1): it runs before send returns.
      '0 Top peek 11 count 1', // its peek readies Hi (below Top: no switch); Top suspends
      '0 Hi peek 11', // readies Med
      '0 Med peek 11',
      '0 Lo send true',
      '0 Lo count 1 receive 11', // the peeks left the item in place
      // Each resume switches at once: Med, then Hi, then Top block — in that order, yet the
      // waiting list is by priority, so the send wakes Top first.
      '0 Top peek 22 count 1', // readies Hi
      '0 Hi receive 22', // takes it; a receive wakes senders, not receivers: Med stays blocked
      '0 Lo send true',
      '0 Lo count 0',
      '2 Med peek undefined', // 2 ticks, nothing seen
    ],
    cooperative: [
      '0 Lo send true', // Top readied, Lo runs on
      // taskYield: Top runs; its peek readies Hi, then Hi's readies Med.
      '0 Top peek 11 count 1',
      '0 Hi peek 11',
      '0 Med peek 11',
      '0 Lo count 1 receive 11',
      // The resumes do not switch; taskYield runs Top, Hi, Med, which block in priority order.
      '0 Lo send true',
      '0 Top peek 22 count 1',
      '0 Hi receive 22',
      '0 Lo count 0',
      '2 Med peek undefined',
    ],
  },
};
