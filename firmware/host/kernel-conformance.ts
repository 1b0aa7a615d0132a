/**
 * Runs the kernel conformance suite on an engine and compares it with the expected traces.
 * Host-side: the scenarios themselves are on-device code (firmware/kernel/conformance).
 */
import { packageFile } from '../../scripts/lib/paths.js';
import { runAll, type Scenario } from '../kernel/conformance/harness.js';
import { scenarios } from '../kernel/conformance/index.js';
import { bundleForXS, runOnXS } from './xs/index.js';

export type Engine = 'node' | 'xs';
export type Mode = 'preemptive' | 'cooperative';
export type Traces = Record<string, { preemptive: string[]; cooperative: string[] }>;

export interface CheckResult {
  engine: Engine;
  scenario: string;
  demo: string;
  mode: Mode;
  pass: boolean;
  /** First line where the trace and the expected trace differ (0-based), or -1. */
  firstDifference: number;
  actual: string[];
  expected: string[];
}

/** Every scenario in both modes on `engine`. */
export async function traces(engine: Engine): Promise<Traces> {
  if (engine === 'node') return runAll(scenarios);
  const bundle = await bundleForXS(packageFile('firmware/kernel/conformance/xs-entry.ts'));
  const run = await runOnXS(bundle, { timeoutMs: 120_000 });
  return run.result as Traces;
}

function firstDifference(a: string[], b: string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Compares `engine`'s traces with each selected scenario's expected ones. */
export async function check(engine: Engine, selected: Scenario[] = scenarios): Promise<CheckResult[]> {
  const got = await traces(engine);
  const out: CheckResult[] = [];
  for (const s of selected) {
    for (const mode of ['preemptive', 'cooperative'] as const) {
      const actual = got[s.name]?.[mode] ?? [];
      const diff = firstDifference(actual, s.expected[mode]);
      out.push({ engine, scenario: s.name, demo: s.demo, mode, pass: diff === -1, firstDifference: diff, actual, expected: s.expected[mode] });
    }
  }
  return out;
}

export { scenarios };
