/**
 * Detect's violations: each datapoint (a report's value, a window's value) of a thing against a
 * behaviour goes through `datapoint()`, which counts consecutive breaking and non-breaking
 * datapoints and raises or clears the thing's violation of that behaviour. Violations are kept in
 * the store, the active ones and the cleared ones (history), so a restart keeps both; the active
 * ones are also held here, so deciding costs no query. Every change is announced on
 * - `$aws/events/defender/violations/{thing}` (QoS 1): AWS's alarm event, `in-alarm` or `alarm-cleared`;
 * - `$mote/defender/violations` (the cloud's internal bus, for the dashboard): the violation record.
 * Consecutive-datapoint counts live in memory: after a restart a thing starts counting afresh.
 */
import { randomUUID } from 'node:crypto';
import type { MessageBus } from '../bus.js';
import type { Database, SqlValue } from '../store/database.js';
import type { Behavior } from './behaviors.js';

export const VIOLATIONS_TOPIC = '$mote/defender/violations';
export const violationEventTopic = (thing: string) => `$aws/events/defender/violations/${thing}`;

/** A violation as the API lists it and the bus carries it. */
export interface Violation {
  id: string;
  thing: string;
  /** The behaviour's name. */
  behavior: string;
  metric: string;
  /** The datapoint's value that raised it. */
  value: number;
  /** The limit it broke, as people read it: `> 100`, `> p90 (42.5)`. */
  threshold: string;
  state: 'active' | 'cleared';
  /** Epoch ms. */
  startedAt: number;
  clearedAt?: number;
}

interface Row {
  id: string;
  thing_name: string;
  behavior: string;
  metric: string;
  value: number;
  threshold: string;
  state: 'active' | 'cleared';
  definition: string;
  started_at: number;
  cleared_at: number | null;
}

/** Most violations one listing returns, newest first. */
export const MAX_LISTED = 1000;

const toViolation = (r: Row): Violation => ({
  id: r.id, thing: r.thing_name, behavior: r.behavior, metric: r.metric, value: Number(r.value), threshold: r.threshold, state: r.state,
  startedAt: Number(r.started_at), ...(r.cleared_at !== null && { clearedAt: Number(r.cleared_at) }),
});

const keyOf = (thing: string, behaviorName: string) => `${thing}\u0000${behaviorName}`;

export class Violations {
  /** thing + behaviour name -> the active violation and the behaviour as it was when raised. */
  private readonly active = new Map<string, { violation: Violation; definition: Behavior }>();
  /** thing + behaviour name -> consecutive datapoints: > 0 breaking, < 0 within. Absent means 0. */
  private readonly streaks = new Map<string, number>();
  /** Store writes and announcements, one at a time and in the order decided. */
  private writes: Promise<void> = Promise.resolve();
  private bus: MessageBus | undefined;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  /** Loads the active violations from the store (once, at start). */
  async load(): Promise<void> {
    for (const row of await this.db.all<Row>("SELECT * FROM defender_violations WHERE state = 'active'")) {
      this.active.set(keyOf(row.thing_name, row.behavior), { violation: toViolation(row), definition: JSON.parse(row.definition) as Behavior });
    }
  }

  bind(bus: MessageBus): void {
    this.bus = bus;
  }

  /** One datapoint of `thing` against `b`; resolves once any change it caused is stored and announced. */
  datapoint(thing: string, b: Behavior, value: number, breaking: boolean, threshold: string): Promise<void> {
    const key = keyOf(thing, b.name);
    const before = this.streaks.get(key) ?? 0;
    const streak = breaking ? Math.max(before, 0) + 1 : Math.min(before, 0) - 1;
    const open = this.active.get(key);
    if (open === undefined && breaking && streak >= (b.consecutiveDatapointsToAlarm ?? 1)) {
      this.streaks.delete(key);
      const violation: Violation = { id: randomUUID(), thing, behavior: b.name, metric: b.metric, value, threshold, state: 'active', startedAt: this.now() };
      this.active.set(key, { violation, definition: b });
      return this.write(async () => {
        await this.db.run(
          'INSERT INTO defender_violations (id, thing_name, behavior, metric, value, threshold, state, definition, started_at, cleared_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
          [violation.id, thing, b.name, b.metric, value, threshold, 'active', JSON.stringify(b), violation.startedAt],
        );
        await this.announce(violation, b, 'in-alarm', value);
      });
    }
    if (open !== undefined && !breaking && -streak >= (b.consecutiveDatapointsToClear ?? 1)) {
      this.streaks.delete(key);
      return this.clear(key, open, value);
    }
    // Only things on their way into or out of an alarm are remembered.
    if (open === undefined && streak < 0) this.streaks.delete(key);
    else this.streaks.set(key, Math.max(-10, Math.min(10, streak)));
    return Promise.resolve();
  }

  /**
   * The behaviours changed: a violation whose behaviour was removed or changed is cleared (on the
   * dashboard's topic only: no device went back within anything).
   */
  retire(previous: readonly Behavior[], current: readonly Behavior[]): Promise<void> {
    const kept = new Map(current.map((b) => [b.name, JSON.stringify(b)]));
    const changed = new Set(previous.filter((b) => kept.get(b.name) !== JSON.stringify(b)).map((b) => b.name));
    // A changed behaviour counts its datapoints afresh.
    for (const key of [...this.streaks.keys()]) if (changed.has(key.split('\u0000')[1]!)) this.streaks.delete(key);
    return this.clearWhere((open) => kept.get(open.definition.name) !== JSON.stringify(open.definition));
  }

  /** Clears, on the dashboard's topic only, the violations of things no longer registered. */
  forgetThingsOtherThan(registered: ReadonlySet<string>): Promise<void> {
    return this.clearWhere((open) => !registered.has(open.violation.thing));
  }

  /** Active violations and history, newest first (then by thing and behaviour), up to MAX_LISTED. */
  async list(filter: { state?: 'active' | 'cleared'; thing?: string } = {}): Promise<Violation[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.state !== undefined) where.push('state = ?'), params.push(filter.state);
    if (filter.thing !== undefined) where.push('thing_name = ?'), params.push(filter.thing);
    const rows = await this.db.all<Row>(
      `SELECT * FROM defender_violations${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, thing_name, behavior LIMIT ${MAX_LISTED}`,
      params,
    );
    return rows.map(toViolation);
  }

  private clearWhere(test: (open: { violation: Violation; definition: Behavior }) => boolean): Promise<void> {
    const done: Promise<void>[] = [];
    for (const [key, open] of this.active) if (test(open)) done.push(this.clear(key, open, undefined));
    return Promise.all(done).then(() => undefined);
  }

  /** `metricValue`: the datapoint that cleared it; undefined when its behaviour or its thing went away. */
  private clear(key: string, open: { violation: Violation; definition: Behavior }, metricValue: number | undefined): Promise<void> {
    this.active.delete(key);
    const cleared: Violation = { ...open.violation, state: 'cleared', clearedAt: this.now() };
    return this.write(async () => {
      await this.db.run("UPDATE defender_violations SET state = 'cleared', cleared_at = ? WHERE id = ?", [cleared.clearedAt!, cleared.id]);
      if (metricValue === undefined) await this.out.publish(VIOLATIONS_TOPIC, JSON.stringify(cleared));
      else await this.announce(cleared, open.definition, 'alarm-cleared', metricValue);
    });
  }

  private announce(v: Violation, b: Behavior, violationEventType: 'in-alarm' | 'alarm-cleared', metricValue: number): Promise<void> {
    const event = { violationEventType, violationId: v.id, thingName: v.thing, behavior: b, metricValue: { count: metricValue }, violationEventTime: this.now() };
    return Promise.all([
      this.out.publish(violationEventTopic(v.thing), JSON.stringify(event), { qos: 1 }),
      this.out.publish(VIOLATIONS_TOPIC, JSON.stringify(v)),
    ]).then(() => undefined);
  }

  private write(work: () => Promise<void>): Promise<void> {
    const done = this.writes.then(work);
    this.writes = done.catch(() => undefined);
    return done;
  }

  private get out(): MessageBus {
    if (this.bus === undefined) throw new Error('Violations: bind() it to the bus first');
    return this.bus;
  }
}
