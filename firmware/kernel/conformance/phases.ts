/**
 * Scenarios made of independent parts: each part runs on a fresh kernel (its own bench, tick 0),
 * and the scenario's trace is every part's trace in turn, each after a `-- name` line. On-device
 * code: no Node APIs here.
 */
import type { KernelConfig } from '../config.js';
import { type Bench, bench } from './harness.js';

export interface Phase {
  name: string;
  /** Kernel settings beyond the scheduling mode (for example a small `workPerTick`). */
  config?: Partial<KernelConfig>;
  /** Creates the tasks, starts the clock and drives it; logs through `b.at`. */
  run(b: Bench): void;
}

export function runPhases(preemption: boolean, phases: Phase[]): string[] {
  let out: string[] = [];
  for (let i = 0; i < phases.length; i++) {
    const p = phases[i];
    const b = bench(preemption, p.config ?? {});
    p.run(b);
    out.push(`-- ${p.name}`);
    out = out.concat(b.log);
  }
  return out;
}
