/**
 * Generator-resume workloads for the Espruino lowering bench, engine-neutral: the same file is
 * bundled and run native, lowered with TypeScript's own helpers, and lowered with mote's. Each
 * workload makes `steps` steps and returns how many it made, so no engine can skip the work.
 */
import { handWritten as handWrittenSwitches, kernelQueue, kernelYield } from '../kernel/workloads.js';

/** The baseline: one step = one call of a hand-written switch state machine. */
export function handWritten(steps: number): number {
  let counter = 0;
  let state = 0;
  let i = 0;
  const step = (): boolean => {
    switch (state) {
      case 0:
        if (i >= steps) {
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
  while (step()) {
    // one resume per call
  }
  return counter;
}

/** One step = one `next()` of a generator suspended at a plain `yield`. */
export function generatorResume(steps: number): number {
  let counter = 0;
  function* body(): Generator<number, void, void> {
    for (let i = 0; i < steps; i++) {
      counter++;
      yield 1;
    }
  }
  const g = body();
  while (!g.next().done) {
    // one resume per call
  }
  return counter;
}

/**
 * One step = one `next()` of a task suspended in `yield* op()`, as kernel tasks are: the inner
 * generator finishes, the task loops and starts the next one, which yields.
 */
export function delegatedResume(steps: number): number {
  let counter = 0;
  function* op(): Generator<number, number, void> {
    yield 1;
    return 1;
  }
  function* task(): Generator<number, void, void> {
    for (let i = 0; i < steps; i++) {
      const r = yield* op();
      counter += r;
    }
  }
  const g = task();
  while (!g.next().done) {
    // one resume per call
  }
  return counter;
}

export interface Measurement {
  workload: string;
  /** The hand-written baseline this workload is compared with. */
  baseline: string;
  steps: number;
  /** Fastest round, milliseconds. */
  ms: number;
}

/** [name, baseline, run, steps multiplier]: the baselines are so cheap on a JIT that they get more steps, to be timed at all. */
const workloads: [name: string, baseline: string, run: (steps: number) => number, scale: number][] = [
  ['hand-written state machine', '', handWritten, 20],
  ['generator resume (yield)', 'hand-written state machine', generatorResume, 1],
  ['generator resume through yield*', 'hand-written state machine', delegatedResume, 1],
  ['hand-written task switches', '', handWrittenSwitches, 20],
  ['kernel: taskYield round-robin', 'hand-written task switches', kernelYield, 1],
  ['kernel: queue send/receive preemption', 'hand-written task switches', kernelQueue, 1],
];

/** Runs each workload `rounds` times (after one warm-up) and keeps the fastest. */
export function measure(now: () => number, steps: number, rounds: number): Measurement[] {
  const out: Measurement[] = [];
  for (const [workload, baseline, run, scale] of workloads) {
    const n = steps * scale;
    run(steps / 10);
    let best = Infinity;
    for (let r = 0; r < rounds; r++) {
      const t0 = now();
      const counted = run(n);
      const ms = now() - t0;
      if (counted !== n) throw new Error(`${workload}: counted ${counted}, expected ${n}`);
      if (ms < best) best = ms;
    }
    out.push({ workload, baseline, steps: n, ms: best });
  }
  return out;
}
