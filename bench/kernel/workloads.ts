/**
 * Kernel task-switch workloads and their hand-written baseline, engine-neutral: the same file
 * runs on Node and, bundled, on XS. Each workload makes `switches` context switches between two
 * tasks that each bump a counter per turn, and returns the counter (= switches) so no engine can
 * skip the work.
 */
import { Kernel } from '../../firmware/kernel/kernel.js';
import { Queue } from '../../firmware/kernel/queue.js';
import type { TaskBody } from '../../firmware/kernel/task.js';

/** Two equal-priority tasks taking turns with taskYield: one switch per yield. */
export function kernelYield(switches: number): number {
  const k = new Kernel({ workPerTick: 1 << 30 });
  let counter = 0;
  const turns = switches / 2;
  const body = function* (): TaskBody {
    for (let i = 0; i < turns; i++) {
      counter++;
      yield* k.taskYield();
    }
  };
  k.createTask('a', 1, body);
  k.createTask('b', 1, body);
  k.start();
  return counter;
}

/** A producer and a higher-priority consumer: every send preempts to the consumer and back. */
export function kernelQueue(switches: number): number {
  const k = new Kernel({ workPerTick: 1 << 30 });
  const q = new Queue<number>(k, 1);
  let counter = 0;
  const items = switches / 2;
  k.createTask('consumer', 2, function* () {
    for (let i = 0; i < items; i++) {
      // Not `counter += yield* ...`: that reads counter before the task blocks.
      const item = (yield* q.receive(0xffffffff)) as number;
      counter += item;
    }
  });
  k.createTask('producer', 1, function* () {
    for (let i = 0; i < items; i++) {
      counter++;
      yield* q.send(1, 0);
    }
  });
  k.start();
  return counter;
}

/**
 * The baseline: the same two counting tasks as hand-written switch state machines, resumed in
 * turn by a loop, the way one would write cooperative tasks without a kernel.
 */
export function handWritten(switches: number): number {
  let counter = 0;
  const turns = switches / 2;
  function machine() {
    let state = 0;
    let i = 0;
    return function step(): boolean {
      switch (state) {
        case 0:
          if (i >= turns) {
            state = 1;
            return false;
          }
          counter++;
          i++;
          return true;
        default:
          return false;
      }
    };
  }
  const tasks = [machine(), machine()];
  let live = 2;
  for (let n = 0; live > 0; n++) {
    if (!tasks[n & 1]()) live--;
  }
  return counter;
}

export interface Measurement {
  workload: string;
  switches: number;
  ms: number;
  perSecond: number;
}

/** Runs each workload `rounds` times (after one warm-up) and keeps the fastest. */
export function measure(now: () => number, switches: number, rounds: number): Measurement[] {
  const workloads: [string, (n: number) => number][] = [
    ['hand-written state machine', handWritten],
    ['kernel: taskYield round-robin', kernelYield],
    ['kernel: queue send/receive preemption', kernelQueue],
  ];
  const out: Measurement[] = [];
  for (const [name, run] of workloads) {
    run(switches / 10);
    let best = Infinity;
    for (let r = 0; r < rounds; r++) {
      const t0 = now();
      const counted = run(switches);
      const ms = now() - t0;
      if (counted !== switches) throw new Error(`${name}: counted ${counted}, expected ${switches}`);
      if (ms < best) best = ms;
    }
    out.push({ workload: name, switches, ms: best, perSecond: Math.round((switches / best) * 1000) });
  }
  return out;
}
