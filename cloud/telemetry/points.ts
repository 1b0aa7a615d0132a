/**
 * Telemetry as time series: each measurement of each entry is one point `(thing, measure, ts,
 * value)` in `telemetry_points` (migration 6). Numbers are kept in `value`, strings in `text`,
 * booleans in both (1/0 and 'true'/'false'), so aggregates see numbers and booleans and reads
 * give back each point's own type. A point at a time the series already has replaces it, as a
 * time-series store upserts on (series, time): a QoS 1 batch stored twice leaves one copy.
 */
import type { Measurement, TelemetryEntry } from '../../sdk/telemetry/format.js';
import type { Queryable, SqlValue } from '../store/database.js';

/** Rows per INSERT: few statements for a big batch, well under PostgreSQL's 65535 parameters. */
const ROWS_PER_INSERT = 100;

const insertSql = (rows: number) =>
  `INSERT INTO telemetry_points (thing_name, measure, ts, value, text) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?)').join(', ')}
   ON CONFLICT (thing_name, measure, ts) DO UPDATE SET value = excluded.value, text = excluded.text`;

/** A measurement's `[value, text]` columns. */
export function columnsOf(measurement: Measurement): [number | null, string | null] {
  if (typeof measurement === 'number') return [measurement, null];
  if (typeof measurement === 'boolean') return [measurement ? 1 : 0, String(measurement)];
  return [null, measurement];
}

/** The measurement stored as `[value, text]`. */
export function measurementOf(value: number | null, text: string | null): Measurement {
  if (text === null) return value!;
  if (value === null) return text;
  return text === 'true';
}

/** Writes the entries' points (within the caller's transaction, with the batch they came in). */
export async function writePoints(tx: Queryable, thingName: string, entries: readonly TelemetryEntry[]): Promise<void> {
  // Later entries win over earlier ones at the same time, as they would one statement at a time;
  // one INSERT may not name a row twice on PostgreSQL.
  const points = new Map<string, SqlValue[]>();
  const measures = new Set<string>();
  for (const { ts, m } of entries) {
    for (const [measure, measurement] of Object.entries(m)) {
      points.set(`${ts}\u0000${measure}`, [thingName, measure, ts, ...columnsOf(measurement)]);
      measures.add(measure);
    }
  }
  const rows = [...points.values()];
  for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
    const chunk = rows.slice(at, at + ROWS_PER_INSERT);
    await tx.run(insertSql(chunk.length), chunk.flat());
  }
  for (const measure of measures) {
    await tx.run('INSERT INTO telemetry_series (thing_name, measure) VALUES (?, ?) ON CONFLICT (thing_name, measure) DO NOTHING', [thingName, measure]);
  }
}
