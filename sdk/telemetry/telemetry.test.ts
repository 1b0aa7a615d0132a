import { Decoder } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { Kernel, VirtualClock } from '../../firmware/kernel/index.js';
import { createDevice, engineTimer, type SimDevice } from '../../firmware/hal/sim/index.js';
import type { Done, MqttConnection, Payload, PublishOptions } from '../mqtt/connection.js';
import { connectionPair, type TestRouter } from '../testing/router.js';
import { utf8Decode } from '../bytes.js';
import { decodeBatch, flush, Telemetry, type TelemetryBatch, type TelemetryOptions } from './index.js';

/** cbor-x would give a BigInt for an 8-byte integer head (every epoch-ms ts) unless told otherwise. */
const cborxOptions = { int64AsNumber: true, mapsAsObjects: true }; // int64AsNumber is missing from cbor-x's types
const cborx = new Decoder(cborxOptions);

/** Lets queued deliveries and acknowledgements (microtasks) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

interface Setup {
  device: SimDevice;
  router: TestRouter;
  connection: MqttConnection & { connected: boolean };
  telemetry: Telemetry;
  /** Batches received by a subscriber on the telemetry topic, decoded. */
  batches: TelemetryBatch[];
  raw: Uint8Array[];
  qos: number[];
}

async function setup(options: Partial<TelemetryOptions> = {}): Promise<Setup> {
  const device = createDevice();
  const { router, device: connection, service } = connectionPair('sensor-1', 'store');
  const batches: TelemetryBatch[] = [];
  const raw: Uint8Array[] = [];
  const qos: number[] = [];
  service.subscribe('things/+/telemetry', (m) => {
    raw.push(m.payload);
    qos.push(m.qos);
    batches.push(decodeBatch(options.format || 'json', m.payload));
  });
  await settle();
  const telemetry = new Telemetry(connection, { thingName: 'sensor-1', timer: engineTimer, clock: () => 1_700_000_000_000 + device.time.now, ...options });
  return { device, router, connection, telemetry, batches, raw, qos };
}

/** Runs simulated time to `ms`, letting deliveries happen. */
async function at(s: Setup, ms: number): Promise<void> {
  s.device.time.runUntil(ms);
  await settle();
}

describe('telemetry batches', () => {
  it('publishes a full batch at once, as JSON byte for byte, QoS 1 to things/{thing}/telemetry', async () => {
    const s = await setup({ maxEntries: 3 });
    s.telemetry.record({ temp: 21.5 });
    s.telemetry.record({ temp: 21.75, door: 'open' }, 1_700_000_000_500);
    expect(s.router.log).toHaveLength(0);
    s.telemetry.record({ ok: true, hum: -4 });
    await settle();
    expect(s.router.log.map((m) => m.topic)).toEqual(['things/sensor-1/telemetry']);
    expect(utf8Decode(s.raw[0]!)).toBe(
      '{"seq":0,"dropped":0,"entries":[{"ts":1700000000000,"m":{"temp":21.5}},{"ts":1700000000500,"m":{"temp":21.75,"door":"open"}},{"ts":1700000000000,"m":{"ok":true,"hum":-4}}]}',
    );
    expect(s.qos).toEqual([1]);
    expect(s.telemetry.stats).toEqual({ recorded: 3, sent: 3, dropped: 0, batches: 1, failures: 0 });
    expect(s.telemetry.buffered).toBe(0);
  });

  it('CBOR batches decode with cbor-x to the same document', async () => {
    const s = await setup({ format: 'cbor', maxEntries: 2, topic: 'dt/sensor-1/telemetry' });
    // The subscriber above listens on things/+/telemetry; follow the custom topic too.
    const seen: unknown[] = [];
    s.router.connect('reader').subscribe('dt/+/telemetry', (m) => seen.push(cborx.decode(m.payload)));
    await settle();
    s.telemetry.record({ temp: 21.5, label: 'north' });
    s.telemetry.record({ temp: 1e-7, n: 100000 }, 42);
    await settle();
    expect(seen).toEqual([{ seq: 0, dropped: 0, entries: [{ ts: 1_700_000_000_000, m: { temp: 21.5, label: 'north' } }, { ts: 42, m: { temp: 1e-7, n: 100000 } }] }]);
    expect(decodeBatch('cbor', s.router.log[0]!.payload)).toEqual(seen[0]);
  });

  it('publishes what waits after maxDelayMs, not before', async () => {
    const s = await setup({ maxDelayMs: 5000 });
    await at(s, 1000);
    s.telemetry.record({ temp: 20 });
    await at(s, 3000);
    s.telemetry.record({ temp: 21 });
    await at(s, 5999);
    expect(s.batches).toHaveLength(0);
    await at(s, 6000);
    expect(s.batches.map((b) => b.entries.map((e) => e.m.temp))).toEqual([[20, 21]]);
    // The next entry starts a new window.
    await at(s, 7000);
    s.telemetry.record({ temp: 22 });
    await at(s, 11999);
    expect(s.batches).toHaveLength(1);
    await at(s, 12000);
    expect(s.batches.map((b) => b.seq)).toEqual([0, 1]);
  });

  it('keeps every payload within maxBytes, entries in order, sequence numbers consecutive', async () => {
    const s = await setup({ maxBytes: 300, maxEntries: 50, maxBuffered: 400 });
    for (let i = 0; i < 100; i++) s.telemetry.record({ i, name: 'x'.repeat(i % 17) });
    s.telemetry.flush();
    await settle();
    await settle();
    expect(s.raw.every((p) => p.length <= 300)).toBe(true);
    expect(s.raw.some((p) => p.length > 250)).toBe(true);
    expect(s.batches.map((b) => b.seq)).toEqual(s.batches.map((_, i) => i));
    expect(s.batches.flatMap((b) => b.entries.map((e) => e.m.i))).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('refuses values, names and entries it cannot send, before buffering anything', async () => {
    const s = await setup({ maxBytes: 100 });
    expect(() => s.telemetry.record({ temp: NaN })).toThrow(new TypeError('telemetry: measurement "temp" must have a non-empty name and a finite number, a string or a boolean'));
    expect(() => s.telemetry.record({ list: [1] as unknown as number })).toThrow(TypeError);
    expect(() => s.telemetry.record({})).toThrow('telemetry: an entry needs at least one measurement');
    expect(() => s.telemetry.record({ t: 1 }, Infinity)).toThrow('telemetry: ts must be a finite number (epoch ms), not Infinity');
    expect(() => s.telemetry.record({ note: 'y'.repeat(100) })).toThrow(/^telemetry: an entry of \d+ bytes cannot fit a batch of 100$/);
    expect(s.telemetry.stats.recorded).toBe(0);
    const base = { thingName: 'a', timer: engineTimer };
    expect(() => new Telemetry(s.connection, { ...base, topic: 'dt/+/x' })).toThrow('telemetry: topic "dt/+/x" contains a wildcard');
    expect(() => new Telemetry(s.connection, { ...base, maxEntries: 10, maxBuffered: 10 })).toThrow('telemetry: maxBuffered (10) must exceed maxEntries (10)');
    expect(() => new Telemetry(s.connection, { ...base, maxDelayMs: 0 })).toThrow('telemetry: maxDelayMs must be a positive integer, not 0');
    expect(() => new Telemetry(s.connection, { ...base, format: 'xml' as 'json' })).toThrow("telemetry: format must be 'json' or 'cbor', not xml");
  });
});

describe('telemetry offline', () => {
  it('buffers while offline, drops the oldest when full and says so in the next batch', async () => {
    const s = await setup({ maxEntries: 20, maxBuffered: 50, maxDelayMs: 1000 });
    s.connection.connected = false;
    for (let i = 0; i < 80; i++) s.telemetry.record({ i });
    await at(s, 5000);
    expect(s.router.log).toHaveLength(0);
    expect(s.telemetry.stats).toMatchObject({ recorded: 80, dropped: 30, sent: 0 });
    const failed: (Error | undefined)[] = [];
    s.telemetry.flush((error) => failed.push(error));
    await settle();
    expect(failed.map((e) => e?.message)).toEqual(['telemetry: not connected (50 entries wait)']);

    s.connection.connected = true;
    await at(s, 6000); // the service looks again every maxDelayMs
    await settle();
    expect(s.batches.map((b) => [b.seq, b.dropped, b.entries.length])).toEqual([
      [0, 30, 20],
      [1, 0, 20],
      [2, 0, 10],
    ]);
    expect(s.batches.flatMap((b) => b.entries.map((e) => e.m.i))).toEqual(Array.from({ length: 50 }, (_, i) => 30 + i));
    expect(s.telemetry.stats).toEqual({ recorded: 80, sent: 50, dropped: 30, batches: 3, failures: 0 });
  });
});

/** A connection whose publishes wait until the test acknowledges (or fails) them. */
class HeldConnection implements MqttConnection {
  readonly clientId = 'held';
  connected = true;
  readonly held: { topic: string; payload: Payload; qos: number; done?: Done }[] = [];
  publish(topic: string, payload: Payload, options: PublishOptions = {}, done?: Done): void {
    this.held.push({ topic, payload, qos: options.qos || 0, done });
  }
  subscribe(): void {}
  unsubscribe(): void {}
  answer(error?: Error): void {
    this.held.shift()!.done!(error);
  }
}

describe('telemetry acknowledgements', () => {
  it('has one batch in flight at a time and removes entries only when acknowledged', () => {
    createDevice();
    const held = new HeldConnection();
    const telemetry = new Telemetry(held, { thingName: 'x', maxEntries: 2, timer: engineTimer, clock: () => 0 });
    for (let i = 0; i < 6; i++) telemetry.record({ i });
    expect(held.held).toHaveLength(1);
    expect(telemetry.buffered).toBe(6);
    held.answer();
    expect(held.held).toHaveLength(1);
    expect(telemetry.buffered).toBe(4);
    held.answer();
    held.answer();
    expect(telemetry.buffered).toBe(0);
    expect(held.held).toHaveLength(0);
    expect(telemetry.stats.batches).toBe(3);
  });

  it('a failed publish keeps its entries and is retried; flush reports the failure, then success', async () => {
    const device = createDevice();
    const held = new HeldConnection();
    const errors: string[] = [];
    const telemetry = new Telemetry(held, { thingName: 'x', maxDelayMs: 1000, timer: engineTimer, clock: () => 0, onError: (e) => errors.push(e.message) });
    telemetry.record({ a: 1 });
    telemetry.record({ a: 2 });
    const flushed: (string | undefined)[] = [];
    telemetry.flush((error) => flushed.push(error?.message));
    expect(held.held).toHaveLength(1);
    held.answer(new Error('refused'));
    expect(flushed).toEqual(['telemetry: publishing to things/x/telemetry failed (2 entries wait): refused']);
    expect(telemetry.stats).toMatchObject({ failures: 1, sent: 0 });
    device.time.runUntil(999);
    expect(held.held).toHaveLength(0);
    device.time.runUntil(1000);
    expect(held.held).toHaveLength(1);
    const again = held.held[0]!;
    held.answer(new Error('refused again'));
    expect(errors).toEqual(['telemetry: publishing to things/x/telemetry failed (2 entries wait): refused again']);
    device.time.runUntil(2000);
    expect(held.held[0]!.payload).toEqual(again.payload); // same seq, same entries
    telemetry.flush((error) => flushed.push(error ? error.message : 'flushed'));
    held.answer();
    expect(flushed[1]).toBe('flushed');
    expect(telemetry.stats).toMatchObject({ sent: 2, batches: 1, failures: 2 });
    await settle();
  });

  it('flush with nothing waiting is done at once; close stops recording', async () => {
    createDevice();
    const telemetry = new Telemetry(new HeldConnection(), { thingName: 'x', timer: engineTimer });
    const results: unknown[] = [];
    telemetry.flush((error) => results.push(error ?? 'done'));
    await settle();
    expect(results).toEqual(['done']);
    telemetry.close();
    expect(() => telemetry.record({ a: 1 })).toThrow('telemetry: closed');
  });
});

describe('telemetry from a task', () => {
  it('a task records and blocks on flush until the broker has the batch', async () => {
    const s = await setup({ maxDelayMs: 60_000 });
    const kernel = new Kernel({ preemption: true });
    const clock = new VirtualClock(kernel);
    const log: string[] = [];
    kernel.createTask('sampler', 2, function* () {
      s.telemetry.record({ temp: 19.5 });
      const sent = yield* flush(kernel, s.telemetry, 100);
      log.push(sent.ok ? `flushed, ${s.batches.length} batch seen` : sent.error.message);
      s.connection.connected = false;
      s.telemetry.record({ temp: 20 });
      const offline = yield* flush(kernel, s.telemetry, 100);
      log.push(offline.ok ? 'flushed' : offline.error.message);
      yield* kernel.suspend();
    });
    clock.start();
    for (let i = 0; i < 10 && log.length < 2; i++) await settle();
    expect(log).toEqual(['flushed, 1 batch seen', 'telemetry: not connected (1 entries wait)']);
  });
});
