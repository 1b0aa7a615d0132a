/**
 * Queries over one time series (a thing's measure, points.ts): its points in a time range, or
 * aggregates (min, max, avg, count, sum) over the whole range, over fixed time buckets, or over
 * as many equal buckets as fit a number of points (downsampling for a chart). Aggregates see
 * numbers and booleans (1/0); strings are only in raw reads. Each query is one index range scan
 * on both stores; buckets are grouped by the database, so only the answer crosses the wire.
 *
 * Ranges are `from` inclusive, `to` exclusive (epoch ms). Fixed buckets are aligned to the epoch
 * (a `1h` bucket starts on the hour); downsampling buckets start at `from` (or the first point).
 * Answers longer than `limit` stop there and name `nextFrom`, the `from` of the next page.
 */
import { invalid } from '../errors.js';
import type { Measurement } from '../../sdk/telemetry/format.js';
import type { Queryable, SqlValue } from '../store/database.js';
import { measurementOf } from './points.js';

export const aggregates = ['min', 'max', 'avg', 'count', 'sum'] as const;
export type Aggregate = (typeof aggregates)[number];

export interface SeriesQuery {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  /** Aggregates to compute; alone, over the whole range. Default `avg` with `bucketMs` or `points`. */
  agg?: readonly Aggregate[];
  /** Aggregate per bucket of this many ms. */
  bucketMs?: number;
  /** Aggregate over at most this many equal buckets spanning the range. */
  points?: number;
  /** At most this many points or buckets per answer (default 1000). */
  limit?: number;
}

export type RawPoint = { ts: number; value: Measurement };
/** A bucket starting at `ts`; an aggregate is null when the bucket holds no number. */
export type AggregatePoint = { ts: number } & { [A in Aggregate]?: number | null };

export interface SeriesAnswer {
  thingName: string;
  measure: string;
  /** Width of the buckets, when the points are buckets. */
  bucketMs?: number;
  points: RawPoint[] | AggregatePoint[];
  /** Present when `limit` cut the answer: the `from` that continues it. */
  nextFrom?: number;
}

export const MAX_LIMIT = 10_000;
export const MAX_POINTS = 10_000;

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration such as `500ms`, `30s`, `1m`, `6h`, `1d`, `2w`, in ms; throws a CloudError otherwise. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,9})(ms|s|m|h|d|w)$/.exec(text);
  const ms = match ? Number(match[1]) * units[match[2]!]! : 0;
  if (!(ms > 0 && Number.isSafeInteger(ms))) throw invalid(`'${text}' is not a duration: a positive whole number and a unit, ms, s, m, h, d or w (e.g. 1m, 6h)`);
  return ms;
}

const columnOf: Record<Aggregate, string> = { min: 'MIN(value)', max: 'MAX(value)', avg: 'AVG(value)', count: 'COUNT(value)', sum: 'SUM(value)' };

function check(query: SeriesQuery): void {
  const { from, to, bucketMs, points, limit } = query;
  for (const [name, n] of Object.entries({ from, to })) if (n !== undefined && !Number.isSafeInteger(n)) throw invalid(`${name} must be a whole number of epoch ms`);
  if (from !== undefined && to !== undefined && from >= to) throw invalid(`from (${from}) must be before to (${to})`);
  if (bucketMs !== undefined && points !== undefined) throw invalid('give bucket or points, not both');
  if (bucketMs !== undefined && !(Number.isSafeInteger(bucketMs) && bucketMs > 0)) throw invalid('bucket must be a positive whole number of ms');
  if (points !== undefined && !(Number.isInteger(points) && points > 0 && points <= MAX_POINTS)) throw invalid(`points must be a whole number from 1 to ${MAX_POINTS}`);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0 && limit <= MAX_LIMIT)) throw invalid(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  if (query.agg?.length === 0) throw invalid('agg needs at least one aggregate');
}

/** Runs `query` over the series of `thingName`'s `measure`; a bad query is an InvalidRequestException. */
export async function querySeries(db: Queryable, thingName: string, measure: string, query: SeriesQuery = {}): Promise<SeriesAnswer> {
  check(query);
  const limit = query.limit ?? 1000;
  const conditions = ['thing_name = ?', 'measure = ?'];
  const params: SqlValue[] = [thingName, measure];
  if (query.from !== undefined) conditions.push('ts >= ?'), params.push(query.from);
  if (query.to !== undefined) conditions.push('ts < ?'), params.push(query.to);
  const where = `FROM telemetry_points WHERE ${conditions.join(' AND ')}`;
  const answer = { thingName, measure };

  if (query.agg === undefined && query.bucketMs === undefined && query.points === undefined) {
    const rows = await db.all<{ ts: number; value: number | null; text: string | null }>(`SELECT ts, value, text ${where} ORDER BY ts LIMIT ?`, [...params, limit + 1]);
    const points = rows.slice(0, limit).map((r) => ({ ts: r.ts, value: measurementOf(r.value, r.text) }));
    return { ...answer, points, ...(rows.length > limit && { nextFrom: points.at(-1)!.ts + 1 }) };
  }

  const agg = query.agg ?? ['avg'];
  const columns = agg.map((a) => `${columnOf[a]} AS agg_${a}`).join(', ');
  const pointOf = (ts: number, row: Record<string, number | null>): AggregatePoint => ({ ts, ...Object.fromEntries(agg.map((a) => [a, row[`agg_${a}`] ?? null])) });

  let bucketMs = query.bucketMs;
  let base = 0; // fixed buckets are aligned to the epoch
  if (query.points !== undefined) {
    const bounds = await db.get<{ first: number | null; last: number | null }>(`SELECT MIN(ts) AS first, MAX(ts) AS last ${where}`, params);
    if (bounds?.first == null) return { ...answer, points: [] };
    base = query.from ?? bounds.first;
    const end = query.to ?? bounds.last! + 1;
    bucketMs = Math.max(1, Math.ceil((end - base) / query.points));
  }
  if (bucketMs === undefined) {
    const row = await db.get<Record<string, number | null>>(`SELECT COUNT(*) AS n, MIN(ts) AS first, ${columns} ${where}`, params);
    return { ...answer, points: row?.n ? [pointOf(query.from ?? row.first!, row)] : [] };
  }
  const rows = await db.all<Record<string, number>>(
    `SELECT CAST((ts - ?) / ? AS BIGINT) AS bucket, ${columns} ${where} GROUP BY bucket ORDER BY bucket LIMIT ?`,
    [base, bucketMs, ...params, limit + 1],
  );
  const points = rows.slice(0, limit).map((r) => pointOf(base + r.bucket! * bucketMs, r));
  return { ...answer, bucketMs, points, ...(rows.length > limit && { nextFrom: points.at(-1)!.ts + bucketMs }) };
}
