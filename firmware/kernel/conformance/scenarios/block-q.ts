/**
 * BlockQ.c and PollQ.c: producers and consumers at various priorities, blocking and polling
 * (timeout 0), on full and empty queues. Every part runs on a fresh kernel from tick 0.
 */
import { Queue } from '../../queue.js';
import type { Scenario } from '../harness.js';
import { type Phase, runPhases } from '../phases.js';

/** BlockQ set 1: length 1; the consumer (2) blocks for 3 ticks, the producer (1) never blocks. */
const consumerBlocks: Phase = {
  name: 'consumer blocks',
  run({ kernel: k, clock, at }) {
    const q = new Queue<number>(k, 1);
    k.createTask('C', 2, function* () {
      for (;;) at(`C ${yield* q.receive(3)}`);
    });
    k.createTask('P', 1, function* () {
      for (let i = 0; i < 3; i++) at(`P send ${i} ${yield* q.send(i, 0)}`);
      yield* k.suspend();
    });
    clock.start();
    clock.advance(4);
  },
};

/** BlockQ set 2: length 1; the producer (2) blocks for 3 ticks, the consumer (1) polls twice. */
const producerBlocks: Phase = {
  name: 'producer blocks',
  run({ kernel: k, clock, at }) {
    const q = new Queue<number>(k, 1);
    k.createTask('P', 2, function* () {
      for (let i = 0; i < 4; i++) at(`P sent ${i} ${yield* q.send(i, 3)}`);
      yield* k.suspend();
    });
    k.createTask('C', 1, function* () {
      for (let i = 0; i < 2; i++) {
        at(`C ${yield* q.receive(0)}`);
        yield* k.delay(1);
      }
      yield* k.suspend();
    });
    clock.start();
    clock.advance(5);
  },
};

/** PollQ: producer and consumer at the same priority (1), neither ever blocks on the queue. */
const poll: Phase = {
  name: 'poll',
  run({ kernel: k, clock, at }) {
    const q = new Queue<number>(k, 10);
    k.createTask('P', 1, function* () {
      let n = 0;
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 3; i++, n++) at(`P send ${n} ${yield* q.send(n, 0)}`);
        yield* k.delay(3);
      }
      yield* k.suspend();
    });
    k.createTask('C', 1, function* () {
      for (;;) {
        while (q.messagesWaiting() > 0) at(`C ${yield* q.receive(0)}`);
        yield* k.delay(2);
      }
    });
    clock.start();
    clock.advance(7);
  },
};

/**
 * Woken but beaten: C1 (1) waits 5 ticks on an empty queue. At tick 2, X (2) sends (readying C1)
 * and Y (2) takes the item before C1 runs. C1 blocks again for the 3 ticks it has left.
 */
const beaten: Phase = {
  name: 'beaten',
  run({ kernel: k, clock, at }) {
    const q = new Queue<number>(k, 1);
    k.createTask('X', 2, function* () {
      yield* k.delay(2);
      at(`X send ${yield* q.send(7, 0)}`);
      yield* k.suspend();
    });
    k.createTask('Y', 2, function* () {
      yield* k.delay(2);
      at(`Y took ${yield* q.receive(0)}`);
      yield* k.suspend();
    });
    k.createTask('C1', 1, function* () {
      at('C1 waits');
      at(`C1 ${yield* q.receive(5)}`);
      yield* k.suspend();
    });
    clock.start();
    clock.advance(8);
  },
};

const phases = [consumerBlocks, producerBlocks, poll, beaten];

export const scenario: Scenario = {
  name: 'block-q',
  demo: 'BlockQ.c, PollQ.c',
  run(preemption) {
    return runPhases(preemption, phases);
  },
  expected: {
    preemptive: [
      '-- consumer blocks',
      // Each send readies C (2 > 1), which takes the item before the send returns.
      '0 C 0',
      '0 P send 0 true',
      '0 C 1',
      '0 P send 1 true',
      '0 C 2',
      '0 P send 2 true',
      '3 C undefined', // 3 ticks with nothing
      '-- producer blocks',
      '0 P sent 0 true',
      // The queue is full, P blocks. C's receive readies P (2 > 1): P's retry succeeds before
      // the receive returns, and P blocks again on its next send.
      '0 P sent 1 true',
      '0 C 0',
      '1 P sent 2 true', // C's second receive, same again
      '1 C 1',
      '4 P sent 3 false', // sent at tick 1, full for 3 ticks, C no longer reading
      '-- poll',
      '0 P send 0 true',
      '0 P send 1 true',
      '0 P send 2 true',
      '0 C 0', // P sleeps; C drains the queue with timeout-0 receives
      '0 C 1',
      '0 C 2',
      '3 P send 3 true', // C polled an empty queue at 2, next at 4
      '3 P send 4 true',
      '3 P send 5 true',
      '4 C 3',
      '4 C 4',
      '4 C 5',
      '-- beaten',
      '0 C1 waits',
      '2 X send true', // readies C1 (1 < 2: no switch)
      '2 Y took 7', // Y (2) runs before C1 and takes the item
      // C1 retries, finds the queue empty and blocks for the rest: 5 - 2 = 3 ticks, not 5.
      '5 C1 undefined',
    ],
    cooperative: [
      '-- consumer blocks',
      '0 P send 0 true', // C readied; P runs on
      '0 P send 1 false', // full, timeout 0
      '0 P send 2 false',
      '0 C 0', // P suspends
      '3 C undefined',
      '-- producer blocks',
      '0 P sent 0 true',
      '0 C 0', // P readied by the receive; C runs on until its delay
      '0 P sent 1 true',
      '1 C 1',
      '1 P sent 2 true',
      '4 P sent 3 false',
      '-- poll',
      '0 P send 0 true',
      '0 P send 1 true',
      '0 P send 2 true',
      '0 C 0',
      '0 C 1',
      '0 C 2',
      '3 P send 3 true',
      '3 P send 4 true',
      '3 P send 5 true',
      '4 C 3',
      '4 C 4',
      '4 C 5',
      '-- beaten',
      '0 C1 waits',
      '2 X send true',
      '2 Y took 7',
      '5 C1 undefined',
    ],
  },
};
