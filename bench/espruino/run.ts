/**
 * Host side of the Espruino lowering bench: builds bench/espruino/entry.ts three ways (native,
 * not lowered; lowered with TypeScript's own helpers, as it emits them; lowered with mote's
 * helpers), runs each on Node in a fresh node:vm context, and reports each workload's cost per
 * step as a multiple of the hand-written baseline measured in the same run. Also reports the
 * bytes of the lowered kernel conformance bundle with either set of helpers.
 *
 * On Node these ratios understate what allocation costs on Espruino, where every object,
 * array and closure is interpreter variables to allocate and garbage-collect.
 */
import { performance } from 'node:perf_hooks';
import { bundleForXS } from '../../firmware/host/xs/bundle.js';
import { buildEspruino } from '../../firmware/build/espruino/index.js';
import { runInVm } from '../../firmware/build/espruino/vm-run.js';
import { packageFile } from '../../scripts/lib/paths.js';
import type { Measurement } from './workloads.js';

export type Runtime = 'native' | 'typescript' | 'mote';

export interface EspruinoBenchRow {
  workload: string;
  runtime: Runtime;
  steps: number;
  /** Nanoseconds per step (fastest round). */
  ns: number;
  /** Cost per step over the hand-written baseline's in the same run (1 = as cheap). */
  ratio: number;
}

export interface EspruinoBenchResult {
  rows: EspruinoBenchRow[];
  /** UTF-8 bytes of the lowered kernel conformance bundle (comments removed), by helpers, and minified. */
  conformanceBytes: { mote: number; moteMinified: number; typescript: number };
}

async function script(runtime: Runtime, entry: string, minify = false): Promise<string> {
  if (runtime === 'native') return bundleForXS(entry);
  return (await buildEspruino(entry, { cwd: packageFile('.'), runtime, minify })).code;
}

export async function runEspruinoBench(steps = 200_000, rounds = 5): Promise<EspruinoBenchResult> {
  if (steps % 20 !== 0) throw new RangeError('steps must be a multiple of 20');
  const entry = packageFile('bench/espruino/entry.ts');
  const rows: EspruinoBenchRow[] = [];
  for (const runtime of ['native', 'typescript', 'mote'] as const) {
    const code = await script(runtime, entry);
    const measured = (await runInVm(code, { globals: { performance, STEPS: steps, ROUNDS: rounds }, timeoutMs: 600_000 })) as Measurement[];
    const byName = new Map(measured.map((m) => [m.workload, m]));
    for (const m of measured) {
      const base = m.baseline === '' ? m : byName.get(m.baseline);
      if (base === undefined) throw new Error(`no baseline ${m.baseline} for ${m.workload}`);
      rows.push({ workload: m.workload, runtime, steps: m.steps, ns: (m.ms * 1e6) / m.steps, ratio: m.ms / m.steps / (base.ms / base.steps) });
    }
  }
  const conformance = packageFile('firmware/kernel/conformance/xs-entry.ts');
  const bytes = async (runtime: 'mote' | 'typescript', minify = false) => Buffer.byteLength(await script(runtime, conformance, minify), 'utf8');
  return { rows, conformanceBytes: { mote: await bytes('mote'), moteMinified: await bytes('mote', true), typescript: await bytes('typescript') } };
}

export function formatEspruinoBench(result: EspruinoBenchResult): string {
  const workloads = [...new Set(result.rows.map((r) => r.workload))];
  const cell = (workload: string, runtime: Runtime) => result.rows.find((r) => r.workload === workload && r.runtime === runtime);
  const lines = [
    'cost per step on Node, as a multiple of the hand-written baseline in the same run (ns per step in brackets)',
    `${'workload'.padEnd(40)} ${'native'.padStart(16)} ${'typescript'.padStart(16)} ${'mote'.padStart(16)}   typescript/mote`,
  ];
  for (const w of workloads) {
    const parts = (['native', 'typescript', 'mote'] as const).map((rt) => {
      const r = cell(w, rt);
      return (r === undefined ? '-' : `${r.ratio.toFixed(2)}x (${r.ns.toFixed(1)})`).padStart(16);
    });
    const ts = cell(w, 'typescript');
    const mote = cell(w, 'mote');
    const speedup = ts !== undefined && mote !== undefined ? `${(ts.ns / mote.ns).toFixed(2)}` : '-';
    lines.push(`${w.padEnd(40)} ${parts.join(' ')}   ${speedup.padStart(15)}`);
  }
  const { mote, moteMinified, typescript } = result.conformanceBytes;
  lines.push(`lowered kernel conformance bundle: ${mote} bytes with mote's helpers (${moteMinified} minified), ${typescript} with TypeScript's`);
  return lines.join('\n');
}
