/**
 * The build bench: what the build path costs on each target, against hand-written code measured
 * in the same run.
 *
 * 1. Resume cost. bench/build/entry.ts (generator tasks, kernel switches, and hand-written switch
 *    state machines doing the same steps) is built three ways — native (not lowered), lowered with
 *    TypeScript's own ES5 helpers, lowered with mote's — and run on:
 *    - `node`: V8 with its JIT, in a node:vm context in this process;
 *    - `node --jitless`: V8's bytecode interpreter, in a child process. Espruino is an
 *      interpreter too (it even re-reads source text), so this is the proxy for the device;
 *    - `xs`: the real XS engine (xsnap), native only: the Moddable build keeps generators.
 *    Each workload's cost per step is a multiple of the hand-written baseline on the same engine.
 * 2. Bundle bytes, per app and target: the Espruino script (minified, as `mote build` writes it,
 *    and as lowered with TypeScript's helpers instead), and the Moddable modules' total.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { buildEspruino } from '../../firmware/build/espruino/index.js';
import { runInVm } from '../../firmware/build/espruino/vm-run.js';
import { buildModdable } from '../../firmware/build/moddable/index.js';
import { bundleForXS } from '../../firmware/host/xs/bundle.js';
import { runOnXS } from '../../firmware/host/xs/run.js';
import { packageFile } from '../../scripts/lib/paths.js';
import type { Measurement } from './workloads.js';

export type Runtime = 'native' | 'typescript' | 'mote';
export type Engine = 'node' | 'node --jitless' | 'xs';

export interface ResumeRow {
  engine: Engine;
  workload: string;
  runtime: Runtime;
  steps: number;
  /** Nanoseconds per step (fastest round). */
  ns: number;
  /** Cost per step over the hand-written baseline's in the same run (1 = as cheap). */
  ratio: number;
}

export interface BundleRow {
  app: string;
  /** Bytes of the Espruino script as `mote build` writes it (mote's lowering, minified). */
  espruino: number;
  /** The same script not minified. */
  espruinoReadable: number;
  /** The same app lowered with TypeScript's ES5 helpers instead of mote's, minified too. */
  espruinoTypescript: number;
  /** The Moddable build's modules, in all. */
  moddable: number;
  moddableModules: number;
}

export interface BuildBenchResult {
  rows: ResumeRow[];
  bundles: BundleRow[];
}

export interface BuildBenchOptions {
  /** Steps per workload on the JIT (interpreters make a tenth); a multiple of 200. Default 200 000. */
  steps?: number;
  /** Rounds per workload, the fastest kept. Default 5. */
  rounds?: number;
  /** Engines to run on. Default all three. */
  engines?: Engine[];
}

/** The apps whose bundles are measured: name and entry. */
export const BENCH_APPS: [string, string][] = [
  ['blink', 'firmware/examples/blink/main.ts'],
  ['sensor-queue', 'firmware/examples/sensor-queue/main.ts'],
  ['kernel conformance', 'firmware/kernel/conformance/xs-entry.ts'],
];

const execFileAsync = promisify(execFile);

async function lowered(runtime: 'typescript' | 'mote', entry: string, minify = false): Promise<string> {
  return (await buildEspruino(entry, { cwd: packageFile('.'), runtime, minify })).code;
}

const globalsPrelude = (steps: number, rounds: number) => `var STEPS = ${steps}, ROUNDS = ${rounds};\n`;

async function runJitless(code: string, steps: number, rounds: number): Promise<Measurement[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mote-bench-'));
  try {
    const file = path.join(dir, 'bench.js');
    await writeFile(file, `${globalsPrelude(steps, rounds)}var hostResult = function (value) { console.log(JSON.stringify(value)); };\n${code}`);
    const { stdout } = await execFileAsync(process.execPath, ['--jitless', file], { maxBuffer: 1 << 24, timeout: 600_000 });
    const lines = stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!) as Measurement[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runXs(code: string, steps: number, rounds: number): Promise<Measurement[]> {
  const { result } = await runOnXS(globalsPrelude(steps, rounds) + code, { timeoutMs: 600_000 });
  return result as Measurement[];
}

function rowsOf(engine: Engine, runtime: Runtime, measured: Measurement[]): ResumeRow[] {
  const byName = new Map(measured.map((m) => [m.workload, m]));
  return measured.map((m) => {
    const base = m.baseline === '' ? m : byName.get(m.baseline);
    if (base === undefined) throw new Error(`no baseline ${m.baseline} for ${m.workload}`);
    return { engine, workload: m.workload, runtime, steps: m.steps, ns: (m.ms * 1e6) / m.steps, ratio: m.ms / m.steps / (base.ms / base.steps) };
  });
}

async function moddableBytes(entry: string): Promise<{ bytes: number; modules: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mote-bench-moddable-'));
  try {
    const report = await buildModdable(entry, dir, { sourcemap: false });
    return { bytes: report.totalBytes, modules: report.modules.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runBuildBench(options: BuildBenchOptions = {}): Promise<BuildBenchResult> {
  const { steps = 200_000, rounds = 5, engines = ['node', 'node --jitless', 'xs'] } = options;
  if (steps % 200 !== 0) throw new RangeError('steps must be a multiple of 200');
  const entry = packageFile('bench/build/entry.ts');
  const rows: ResumeRow[] = [];
  for (const runtime of ['native', 'typescript', 'mote'] as const) {
    const code = runtime === 'native' ? await bundleForXS(entry) : await lowered(runtime, entry);
    if (engines.includes('node')) {
      const measured = (await runInVm(code, { globals: { performance, STEPS: steps, ROUNDS: rounds }, timeoutMs: 600_000 })) as Measurement[];
      rows.push(...rowsOf('node', runtime, measured));
    }
    if (engines.includes('node --jitless')) rows.push(...rowsOf('node --jitless', runtime, await runJitless(code, steps / 10, rounds)));
    if (engines.includes('xs') && runtime === 'native') rows.push(...rowsOf('xs', runtime, await runXs(code, steps / 10, rounds)));
  }
  const bundles: BundleRow[] = [];
  for (const [app, file] of BENCH_APPS) {
    const appEntry = packageFile(file);
    const moddable = await moddableBytes(appEntry);
    bundles.push({
      app,
      espruino: Buffer.byteLength(await lowered('mote', appEntry, true)),
      espruinoReadable: Buffer.byteLength(await lowered('mote', appEntry)),
      espruinoTypescript: Buffer.byteLength(await lowered('typescript', appEntry, true)),
      moddable: moddable.bytes,
      moddableModules: moddable.modules,
    });
  }
  return { rows, bundles };
}

export function formatBuildBench(result: BuildBenchResult): string {
  const lines: string[] = [];
  for (const engine of [...new Set(result.rows.map((r) => r.engine))]) {
    const rows = result.rows.filter((r) => r.engine === engine);
    const runtimes = (['native', 'typescript', 'mote'] as const).filter((rt) => rows.some((r) => r.runtime === rt));
    const cell = (workload: string, runtime: Runtime) => rows.find((r) => r.workload === workload && r.runtime === runtime);
    lines.push(
      `${engine}: cost per step as a multiple of the hand-written baseline in the same run (ns per step in brackets)`,
      `  ${'workload'.padEnd(40)} ${runtimes.map((rt) => rt.padStart(17)).join(' ')}`,
    );
    for (const w of [...new Set(rows.map((r) => r.workload))]) {
      const parts = runtimes.map((rt) => {
        const r = cell(w, rt);
        return (r === undefined ? '-' : `${r.ratio.toFixed(2)}x (${r.ns.toFixed(0)})`).padStart(17);
      });
      lines.push(`  ${w.padEnd(40)} ${parts.join(' ')}`);
    }
  }
  lines.push(
    'bundle bytes per app and target',
    `  ${'app'.padEnd(20)} ${'espruino'.padStart(9)} ${'readable'.padStart(9)} ${'TS helpers'.padStart(11)} ${'espruino/TS'.padStart(12)} ${'moddable'.padStart(9)} ${'modules'.padStart(8)}`,
  );
  for (const b of result.bundles) {
    const ratio = (b.espruino / b.espruinoTypescript).toFixed(2);
    lines.push(
      `  ${b.app.padEnd(20)} ${String(b.espruino).padStart(9)} ${String(b.espruinoReadable).padStart(9)} ${String(b.espruinoTypescript).padStart(11)} ${ratio.padStart(12)} ${String(b.moddable).padStart(9)} ${String(b.moddableModules).padStart(8)}`,
    );
  }
  return lines.join('\n');
}
