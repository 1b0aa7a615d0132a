/**
 * Telemetry query latency over a large store: `points` points (10 million by default) spread over
 * 20 series (10 things x temp and hum, one point a second), written by bulk inserts straight into
 * a migrated SQLite file, then queried through the store's own code (`querySeries` over the
 * Database adapter) at random places: a range of raw points, buckets, and downsampling. Each kind
 * is timed against a baseline in the same run: reading the same range's raw points and computing
 * the same answer in JavaScript, which is what a client without server-side aggregation does.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openStore, SQLITE_FILE } from '../../cloud/store/open.js';
import type { Database } from '../../cloud/store/database.js';
import { querySeries, type SeriesQuery } from '../../cloud/telemetry/series.js';

export interface QueryBenchOptions {
  points: number;
  /** Timed queries per kind. */
  queries: number;
}

export interface QueryRow {
  kind: string;
  /** Points each query reads. */
  scanned: number;
  p50: number;
  p95: number;
  /** Baseline (aggregating kinds): the raw points read and aggregated in JavaScript. */
  baselineP50?: number;
  /** baselineP50 / p50: how many times faster the store answers than the baseline. */
  ratio?: number;
}

export interface QueryBench {
  points: number;
  series: number;
  /** Seconds spent generating the points. */
  generateSeconds: number;
  fileBytes: number;
  rows: QueryRow[];
}

const T0 = 1_767_225_600_000;
const THINGS = 10;
const MEASURES = ['hum', 'temp'];
const ROWS_PER_INSERT = 500;

/** Writes `points` points in key order (thing, measure, ts): appends to the clustered table. */
function generate(file: string, points: number): void {
  const db = new BetterSqlite3(file);
  db.pragma('synchronous = OFF');
  const perSeries = Math.floor(points / (THINGS * MEASURES.length));
  const insert = db.prepare(`INSERT INTO telemetry_points (thing_name, measure, ts, value, text) VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?, ?, ?, NULL)').join(', ')}`);
  const one = db.prepare('INSERT INTO telemetry_points (thing_name, measure, ts, value, text) VALUES (?, ?, ?, ?, NULL)');
  const series = db.prepare('INSERT INTO telemetry_series (thing_name, measure) VALUES (?, ?)');
  const params: (string | number)[] = new Array(ROWS_PER_INSERT * 4);
  db.transaction(() => {
    for (let t = 0; t < THINGS; t++) {
      for (const measure of MEASURES) {
        const thing = `bench-${t}`;
        series.run(thing, measure);
        let i = 0;
        const value = (n: number) => 20 + 5 * Math.sin(n / 3600) + ((n * 7919) % 100) / 100;
        for (; i + ROWS_PER_INSERT <= perSeries; i += ROWS_PER_INSERT) {
          for (let r = 0; r < ROWS_PER_INSERT; r++) {
            params[r * 4] = thing;
            params[r * 4 + 1] = measure;
            params[r * 4 + 2] = T0 + (i + r) * 1000;
            params[r * 4 + 3] = value(i + r);
          }
          insert.run(params);
        }
        for (; i < perSeries; i++) one.run(thing, measure, T0 + i * 1000, value(i));
      }
    }
  })();
  db.close();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

async function timed(runs: number, work: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await work(runs); // warm the statement cache and the pages
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work(i);
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

/** The baseline: the range's raw points, bucketed and averaged in JavaScript. */
async function clientSide(db: Database, thing: string, from: number, to: number, bucketMs: number): Promise<number[]> {
  const rows = await db.all<{ ts: number; value: number }>('SELECT ts, value FROM telemetry_points WHERE thing_name = ? AND measure = ? AND ts >= ? AND ts < ? ORDER BY ts', [thing, 'temp', from, to]);
  const sums = new Map<number, [number, number]>();
  for (const { ts, value } of rows) {
    const bucket = Math.floor((ts - from) / bucketMs);
    const sum = sums.get(bucket) ?? [0, 0];
    sum[0] += value;
    sum[1]++;
    sums.set(bucket, sum);
  }
  return [...sums.values()].map(([sum, n]) => sum / n);
}

export async function runQueryBench(options: QueryBenchOptions): Promise<QueryBench> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mote-bench-points-'));
  try {
    await (await openStore({ dataDir })).close(); // migrated
    const file = path.join(dataDir, SQLITE_FILE);
    const started = performance.now();
    generate(file, options.points);
    const generateSeconds = (performance.now() - started) / 1000;
    const db = await openStore({ dataDir });
    try {
      const perSeries = Math.floor(options.points / (THINGS * MEASURES.length));
      const span = perSeries * 1000;
      // Random but repeatable places: a thing, and a start that leaves room for the window.
      const place = (i: number, windowMs: number) => ({
        thing: `bench-${(i * 7) % THINGS}`,
        from: T0 + Math.floor((((i * 2654435761) % 1000) / 1000) * Math.max(0, span - windowMs) / 1000) * 1000,
      });
      // Each kind with the bucket width its client-side baseline averages over (none for raw reads).
      const kinds: { kind: string; windowMs: number; query: (from: number) => SeriesQuery; baselineBucketMs?: number }[] = [
        { kind: 'range: 1 h of raw points', windowMs: Math.min(3_600_000, span), query: (from) => ({ from, to: from + 3_600_000, limit: 3600 }) },
        { kind: 'buckets: 1 d by 1 h, min/max/avg', windowMs: Math.min(86_400_000, span), query: (from) => ({ from, to: from + 86_400_000, bucketMs: 3_600_000, agg: ['min', 'max', 'avg'] }), baselineBucketMs: 3_600_000 },
        { kind: 'downsample: whole series to 500', windowMs: span, query: () => ({ from: T0, to: T0 + span, points: 500 }), baselineBucketMs: Math.ceil(span / 500) },
      ];
      const rows: QueryRow[] = [];
      for (const { kind, windowMs, query, baselineBucketMs } of kinds) {
        const store = await timed(options.queries, async (i) => {
          const { thing, from } = place(i, windowMs);
          const answer = await querySeries(db, thing, 'temp', query(from));
          if (answer.points.length === 0) throw new Error(`bench: ${kind} found nothing`);
        });
        const baseline = baselineBucketMs === undefined ? undefined : await timed(options.queries, (i) => {
          const { thing, from } = place(i, windowMs);
          return clientSide(db, thing, windowMs === span ? T0 : from, (windowMs === span ? T0 : from) + windowMs, baselineBucketMs);
        });
        rows.push({ kind, scanned: windowMs / 1000, ...store, ...(baseline && { baselineP50: baseline.p50, ratio: baseline.p50 / store.p50 }) });
      }
      return { points: perSeries * THINGS * MEASURES.length, series: THINGS * MEASURES.length, generateSeconds, fileBytes: statSync(file).size, rows };
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
