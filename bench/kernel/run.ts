/**
 * Host side of the kernel switch bench: runs the workloads on Node in this process and on XS in
 * an xsnap worker, and reports switches per second with the ratio to the hand-written baseline
 * measured in the same run on the same engine.
 */
import { performance } from 'node:perf_hooks';
import { bundleForXS, runOnXS } from '../../firmware/host/xs/index.js';
import { packageFile } from '../../scripts/lib/paths.js';
import { type Measurement, measure } from './workloads.js';

export interface EngineResult {
  engine: 'node' | 'xs';
  rows: (Measurement & { ratio: number })[];
}

function withRatios(engine: 'node' | 'xs', rows: Measurement[]): EngineResult {
  const base = rows[0].perSecond;
  return { engine, rows: rows.map((r) => Object.assign({}, r, { ratio: r.perSecond / base })) };
}

export async function runKernelBench(switches = 200_000, rounds = 5): Promise<EngineResult[]> {
  if (switches % 20 !== 0) throw new RangeError('switches must be a multiple of 20');
  const node = withRatios('node', measure(() => performance.now(), switches, rounds));
  const bundle = await bundleForXS(packageFile('bench/kernel/xs-entry.ts'));
  const source = `const SWITCHES = ${switches}; const ROUNDS = ${rounds};\n${bundle}`;
  const xs = await runOnXS(source, { timeoutMs: 600_000 });
  return [node, withRatios('xs', xs.result as Measurement[])];
}

export function formatKernelBench(results: EngineResult[]): string {
  const lines = ['engine  workload                                  switches/s   ratio to hand-written'];
  for (const r of results) {
    for (const row of r.rows) {
      lines.push(
        `${r.engine.padEnd(7)} ${row.workload.padEnd(41)} ${String(row.perSecond).padStart(11)}   ${row.ratio.toFixed(3)}`,
      );
    }
  }
  return lines.join('\n');
}
