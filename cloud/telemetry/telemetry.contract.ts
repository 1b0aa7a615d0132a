/**
 * Telemetry as time series on a store: points written from batches (JSON and CBOR), range and
 * aggregate queries, buckets, downsampling and retention. sqlite.test.ts and postgres.test.ts
 * run it; `open` returns a fresh, migrated, empty database.
 */
import { describe, expect, it } from 'vitest';
import { encodeBatch, encodeEntry, type TelemetryEntry } from '../../sdk/telemetry/format.js';
import { CloudError } from '../errors.js';
import type { Database } from '../store/database.js';
import { writePoints } from './points.js';
import { TelemetryRetention } from './retention.js';
import { querySeries } from './series.js';
import { TelemetryStore } from './store.js';

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z, a whole day since the epoch
const json = (seq: number, entries: TelemetryEntry[]) => encodeBatch('json', seq, 0, entries.map((e) => encodeEntry('json', e.ts, e.m)));
const cbor = (seq: number, entries: TelemetryEntry[]) => encodeBatch('cbor', seq, 0, entries.map((e) => encodeEntry('cbor', e.ts, e.m)));

/** `n` entries of `measure`, one every `stepMs` from `start`, the i-th valued `value(i)`. */
const series = (measure: string, n: number, stepMs: number, value: (i: number) => number, start = T0): TelemetryEntry[] =>
  Array.from({ length: n }, (_, i) => ({ ts: start + i * stepMs, m: { [measure]: value(i) } }));

async function refusal(work: Promise<unknown>): Promise<string> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CloudError);
  expect((error as CloudError).status).toBe(400);
  return (error as Error).message;
}

export function telemetryContract(open: () => Promise<Database>): void {
  describe('telemetry time series', () => {
    it('stores each measurement of JSON and CBOR batches as a point of its type; the same time again replaces it', async () => {
      const db = await open();
      const store = new TelemetryStore(db);
      await store.receive('things/lamp-1/telemetry', json(0, [{ ts: T0, m: { temp: 21.5, door: 'open', on: true } }, { ts: T0 + 1000, m: { temp: 22 } }]));
      await store.receive('things/lamp-1/telemetry', cbor(1, [{ ts: T0 + 2000, m: { temp: -3, on: false } }, { ts: T0 + 1000, m: { temp: 23.25 } }]));
      await store.receive('things/lamp-2/telemetry', json(0, [{ ts: T0, m: { temp: 99 } }]));
      expect((await querySeries(db, 'lamp-1', 'temp')).points).toEqual([{ ts: T0, value: 21.5 }, { ts: T0 + 1000, value: 23.25 }, { ts: T0 + 2000, value: -3 }]);
      expect((await querySeries(db, 'lamp-1', 'door')).points).toEqual([{ ts: T0, value: 'open' }]);
      expect((await querySeries(db, 'lamp-1', 'on')).points).toEqual([{ ts: T0, value: true }, { ts: T0 + 2000, value: false }]);
      expect((await querySeries(db, 'lamp-1', 'missing')).points).toEqual([]);
      // The batch log still answers entries as they came.
      expect(await store.entries('lamp-1')).toHaveLength(4);
      await db.close();
    });

    it('writes nothing, batch nor points, when a batch is refused', async () => {
      const db = await open();
      const store = new TelemetryStore(db);
      await expect(store.receive('things/lamp-1/telemetry', Buffer.from('{"seq":0,"dropped":0,"entries":[{"ts":1,"m":{}}]}'))).rejects.toThrow(/entries\[0\]/);
      expect(await db.get('SELECT COUNT(*) AS n FROM telemetry_points')).toEqual({ n: 0 });
      expect(await db.get('SELECT COUNT(*) AS n FROM telemetry')).toEqual({ n: 0 });
      await db.close();
    });

    it('commits batches arriving together in one transaction, in arrival order; a failed commit stores nothing and is not taken for a duplicate later', async () => {
      const db = await open();
      let transactions = 0;
      const counting: Database = { ...db, transaction: (work) => (transactions++, db.transaction(work)) };
      const store = new TelemetryStore(counting);
      const order: number[] = [];
      store.onStored((batch) => order.push(batch.seq));
      const batches = Array.from({ length: 20 }, (_, i) => store.receive(`things/lamp-${i % 3}/telemetry`, json(i, [{ ts: T0 + i, m: { n: i } }])));
      expect((await Promise.all(batches)).map((b) => b?.seq)).toEqual([...Array(20).keys()]);
      expect(order).toEqual([...Array(20).keys()]);
      expect(transactions).toBe(1); // all arrived before the commit started
      expect(await db.get('SELECT COUNT(*) AS n FROM telemetry_points')).toEqual({ n: 20 });

      let fail = true;
      const failing: Database = { ...db, transaction: (work) => (fail ? Promise.reject(new Error('disk full')) : db.transaction(work)) };
      const flaky = new TelemetryStore(failing);
      const batch = json(0, [{ ts: T0, m: { n: 1 } }]);
      await expect(flaky.receive('things/lamp-9/telemetry', batch)).rejects.toThrow('disk full');
      fail = false;
      expect(await flaky.receive('things/lamp-9/telemetry', batch)).toMatchObject({ thingName: 'lamp-9', seq: 0 });
      expect(await flaky.receive('things/lamp-9/telemetry', batch)).toBeUndefined(); // now a duplicate
      expect((await querySeries(db, 'lamp-9', 'n')).points).toEqual([{ ts: T0, value: 1 }]);
      await db.close();
    });

    it('reads a range, from inclusive and to exclusive, in pages of limit points', async () => {
      const db = await open();
      await db.transaction((tx) => writePoints(tx, 'lamp-1', series('temp', 10, 1000, (i) => i)));
      const range = await querySeries(db, 'lamp-1', 'temp', { from: T0 + 2000, to: T0 + 5000 });
      expect(range.points).toEqual([{ ts: T0 + 2000, value: 2 }, { ts: T0 + 3000, value: 3 }, { ts: T0 + 4000, value: 4 }]);
      expect(range.nextFrom).toBeUndefined();
      const first = await querySeries(db, 'lamp-1', 'temp', { limit: 4 });
      expect(first.points.map((p) => p.ts)).toEqual([0, 1, 2, 3].map((i) => T0 + i * 1000));
      expect(first.nextFrom).toBe(T0 + 3001);
      const rest = await querySeries(db, 'lamp-1', 'temp', { from: first.nextFrom!, limit: 6 });
      expect(rest.points.map((p) => (p as { value: number }).value)).toEqual([4, 5, 6, 7, 8, 9]);
      expect(rest.nextFrom).toBeUndefined();
      await db.close();
    });

    it('aggregates a range: min, max, avg, count and sum over numbers and booleans, not strings', async () => {
      const db = await open();
      await db.transaction((tx) => writePoints(tx, 'lamp-1', [
        ...series('temp', 5, 1000, (i) => [4, -2, 10, 7, 1][i]!),
        { ts: T0 + 500, m: { temp: 'sensor error' } },
        ...series('on', 4, 1000, (i) => i % 2).map((e) => ({ ts: e.ts, m: { on: e.m.on === 1 } })),
      ]));
      const all = await querySeries(db, 'lamp-1', 'temp', { agg: ['min', 'max', 'avg', 'count', 'sum'] });
      expect(all.points).toEqual([{ ts: T0, min: -2, max: 10, avg: 4, count: 5, sum: 20 }]);
      const part = await querySeries(db, 'lamp-1', 'temp', { from: T0 + 1000, to: T0 + 3000, agg: ['max', 'count'] });
      expect(part.points).toEqual([{ ts: T0 + 1000, max: 10, count: 2 }]);
      expect((await querySeries(db, 'lamp-1', 'on', { agg: ['avg', 'count'] })).points).toEqual([{ ts: T0, avg: 0.5, count: 4 }]);
      expect((await querySeries(db, 'lamp-1', 'temp', { from: T0 + 60_000, agg: ['count'] })).points).toEqual([]);
      await db.close();
    });

    it('aggregates per bucket aligned to the epoch, leaving out empty buckets, in pages', async () => {
      const db = await open();
      // Every 10 s from 00:00:30 to 00:03:20, then one point at 00:10:00.
      await db.transaction((tx) => writePoints(tx, 'lamp-1', [...series('temp', 18, 10_000, (i) => i, T0 + 30_000), { ts: T0 + 600_000, m: { temp: 100 } }]));
      const answer = await querySeries(db, 'lamp-1', 'temp', { bucketMs: 60_000, agg: ['count', 'min', 'max', 'avg'] });
      expect(answer.bucketMs).toBe(60_000);
      expect(answer.points).toEqual([
        { ts: T0, count: 3, min: 0, max: 2, avg: 1 },
        { ts: T0 + 60_000, count: 6, min: 3, max: 8, avg: 5.5 },
        { ts: T0 + 120_000, count: 6, min: 9, max: 14, avg: 11.5 },
        { ts: T0 + 180_000, count: 3, min: 15, max: 17, avg: 16 },
        { ts: T0 + 600_000, count: 1, min: 100, max: 100, avg: 100 },
      ]);
      const page = await querySeries(db, 'lamp-1', 'temp', { bucketMs: 60_000, limit: 2 });
      expect(page.points).toEqual([{ ts: T0, avg: 1 }, { ts: T0 + 60_000, avg: 5.5 }]);
      expect(page.nextFrom).toBe(T0 + 120_000);
      const next = await querySeries(db, 'lamp-1', 'temp', { from: page.nextFrom!, bucketMs: 60_000, agg: ['sum'] });
      expect(next.points.map((p) => p.ts)).toEqual([T0 + 120_000, T0 + 180_000, T0 + 600_000]);
      await db.close();
    });

    it('downsamples a range to at most N equal buckets', async () => {
      const db = await open();
      await db.transaction((tx) => writePoints(tx, 'lamp-1', series('temp', 1000, 1000, (i) => i)));
      const ten = await querySeries(db, 'lamp-1', 'temp', { from: T0, to: T0 + 1_000_000, points: 10, agg: ['count', 'avg'] });
      expect(ten.bucketMs).toBe(100_000);
      expect(ten.points).toHaveLength(10);
      expect(ten.points[0]).toEqual({ ts: T0, count: 100, avg: 49.5 });
      expect(ten.points[9]).toEqual({ ts: T0 + 900_000, count: 100, avg: 949.5 });
      // Without a range, the buckets span the first point to the last.
      const spanned = await querySeries(db, 'lamp-1', 'temp', { points: 7, agg: ['count'] });
      expect(spanned.bucketMs).toBe(Math.ceil(999_001 / 7));
      expect(spanned.points).toHaveLength(7);
      expect(spanned.points.reduce((n, p) => n + (p as { count: number }).count, 0)).toBe(1000);
      const ranged = await querySeries(db, 'lamp-1', 'temp', { from: T0 + 100_000, to: T0 + 400_000, points: 3, agg: ['min', 'max'] });
      expect(ranged.points).toEqual([{ ts: T0 + 100_000, min: 100, max: 199 }, { ts: T0 + 200_000, min: 200, max: 299 }, { ts: T0 + 300_000, min: 300, max: 399 }]);
      expect((await querySeries(db, 'lamp-1', 'humidity', { points: 10 })).points).toEqual([]);
      await db.close();
    });

    it('refuses bad queries with the reason', async () => {
      const db = await open();
      expect(await refusal(querySeries(db, 'lamp-1', 'temp', { from: 10, to: 10 }))).toBe('from (10) must be before to (10)');
      expect(await refusal(querySeries(db, 'lamp-1', 'temp', { bucketMs: 1000, points: 5 }))).toMatch(/bucket or points/);
      expect(await refusal(querySeries(db, 'lamp-1', 'temp', { points: 0 }))).toMatch(/points must be/);
      expect(await refusal(querySeries(db, 'lamp-1', 'temp', { limit: 10_001 }))).toMatch(/limit must be/);
      expect(await refusal(querySeries(db, 'lamp-1', 'temp', { agg: [] }))).toMatch(/at least one/);
      await db.close();
    });

    it('deletes points and batches older than the per-thing or global limit, in slices, and keeps the rest', async () => {
      const db = await open();
      let now = T0 + 30_000;
      const store = new TelemetryStore(db);
      const retention = new TelemetryRetention(db, () => now);
      // 25,000 old points (more than two slices) and a batch received at T0 for lamp-1.
      await db.transaction((tx) => writePoints(tx, 'lamp-1', series('temp', 25_000, 1, (i) => i)));
      await store.receive('things/lamp-1/telemetry', json(0, [{ ts: T0 + 29_000, m: { temp: 1, hum: 40 } }]), undefined, T0);
      await store.receive('things/lamp-2/telemetry', json(0, [{ ts: T0, m: { temp: 1 } }, { ts: T0 + 20_000, m: { temp: 2 } }]), undefined, T0);
      await store.receive('things/lamp-3/telemetry', json(0, [{ ts: T0, m: { temp: 1 } }]), undefined, T0 + 25_000);

      expect(await retention.run()).toEqual({ deletedPoints: 0, deletedBatches: 0 }); // no limits yet
      await retention.setLimit(20_000);
      await retention.setLimit(5_000, 'lamp-1');
      expect(await retention.limits()).toEqual({ maxAgeMs: 20_000, things: { 'lamp-1': 5_000 } });
      // lamp-1: everything before T0 + 25,000 (its 25,000 points); lamp-2 and lamp-3: before T0 + 10,000.
      expect(await retention.run()).toEqual({ deletedPoints: 25_000 + 1 + 1, deletedBatches: 2 });
      expect((await querySeries(db, 'lamp-1', 'temp')).points).toEqual([{ ts: T0 + 29_000, value: 1 }]);
      expect((await querySeries(db, 'lamp-1', 'hum')).points).toEqual([{ ts: T0 + 29_000, value: 40 }]);
      expect((await querySeries(db, 'lamp-2', 'temp')).points).toEqual([{ ts: T0 + 20_000, value: 2 }]);
      expect((await querySeries(db, 'lamp-3', 'temp')).points).toEqual([]);
      expect(await db.all('SELECT thing_name FROM telemetry ORDER BY thing_name')).toEqual([{ thing_name: 'lamp-3' }]);

      await retention.setLimit(undefined, 'lamp-1');
      now += 100_000;
      expect(await retention.run()).toEqual({ deletedPoints: 3, deletedBatches: 1 });
      expect(await retention.limits()).toEqual({ maxAgeMs: 20_000, things: {} });
      await expect(retention.setLimit(0)).rejects.toThrow(RangeError);
      await db.close();
    });

    it('runs retention at once and then every interval until stopped, reporting failures', async () => {
      const db = await open();
      const retention = new TelemetryRetention(db, () => T0 + 10_000);
      await retention.setLimit(1000);
      await db.transaction((tx) => writePoints(tx, 'lamp-1', series('temp', 3, 1, (i) => i)));
      const errors: Error[] = [];
      const stop = retention.every(20, (e) => errors.push(e));
      await expect.poll(async () => (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM telemetry_points'))!.n).toBe(0);
      await db.transaction((tx) => writePoints(tx, 'lamp-1', series('temp', 2, 1, (i) => i)));
      await expect.poll(async () => (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM telemetry_points'))!.n).toBe(0); // the next tick
      await stop();
      await db.transaction((tx) => writePoints(tx, 'lamp-1', series('temp', 1, 1, (i) => i)));
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(await db.get('SELECT COUNT(*) AS n FROM telemetry_points')).toEqual({ n: 1 }); // stopped
      expect(errors).toEqual([]);
      await db.close();
    });
  });
}
