/**
 * Host side of the Espruino lowering bench: builds bench/espruino/entry.ts three ways (native,
 * not lowered; lowered with TypeScript's own helpers, as it emits them; lowered with mote's
 * helpers) and runs each on two engines:
 *
 * - `node`: V8 with its JIT, in a fresh node:vm context in this process;
 * - `node --jitless`: V8's bytecode interpreter only, in a child process. Espruino is an
 *   interpreter too (it even re-reads source text), so this is the closer proxy for what a
 *   resume costs on the device; the JIT makes the hand-written baseline almost free.
 *
 * Each workload's cost per step is reported as a multiple of the hand-written baseline measured
 * in the same run on the same engine, with the bytes of the lowered kernel conformance bundle.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { bundleForXS } from '../../firmware/host/xs/bundle.js';
import { buildEspruino } from '../../firmware/build/espruino/index.js';
import { runInVm } from '../../firmware/build/espruino/vm-run.js';
import { packageFile } from '../../scripts/lib/paths.js';
import type { Measurement } from './workloads.js';

export type Runtime = 'native' | 'typescript' | 'mote';
export type Engine = 'node' | 'node --jitless';

export interface EspruinoBenchRow {
  engine: Engine;
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

export interface EspruinoBenchOptions {
  /** Steps per workload on the JIT (the interpreter makes a tenth); a multiple of 200. Default 200 000. */
  steps?: number;
  /** Rounds per workload, the fastest kept. Default 5. */
  rounds?: number;
  /** Engines to run on. Default both. */
  engines?: Engine[];
}

async function script(runtime: Runtime, entry: string, minify = false): Promise<string> {
  if (runtime === 'native') return bundleForXS(entry);
  return (await buildEspruino(entry, { cwd: packageFile('.'), runtime, minify })).code;
}

const execFileAsync = promisify(execFile);

async function runJitless(code: string, steps: number, rounds: number): Promise<Measurement[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mote-bench-'));
  try {
    const file = path.join(dir, 'bench.js');
    const prelude = `var STEPS = ${steps}, ROUNDS = ${rounds};\nvar hostResult = function (value) { console.log(JSON.stringify(value)); };\n`;
    await writeFile(file, prelude + code);
    const { stdout } = await execFileAsync(process.execPath, ['--jitless', file], { maxBuffer: 1 << 24, timeout: 600_000 });
    const lines = stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]) as Measurement[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function rowsOf(engine: Engine, runtime: Runtime, measured: Measurement[]): EspruinoBenchRow[] {
  const byName = new Map(measured.map((m) => [m.workload, m]));
  return measured.map((m) => {
    const base = m.baseline === '' ? m : byName.get(m.baseline);
    if (base === undefined) throw new Error(`no baseline ${m.baseline} for ${m.workload}`);
    return { engine, workload: m.workload, runtime, steps: m.steps, ns: (m.ms * 1e6) / m.steps, ratio: m.ms / m.steps / (base.ms / base.steps) };
  });
}

export async function runEspruinoBench(options: EspruinoBenchOptions = {}): Promise<EspruinoBenchResult> {
  const { steps = 200_000, rounds = 5, engines = ['node', 'node --jitless'] } = options;
  if (steps % 200 !== 0) throw new RangeError('steps must be a multiple of 200');
  const entry = packageFile('bench/espruino/entry.ts');
  const rows: EspruinoBenchRow[] = [];
  for (const runtime of ['native', 'typescript', 'mote'] as const) {
    const code = await script(runtime, entry);
    if (engines.includes('node')) {
      const measured = (await runInVm(code, { globals: { performance, STEPS: steps, ROUNDS: rounds }, timeoutMs: 600_000 })) as Measurement[];
      rows.push(...rowsOf('node', runtime, measured));
    }
    if (engines.includes('node --jitless')) rows.push(...rowsOf('node --jitless', runtime, await runJitless(code, steps / 10, rounds)));
  }
  const conformance = packageFile('firmware/kernel/conformance/xs-entry.ts');
  const bytes = async (runtime: 'mote' | 'typescript', minify = false) => Buffer.byteLength(await script(runtime, conformance, minify), 'utf8');
  return { rows, conformanceBytes: { mote: await bytes('mote'), moteMinified: await bytes('mote', true), typescript: await bytes('typescript') } };
}

export function formatEspruinoBench(result: EspruinoBenchResult): string {
  const lines: string[] = [];
  for (const engine of [...new Set(result.rows.map((r) => r.engine))]) {
    const rows = result.rows.filter((r) => r.engine === engine);
    const cell = (workload: string, runtime: Runtime) => rows.find((r) => r.workload === workload && r.runtime === runtime);
    lines.push(
      `${engine}: cost per step as a multiple of the hand-written baseline in the same run (ns per step in brackets)`,
      `  ${'workload'.padEnd(40)} ${'native'.padStart(17)} ${'typescript'.padStart(17)} ${'mote'.padStart(17)}   typescript/mote`,
    );
    for (const w of [...new Set(rows.map((r) => r.workload))]) {
      const parts = (['native', 'typescript', 'mote'] as const).map((rt) => {
        const r = cell(w, rt);
        return (r === undefined ? '-' : `${r.ratio.toFixed(2)}x (${r.ns.toFixed(0)})`).padStart(17);
      });
      const ts = cell(w, 'typescript');
      const mote = cell(w, 'mote');
      const speedup = ts !== undefined && mote !== undefined ? (ts.ns / mote.ns).toFixed(2) : '-';
      lines.push(`  ${w.padEnd(40)} ${parts.join(' ')}   ${speedup.padStart(15)}`);
    }
  }
  const { mote, moteMinified, typescript } = result.conformanceBytes;
  lines.push(`lowered kernel conformance bundle: ${mote} bytes with mote's helpers (${moteMinified} minified), ${typescript} with TypeScript's`);
  return lines.join('\n');
}
