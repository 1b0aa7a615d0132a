/**
 * QueueOverwrite.c: on a length-1 queue, overwrite always succeeds and replaces what is there
 * (from a task and from an interrupt), and peek after it sees the newest item.
 * Every part runs on a fresh kernel from tick 0.
 */
import { MAX_DELAY } from '../../config.js';
import { Queue } from '../../queue.js';
import type { Scenario } from '../harness.js';
import { type Phase, runPhases } from '../phases.js';

/** One task: overwrite, peek, receive, and send against overwrite on a full queue. */
const task: Phase = {
  name: 'task',
  run({ kernel: k, clock, at }) {
    const q = new Queue<number>(k, 1);
    k.createTask('T', 1, function* () {
      at(`overwrite 1 ${yield* q.overwrite(1)} count ${q.messagesWaiting()}`);
      at(`overwrite 2 ${yield* q.overwrite(2)} count ${q.messagesWaiting()}`);
      at(`peek ${yield* q.peek(0)} count ${q.messagesWaiting()}`);
      at(`receive ${yield* q.receive(0)} count ${q.messagesWaiting()}`);
      at(`receive ${yield* q.receive(0)}`);
      at(`send 3 ${yield* q.send(3, 0)} send 4 ${yield* q.send(4, 0)}`);
      at(`overwrite 4 ${yield* q.overwrite(4)} peek ${yield* q.peek(0)}`);
      yield* k.suspend();
    });
    clock.start();
  },
};

/** R (2) waits on the queue; T (1) overwrites twice in a row. */
const waiter: Phase = {
  name: 'waiter',
  run({ kernel: k, clock, at }) {
    const q = new Queue<number>(k, 1);
    k.createTask('R', 2, function* () {
      for (;;) at(`R ${yield* q.receive(MAX_DELAY)}`);
    });
    k.createTask('T', 1, function* () {
      at(`T overwrite 5 ${yield* q.overwrite(5)}`);
      at(`T overwrite 6 ${yield* q.overwrite(6)}`);
      yield* k.suspend();
    });
    clock.start();
  },
};

/** Interrupts overwrite; R (2) receives, then sleeps 3 ticks between receives. */
const isr: Phase = {
  name: 'isr',
  run({ kernel: k, clock, at }) {
    const q = new Queue<number>(k, 1);
    k.createTask('R', 2, function* () {
      for (;;) {
        at(`R ${yield* q.receive(MAX_DELAY)}`);
        yield* k.delay(3);
      }
    });
    clock.start();
    clock.advance(1);
    k.isr(() => at(`isr overwrite 10 ${q.overwriteFromISR(10)}`));
    at('isr returned');
    clock.advance(1);
    k.isr(() => {
      at(`isr overwrite 20 ${q.overwriteFromISR(20)}`);
      at(`isr overwrite 21 ${q.overwriteFromISR(21)} count ${q.messagesWaiting()} peek ${q.peekFromISR()}`);
    });
    clock.advance(2);
  },
};

const phases = [task, waiter, isr];

export const scenario: Scenario = {
  name: 'queue-overwrite',
  demo: 'QueueOverwrite.c',
  run(preemption) {
    return runPhases(preemption, phases);
  },
  expected: {
    preemptive: [
      '-- task',
      '0 overwrite 1 true count 1',
      '0 overwrite 2 true count 1', // replaced, still one item
      '0 peek 2 count 1',
      '0 receive 2 count 0',
      '0 receive undefined',
      '0 send 3 true send 4 false', // a plain send to the full queue fails...
      '0 overwrite 4 true peek 4', // ...an overwrite does not
      '-- waiter',
      // Each overwrite readies R (2 > 1), which takes the item before the call returns.
      '0 R 5',
      '0 T overwrite 5 true',
      '0 R 6',
      '0 T overwrite 6 true',
      '-- isr',
      // The overwrite readies R, which outranks the idle task: the kernel switches on exit.
      '1 isr overwrite 10 true',
      '1 R 10',
      '1 isr returned',
      // R is asleep: 21 replaces 20 in the queue.
      '2 isr overwrite 20 true',
      '2 isr overwrite 21 true count 1 peek 21',
      '4 R 21',
    ],
    cooperative: [
      '-- task',
      '0 overwrite 1 true count 1',
      '0 overwrite 2 true count 1',
      '0 peek 2 count 1',
      '0 receive 2 count 0',
      '0 receive undefined',
      '0 send 3 true send 4 false',
      '0 overwrite 4 true peek 4',
      '-- waiter',
      // R is readied by the first overwrite but T runs on; the second replaces 5 before R runs.
      '0 T overwrite 5 true',
      '0 T overwrite 6 true',
      '0 R 6',
      '-- isr',
      // portYIELD_FROM_ISR switches in cooperative mode too.
      '1 isr overwrite 10 true',
      '1 R 10',
      '1 isr returned',
      '2 isr overwrite 20 true',
      '2 isr overwrite 21 true count 1 peek 21',
      '4 R 21',
    ],
  },
};
