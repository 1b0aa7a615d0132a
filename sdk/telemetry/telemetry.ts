/**
 * Telemetry: measurements recorded by the device, published in batches (format.ts) to one topic.
 *
 *   const telemetry = new Telemetry(mqtt, { thingName: 'greenhouse-1', timer: engineTimer });
 *   telemetry.record({ temp: 21.5, hum: 40 });           // host context or task; never blocks
 *   telemetry.flush((error) => ...);                       // everything recorded so far, now
 *   yield* flush(kernel, telemetry, 500);                  // the same, blocking a task
 *
 * - A batch is published as soon as `maxEntries` entries or `maxBytes` bytes are waiting, and
 *   no entry waits longer than `maxDelayMs` while connected; `flush` publishes at once.
 * - One batch is in flight at a time (QoS 1 by default: the next waits for the PUBACK), so
 *   batches arrive in order and entries are removed only once the broker has them.
 * - Offline, entries wait in a buffer of `maxBuffered`; when it is full the oldest is dropped
 *   and counted (`stats.dropped`, and `dropped` in the next batch). Batches are built when the
 *   connection is up, so a reconnect sends full batches, not a backlog of small ones. While
 *   offline the service looks again every `maxDelayMs`.
 * - A failed publish keeps its entries (sent again later) and is reported to the waiting
 *   `flush` callers, or to `onError`.
 */
import { rangeError } from '../../firmware/kernel/errors.js';
import type { EngineTimer } from '../../firmware/kernel/clock.js';
import type { Kernel } from '../../firmware/kernel/kernel.js';
import type { Op } from '../../firmware/kernel/task.js';
import type { Done, MqttConnection, QoS } from '../mqtt/connection.js';
import { topicNameProblem } from '../mqtt/topics.js';
import { awaitDone, type Outcome } from '../wait.js';
import { BATCH_OVERHEAD, encodeBatch, encodeEntry, type Measurements, type TelemetryFormat } from './format.js';

export interface TelemetryOptions {
  /** The thing this device is; names the default topic. */
  thingName: string;
  /** Default `things/{thingName}/telemetry` (what mote cloud's default policy lets a device publish). */
  topic?: string;
  /** Default 'json'. */
  format?: TelemetryFormat;
  /** Default 1. */
  qos?: QoS;
  /** Entries per batch, at most; default 20. */
  maxEntries?: number;
  /** Bytes per batch payload, at most; default 4096. */
  maxBytes?: number;
  /** Longest an entry waits for its batch while connected, in ms; default 10000. */
  maxDelayMs?: number;
  /** Entries kept while offline; more than `maxEntries`; default 200. */
  maxBuffered?: number;
  /** The engine's timers (the HAL's `engineTimer`). */
  timer: EngineTimer;
  /** Epoch milliseconds for entries recorded without a time; default Date.now. */
  clock?: () => number;
  /** Publish failures no `flush` caller is waiting for. */
  onError?: (error: Error) => void;
}

export interface TelemetryStats {
  /** Entries recorded. */
  recorded: number;
  /** Entries the broker acknowledged (QoS 1) or that were written (QoS 0). */
  sent: number;
  /** Entries dropped from a full buffer. */
  dropped: number;
  /** Batches published. */
  batches: number;
  /** Publishes that failed (their entries were kept). */
  failures: number;
}

interface Waiter {
  /** Done once sent + dropped reaches this: every entry recorded before the flush is accounted for. */
  target: number;
  done: Done;
}

export class Telemetry {
  readonly topic: string;
  readonly stats: TelemetryStats = { recorded: 0, sent: 0, dropped: 0, batches: 0, failures: 0 };
  private readonly format: TelemetryFormat;
  private readonly qos: QoS;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly maxDelayMs: number;
  private readonly maxBuffered: number;
  /** Encoded entries, oldest first; the first `inFlight` are in the batch being published. */
  private readonly entries: Uint8Array[] = [];
  private bytes = 0;
  private inFlight = 0;
  private seq = 0;
  private droppedSinceBatch = 0;
  /** Publish what is waiting even if no batch is full (a flush, or the time bound). */
  private urgent = false;
  private timerHandle: unknown = null;
  private waiters: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly connection: MqttConnection,
    private readonly options: TelemetryOptions,
  ) {
    const o = options;
    this.topic = o.topic !== undefined ? o.topic : `things/${o.thingName}/telemetry`;
    const problem = topicNameProblem(this.topic);
    if (problem) throw rangeError(`telemetry: ${problem}`);
    this.format = o.format || 'json';
    if (this.format !== 'json' && this.format !== 'cbor') throw rangeError(`telemetry: format must be 'json' or 'cbor', not ${String(o.format)}`);
    this.qos = o.qos === undefined ? 1 : o.qos;
    this.maxEntries = positive('maxEntries', o.maxEntries, 20);
    this.maxBytes = positive('maxBytes', o.maxBytes, 4096);
    this.maxDelayMs = positive('maxDelayMs', o.maxDelayMs, 10000);
    this.maxBuffered = positive('maxBuffered', o.maxBuffered, 200);
    if (this.maxBuffered <= this.maxEntries) throw rangeError(`telemetry: maxBuffered (${this.maxBuffered}) must exceed maxEntries (${this.maxEntries})`);
    if (this.maxBytes <= BATCH_OVERHEAD) throw rangeError(`telemetry: maxBytes must exceed ${BATCH_OVERHEAD}`);
  }

  /** Entries waiting, including the batch in flight. */
  get buffered(): number {
    return this.entries.length;
  }

  /**
   * Records `measurements` at `ts` (epoch ms; default now). Throws TypeError for a value that is
   * not a finite number, string or boolean, RangeError for an entry that cannot fit a batch.
   */
  record(measurements: Measurements, ts?: number): void {
    if (this.closed) throw new Error('telemetry: closed');
    const entry = encodeEntry(this.format, ts === undefined ? this.now() : ts, measurements);
    if (BATCH_OVERHEAD + entry.length + 1 > this.maxBytes) throw rangeError(`telemetry: an entry of ${entry.length} bytes cannot fit a batch of ${this.maxBytes}`);
    if (this.entries.length >= this.maxBuffered) {
      // Never one in flight: the broker may already have it.
      this.bytes -= this.entries.splice(this.inFlight, 1)[0]!.length;
      this.droppedSinceBatch++;
      this.stats.dropped++;
    }
    this.entries.push(entry);
    this.bytes += entry.length;
    this.stats.recorded++;
    this.arm();
    this.pump();
  }

  /**
   * Publishes every entry recorded so far; `done()` once all are sent (or dropped), or
   * `done(error)` when offline (nothing lost: they wait) or a publish fails.
   */
  flush(done: Done = () => undefined): void {
    if (this.entries.length === 0) return later(() => done());
    if (!this.connection.connected) return later(() => done(new Error(`telemetry: not connected (${this.entries.length} entries wait)`)));
    this.waiters.push({ target: this.stats.sent + this.stats.dropped + this.entries.length, done });
    this.urgent = true;
    this.pump();
  }

  /** Stops the timer; what is buffered stays unsent, and record() throws from now on. */
  close(): void {
    this.closed = true;
    this.disarm();
  }

  private now(): number {
    return this.options.clock ? this.options.clock() : Date.now();
  }

  /** Publishes the next batch if one is due, the connection is up and none is in flight. */
  private pump(): void {
    if (this.closed || this.inFlight > 0) return;
    if (this.entries.length === 0) {
      this.urgent = false;
      this.disarm();
      return;
    }
    const full = this.entries.length >= this.maxEntries || this.bytes + BATCH_OVERHEAD + this.entries.length > this.maxBytes;
    if (!(full || this.urgent) || !this.connection.connected) return;
    let count = 0;
    let size = BATCH_OVERHEAD;
    // Each entry costs its bytes and a separator; record() made sure the first one fits.
    while (count < this.entries.length && count < this.maxEntries && size + this.entries[count]!.length + 1 <= this.maxBytes) size += this.entries[count++]!.length + 1;
    const dropped = this.droppedSinceBatch;
    const payload = encodeBatch(this.format, this.seq, dropped, this.entries.slice(0, count));
    this.inFlight = count;
    this.connection.publish(this.topic, payload, { qos: this.qos }, (error) => this.published(count, dropped, error));
  }

  private published(count: number, dropped: number, error?: Error): void {
    this.inFlight = 0;
    if (error) {
      this.stats.failures++;
      const waiters = this.waiters;
      this.waiters = [];
      const failure = new Error(`telemetry: publishing to ${this.topic} failed (${this.entries.length} entries wait): ${error.message}`);
      if (waiters.length === 0 && this.options.onError) this.options.onError(failure);
      for (let i = 0; i < waiters.length; i++) waiters[i]!.done(failure);
      this.arm();
      return;
    }
    const sent = this.entries.splice(0, count);
    for (let i = 0; i < sent.length; i++) this.bytes -= sent[i]!.length;
    this.stats.sent += count;
    this.stats.batches++;
    this.seq++;
    this.droppedSinceBatch -= dropped;
    const accounted = this.stats.sent + this.stats.dropped;
    const waiting = this.waiters;
    this.waiters = [];
    for (let i = 0; i < waiting.length; i++) {
      if (waiting[i]!.target <= accounted) waiting[i]!.done();
      else this.waiters.push(waiting[i]!);
    }
    this.pump();
  }

  /** Starts the time bound for what is waiting (if not running): then everything goes out. */
  private arm(): void {
    if (this.timerHandle !== null || this.closed) return;
    this.timerHandle = this.options.timer.setTimeout(() => {
      this.timerHandle = null;
      this.urgent = true;
      this.pump();
      if (this.entries.length > this.inFlight) this.arm(); // offline or failing: look again later
    }, this.maxDelayMs);
  }

  private disarm(): void {
    if (this.timerHandle !== null) this.options.timer.clearTimeout(this.timerHandle);
    this.timerHandle = null;
  }
}

/** The blocking form of `flush`, for tasks. */
export function* flush(kernel: Kernel, telemetry: Telemetry, ticksToWait: number): Op<Outcome<undefined>> {
  return yield* awaitDone(kernel, (done) => telemetry.flush(done), ticksToWait);
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 1) || Math.floor(value) !== value) throw rangeError(`telemetry: ${name} must be a positive integer, not ${String(value)}`);
  return value;
}

function later(fn: () => void): void {
  void Promise.resolve().then(fn);
}
