/**
 * IntSemTest.c and queue use from interrupts: host callbacks run through `kernel.isr` between
 * ticks, calling only FromISR functions. When one wakes a task of higher priority than the
 * running one, the kernel switches on exit (portYIELD_FROM_ISR) in both scheduling modes; when it
 * wakes a lower one, the running task carries on. Every part runs on a fresh kernel.
 */
import { MAX_DELAY } from '../../config.js';
import { Queue } from '../../queue.js';
import { BinarySemaphore, CountingSemaphore } from '../../semaphore.js';
import type { Scenario } from '../harness.js';
import { type Phase, runPhases } from '../phases.js';

/** The CPU is idle when the interrupts come: a binary then a counting semaphore given. */
const idle: Phase = {
  name: 'idle',
  run({ kernel: k, clock, at }) {
    const bin = new BinarySemaphore(k);
    const count = new CountingSemaphore(k, 3, 0);
    k.createTask('T', 3, function* () {
      for (;;) at(`T took ${yield* count.take(MAX_DELAY)} left ${count.value}`);
    });
    k.createTask('H', 2, function* () {
      for (;;) at(`H took ${yield* bin.take(MAX_DELAY)}`);
    });
    clock.start();
    clock.advance(2);
    k.isr(() => at(`isr give bin ${bin.giveFromISR()}`));
    at('isr returned');
    clock.advance(1);
    k.isr(() => {
      for (let i = 0; i < 4; i++) at(`isr give count ${count.giveFromISR()}`);
    });
    at('isr returned');
  },
};

/**
 * B (2) keeps the CPU busy (taskYield in a loop) until it has used up tick 1's work; then two
 * interrupts come: one wakes Lo (1), below B, one wakes Hi (3), above it.
 */
const busy: Phase = {
  name: 'busy',
  config: { workPerTick: 10 },
  run({ kernel: k, clock, at }) {
    const sLo = new BinarySemaphore(k, 'sLo');
    const sHi = new BinarySemaphore(k, 'sHi');
    let spinning = true;
    k.createTask('Hi', 3, function* () {
      for (;;) at(`Hi took ${yield* sHi.take(MAX_DELAY)}`);
    });
    const B = k.createTask('B', 2, function* () {
      yield* k.delay(1);
      at('B spins');
      while (spinning) yield* k.taskYield();
      at('B stops');
      yield* k.suspend();
    });
    const Lo = k.createTask('Lo', 1, function* () {
      for (;;) at(`Lo took ${yield* sLo.take(MAX_DELAY)}`);
    });
    clock.start();
    clock.advance(1);
    k.isr(() => at(`isr give lo ${sLo.giveFromISR()}`));
    at(`isr returned, B ${k.stateOf(B)} Lo ${k.stateOf(Lo)}`);
    k.isr(() => at(`isr give hi ${sHi.giveFromISR()}`));
    at('isr returned');
    spinning = false;
    clock.advance(1);
  },
};

/** Queues from interrupts: receiveFromISR frees a blocked sender, sendFromISR wakes a receiver. */
const queues: Phase = {
  name: 'queues',
  run({ kernel: k, clock, at }) {
    const q = new Queue<number>(k, 2, { name: 'q' });
    const q2 = new Queue<number>(k, 2, { name: 'q2' });
    k.createTask('Rx', 3, function* () {
      for (;;) at(`Rx ${yield* q2.receive(MAX_DELAY)}`);
    });
    k.createTask('Tx', 2, function* () {
      for (let i = 0; i < 3; i++) at(`Tx sent ${i} ${yield* q.send(i, MAX_DELAY)}`);
      yield* k.suspend();
    });
    clock.start();
    clock.advance(1);
    k.isr(() => at(`isr received ${q.receiveFromISR()}`));
    at('isr returned');
    k.isr(() => {
      at(`isr send 7 ${q2.sendFromISR(7)}`);
      at(`isr front 6 ${q2.sendToFrontFromISR(6)}`);
      at(`isr send 9 ${q2.sendFromISR(9)}`);
    });
    at('isr returned');
    k.isr(() => at(`isr received ${q.receiveFromISR()} ${q.receiveFromISR()} ${q.receiveFromISR()}`));
  },
};

const phases = [idle, busy, queues];

/** Interrupts switch in both modes, and nothing here switches at a task-level call. */
const trace = [
  '-- idle',
  '2 isr give bin true', // readies H, above the idle task that was running
  '2 H took true', // switched to on exit
  '2 isr returned',
  '3 isr give count true', // readies T
  '3 isr give count true',
  '3 isr give count true',
  '3 isr give count false', // beyond max 3
  '3 T took true left 2', // T takes all three, then blocks again
  '3 T took true left 1',
  '3 T took true left 0',
  '3 isr returned',
  '-- busy',
  '1 B spins',
  '1 isr give lo true', // Lo (1) is below B (2): no switch on exit, B carries on
  '1 isr returned, B Running Lo Ready',
  '1 isr give hi true', // Hi (3) is above B: switched to on exit, in both modes
  '1 Hi took true',
  '1 isr returned',
  // Tick 2: Hi's next take blocks, B sees the flag cleared and suspends, then Lo runs.
  '2 B stops',
  '2 Lo took true',
  '-- queues',
  '0 Tx sent 0 true',
  '0 Tx sent 1 true', // q full: the third send blocks
  '1 isr received 0', // frees a slot and readies Tx (2), above idle: switch on exit
  '1 Tx sent 2 true',
  '1 isr returned',
  '1 isr send 7 true', // readies Rx
  '1 isr front 6 true', // to the front: [6 7]
  '1 isr send 9 false', // full; FromISR never blocks
  '1 Rx 6',
  '1 Rx 7',
  '1 isr returned',
  '1 isr received 1 2 undefined',
];

export const scenario: Scenario = {
  name: 'int-sem',
  demo: 'IntSemTest.c',
  run(preemption) {
    return runPhases(preemption, phases);
  },
  expected: { preemptive: trace, cooperative: trace },
};
