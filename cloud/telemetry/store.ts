/**
 * Telemetry kept in the store: every batch a device publishes on `things/{thing}/telemetry`
 * (the SDK's default topic, sdk/telemetry/format.ts documents the batch) is checked, stored as
 * one row of the `telemetry` table (its payload as JSON text, whether it came as JSON or CBOR)
 * and, in the same transaction, as one time-series point per measurement (points.ts, queried by
 * series.ts), then announced to listeners (the dashboard's live feed). The batch row is the
 * record as received (seq, gaps, entries whole) that `entries()` reads back; points are what
 * range and aggregate queries read. A QoS 1 batch delivered twice (same
 * `seq` and entries as the thing's last batch) is stored once. A payload that is not a batch is
 * reported through `onError` with what is wrong, and nothing is stored.
 */
import { isDeepStrictEqual } from 'node:util';
import { decodeBatch, type TelemetryBatch, type TelemetryEntry } from '../../sdk/telemetry/format.js';
import type { MessageBus, Origin } from '../bus.js';
import type { Database } from '../store/database.js';
import { writePoints } from './points.js';

/** The topic filter telemetry batches arrive on. */
export const TELEMETRY_TOPIC = 'things/+/telemetry';

export interface StoredBatch extends TelemetryBatch {
  thingName: string;
  /** Epoch ms when the cloud received it. */
  receivedAt: number;
}

export interface TelemetryQuery {
  /** Only entries with `ts` after this (epoch ms). */
  since?: number;
  /** The most recent entries, at most this many (default 500). */
  limit?: number;
}

type Listener = (batch: StoredBatch) => void;

const thingOf = (topic: string) => topic.split('/')[1]!;

interface Pending {
  stored: StoredBatch;
  topic: string;
  clientId: string | null;
}

export class TelemetryStore {
  private readonly listeners = new Set<Listener>();
  /** Each thing's last batch taken for storing, to drop QoS 1 duplicates. */
  private readonly last = new Map<string, TelemetryBatch>();
  /** Batches waiting for the commit in progress; they share the next one (group commit). */
  private collecting: Pending[] = [];
  /** The commit of `collecting`, once one is waiting to start. */
  private nextCommit: Promise<void> | undefined;
  /** The latest commit; commits run one after another, so batches are stored in arrival order. */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Database) {}

  /** Stores every batch published on the bus from now on. */
  bind(bus: MessageBus, onError: (error: Error) => void): void {
    bus.subscribe(TELEMETRY_TOPIC, (topic, payload, origin) => void this.receive(topic, payload, origin).catch(onError));
  }

  /** Calls `listener` with each batch once it is stored; returns the call that stops it. */
  onStored(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Checks and stores one published batch, resolving once it is committed; throws an Error
   * naming the thing and the problem. Batches arriving while a commit is in progress are
   * committed together in the next transaction: one disk sync for many batches.
   */
  async receive(topic: string, payload: Uint8Array, origin?: Origin, at = Date.now()): Promise<StoredBatch | undefined> {
    const thingName = thingOf(topic);
    let batch: TelemetryBatch;
    try {
      // JSON documents start with '{'; a CBOR map's first byte is 0xa0-0xbf.
      batch = decodeBatch(payload[0] === 0x7b ? 'json' : 'cbor', payload);
    } catch (error) {
      throw new Error(`telemetry from ${thingName} not stored: ${(error as Error).message}`);
    }
    const previous = this.last.get(thingName);
    if (previous && previous.seq === batch.seq && isDeepStrictEqual(previous.entries, batch.entries)) return undefined;
    const document = { seq: batch.seq, dropped: batch.dropped, entries: batch.entries };
    this.last.set(thingName, document);
    const stored = { thingName, receivedAt: at, ...document };
    await this.enqueue({ stored, topic, clientId: origin?.clientId ?? null });
    return stored;
  }

  private enqueue(pending: Pending): Promise<void> {
    this.collecting.push(pending);
    if (this.nextCommit === undefined) {
      // Start after the event loop's I/O phase, so batches read from the network meanwhile join.
      this.nextCommit = this.writing.then(() => new Promise((resolve) => setImmediate(resolve))).then(() => {
        const group = this.collecting;
        this.collecting = [];
        this.nextCommit = undefined;
        return this.commit(group);
      });
      this.writing = this.nextCommit.catch(() => undefined);
    }
    return this.nextCommit;
  }

  private async commit(group: Pending[]): Promise<void> {
    try {
      await this.db.transaction(async (tx) => {
        for (const { stored, topic, clientId } of group) {
          const document = { seq: stored.seq, dropped: stored.dropped, entries: stored.entries };
          await tx.run('INSERT INTO telemetry (topic, client_id, thing_name, received_at, payload) VALUES (?, ?, ?, ?, ?)', [
            topic, clientId, stored.thingName, stored.receivedAt, JSON.stringify(document),
          ]);
          await writePoints(tx, stored.thingName, stored.entries);
        }
      });
    } catch (error) {
      // Not stored: a copy delivered again must not be taken for a duplicate.
      for (const { stored } of group) if (this.last.get(stored.thingName)?.entries === stored.entries) this.last.delete(stored.thingName);
      throw error;
    }
    for (const { stored } of group) for (const listener of this.listeners) listener(stored);
  }

  /** The thing's most recent entries, oldest first. */
  async entries(thingName: string, query: TelemetryQuery = {}): Promise<TelemetryEntry[]> {
    const limit = query.limit ?? 500;
    const since = query.since ?? Number.NEGATIVE_INFINITY;
    const entries: TelemetryEntry[] = [];
    // Newest batches first, until enough entries are found; a batch holds at most a few dozen.
    const rows = await this.db.all<{ payload: string }>('SELECT payload FROM telemetry WHERE thing_name = ? ORDER BY received_at DESC, id DESC LIMIT ?', [thingName, limit]);
    for (const row of rows) {
      const batch = JSON.parse(row.payload) as TelemetryBatch;
      for (let i = batch.entries.length - 1; i >= 0 && entries.length < limit; i--) {
        const entry = batch.entries[i]!;
        if (entry.ts > since) entries.push(entry);
      }
      if (entries.length >= limit) break;
    }
    return entries.sort((a, b) => a.ts - b.ts);
  }
}
