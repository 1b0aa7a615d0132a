/**
 * The conformance harness: each scenario builds a kernel on the virtual clock, runs a FreeRTOS
 * Demo/Common/Minimal-style workload, and returns a trace of `tick event` lines. Its expected
 * traces, for both scheduling modes, live beside it; the same scenario runs on Node and on the
 * XS engine and must produce them exactly. On-device code: no Node APIs here.
 */
import { Kernel } from '../kernel.js';
import { VirtualClock } from '../clock.js';
import type { KernelConfig } from '../config.js';

export interface Scenario {
  name: string;
  /** The FreeRTOS Demo/Common/Minimal file it is modelled on. */
  demo: string;
  /** Runs the scenario on a fresh kernel and returns its trace. */
  run(preemption: boolean): string[];
  expected: { preemptive: string[]; cooperative: string[] };
}

export interface Bench {
  kernel: Kernel;
  clock: VirtualClock;
  log: string[];
  /** Appends `${tick} ${event}` to the trace. */
  at(event: string): void;
}

/** A kernel on the virtual clock with a trace log. */
export function bench(preemption: boolean, config: Partial<KernelConfig> = {}): Bench {
  const kernel = new Kernel(Object.assign({ preemption }, config));
  const log: string[] = [];
  return {
    kernel,
    clock: new VirtualClock(kernel),
    log,
    at(event: string) {
      log.push(`${kernel.tickCount} ${event}`);
    },
  };
}

/** Runs every scenario in both modes: { name: { preemptive, cooperative } }. */
export function runAll(scenarios: Scenario[]): Record<string, { preemptive: string[]; cooperative: string[] }> {
  const out: Record<string, { preemptive: string[]; cooperative: string[] }> = {};
  for (const s of scenarios) out[s.name] = { preemptive: s.run(true), cooperative: s.run(false) };
  return out;
}

/** `count` bytes counting up from `from`: test data for stream and message buffers. */
export function bytes(from: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = from + i;
  return out;
}

/** Bytes as "1,2,3" for a trace line. */
export function show(data: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < data.length; i++) parts.push(String(data[i]));
  return parts.join(',');
}
