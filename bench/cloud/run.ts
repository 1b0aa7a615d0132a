/** `mote bench cloud`: data-plane throughput (throughput.ts) and query latency (queries.ts), printed side by side with their baselines. */
import { runQueryBench, type QueryBench, type QueryBenchOptions } from './queries.js';
import { runThroughputBench, type ThroughputOptions, type ThroughputRow } from './throughput.js';

export interface CloudBench {
  throughput: ThroughputRow[];
  queries: QueryBench;
}

export async function runCloudBench(options: ThroughputOptions & QueryBenchOptions, progress: (line: string) => void = () => undefined): Promise<CloudBench> {
  progress(`publishing ${options.clients} x ${options.messages} messages through the broker alone, then through a rule into the store...\n`);
  const throughput = await runThroughputBench(options);
  progress(`generating ${options.points} points, then ${options.queries} queries per kind...\n`);
  const queries = await runQueryBench(options);
  return { throughput, queries };
}

const ms = (n: number) => n.toFixed(2).padStart(9);

export function formatCloudBench({ throughput, queries }: CloudBench): string {
  const lines = ['path                   messages       ms   messages/s   ratio to broker alone'];
  for (const r of throughput) {
    lines.push(`${r.path.padEnd(22)} ${String(r.messages).padStart(8)} ${String(r.ms).padStart(8)}   ${String(r.perSecond).padStart(10)}   ${r.ratio.toFixed(3)}`);
  }
  lines.push('', `${queries.points} points in ${queries.series} series (${(queries.fileBytes / 2 ** 20).toFixed(0)} MiB SQLite, generated in ${queries.generateSeconds.toFixed(1)} s)`);
  lines.push('query                               points read   p50 ms    p95 ms   baseline p50 ms   speed-up over baseline');
  for (const r of queries.rows) {
    const baseline = r.baselineP50 === undefined ? '        -' : ms(r.baselineP50);
    lines.push(`${r.kind.padEnd(35)} ${String(r.scanned).padStart(11)} ${ms(r.p50)} ${ms(r.p95)}         ${baseline}   ${r.ratio === undefined ? '-' : r.ratio.toFixed(1)}`);
  }
  return lines.join('\n');
}
