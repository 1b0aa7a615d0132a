/**
 * Telemetry retention: how long points and batches are kept, globally and per thing (a thing's
 * own limit wins over the global one), kept in `telemetry_retention` so every cloud process on
 * the store applies the same limits. `run()` deletes what is older than its limit: points by
 * their time (`ts`, the device's clock), batches by when the cloud received them. It runs
 * periodically (`every`) and on demand (the HTTP API).
 *
 * Points are deleted one series at a time in slices of at most `SLICE` rows, each a key-range
 * delete, so a big purge never holds the store (SQLite's single connection) for long.
 */
import type { Database } from '../store/database.js';

/** The `scope` of the global limit: not a valid thing name. */
const GLOBAL = '*';
const SLICE = 10_000;

export interface RetentionLimits {
  /** Global limit in ms, if any. */
  maxAgeMs?: number;
  /** Limits of single things. */
  things: Record<string, number>;
}

export interface RetentionRun {
  deletedPoints: number;
  deletedBatches: number;
}

export class TelemetryRetention {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  async limits(): Promise<RetentionLimits> {
    const rows = await this.db.all<{ scope: string; max_age_ms: number }>('SELECT scope, max_age_ms FROM telemetry_retention ORDER BY scope');
    const global = rows.find((r) => r.scope === GLOBAL);
    return {
      ...(global && { maxAgeMs: global.max_age_ms }),
      things: Object.fromEntries(rows.filter((r) => r.scope !== GLOBAL).map((r) => [r.scope, r.max_age_ms])),
    };
  }

  /** Sets (a number of ms) or removes (undefined) the limit of `thingName`, or the global one. */
  async setLimit(maxAgeMs: number | undefined, thingName?: string): Promise<void> {
    const scope = thingName ?? GLOBAL;
    if (maxAgeMs === undefined) {
      await this.db.run('DELETE FROM telemetry_retention WHERE scope = ?', [scope]);
      return;
    }
    if (!(Number.isSafeInteger(maxAgeMs) && maxAgeMs > 0)) throw new RangeError(`a retention limit is a positive whole number of ms, not ${maxAgeMs}`);
    await this.db.run('INSERT INTO telemetry_retention (scope, max_age_ms) VALUES (?, ?) ON CONFLICT (scope) DO UPDATE SET max_age_ms = excluded.max_age_ms', [scope, maxAgeMs]);
  }

  /** Deletes every point and batch older than its limit; says how many. */
  async run(): Promise<RetentionRun> {
    const { maxAgeMs, things } = await this.limits();
    const now = this.now();
    const cutoffOf = (thingName: string): number | undefined => {
      const limit = things[thingName] ?? maxAgeMs;
      return limit === undefined ? undefined : now - limit;
    };
    let deletedPoints = 0;
    for (const { thing_name: thing, measure } of await this.db.all<{ thing_name: string; measure: string }>('SELECT thing_name, measure FROM telemetry_series')) {
      const cutoff = cutoffOf(thing);
      if (cutoff !== undefined) deletedPoints += await this.purgeSeries(thing, measure, cutoff);
    }
    let deletedBatches = 0;
    for (const [thingName, limit] of Object.entries(things)) {
      deletedBatches += (await this.db.run('DELETE FROM telemetry WHERE thing_name = ? AND received_at < ?', [thingName, now - limit])).changes;
    }
    if (maxAgeMs !== undefined) {
      const own = Object.keys(things);
      const others = own.length === 0 ? '' : ` AND (thing_name IS NULL OR thing_name NOT IN (${own.map(() => '?').join(', ')}))`;
      deletedBatches += (await this.db.run(`DELETE FROM telemetry WHERE received_at < ?${others}`, [now - maxAgeMs, ...own])).changes;
    }
    return { deletedPoints, deletedBatches };
  }

  /** Runs retention now and then every `intervalMs`; failures go to `onError`. Returns the call that stops it (after a run in progress). */
  every(intervalMs: number, onError: (error: Error) => void): () => Promise<void> {
    let running: Promise<unknown> = Promise.resolve();
    const tick = () => {
      running = running.then(() => this.run()).catch((error: Error) => onError(new Error(`telemetry retention: ${error.message}`)));
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  }

  private async purgeSeries(thing: string, measure: string, cutoff: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      // The SLICE-th oldest expired point, if there are that many: delete up to it, then look again.
      const edge = await this.db.get<{ ts: number }>(
        'SELECT ts FROM telemetry_points WHERE thing_name = ? AND measure = ? AND ts < ? ORDER BY ts LIMIT 1 OFFSET ?',
        [thing, measure, cutoff, SLICE - 1],
      );
      const bound = edge === undefined ? 'ts < ?' : 'ts <= ?';
      deleted += (await this.db.run(`DELETE FROM telemetry_points WHERE thing_name = ? AND measure = ? AND ${bound}`, [thing, measure, edge?.ts ?? cutoff])).changes;
      if (edge === undefined) return deleted;
    }
  }
}
