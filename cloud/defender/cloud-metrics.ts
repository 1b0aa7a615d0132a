/**
 * Detect's cloud-side metrics: the broker reports what each connection does (ActivityMeter) and
 * this counts it per thing in memory, over fixed windows aligned on the epoch (a 300 s window
 * runs from one multiple of 300 s to the next), one set of windows per `durationSeconds` some
 * behaviour uses. What each metric is over a window:
 * - `aws:num-messages-sent`: PUBLISHes from the thing that its policy allowed;
 * - `aws:num-messages-received`: messages delivered to the thing;
 * - `aws:message-byte-size`: the largest payload (bytes) among the messages it sent (the maximum,
 *   not the sum);
 * - `aws:num-authorization-failures`: publishes, subscriptions and deliveries refused to it;
 * - `aws:num-connection-attempts`: its CONNECTs, accepted or refused;
 * - `aws:num-disconnects`: its accepted connections that ended, whoever ended them.
 * A connection counts for the thing it is attached to; one attached to none (a refused connect)
 * for the thing its client id names (AWS likewise asks that client ids be thing names). Only
 * registered things are evaluated (defender.ts), so other keys are dropped with their window.
 */
import type { ActivityMeter } from '../broker/activity.js';
import type { CloudMetric } from './behaviors.js';

interface Tally {
  sent: number;
  received: number;
  maxBytes: number;
  refused: number;
  attempts: number;
  disconnects: number;
}

const read: Record<CloudMetric, (t: Tally) => number> = {
  'aws:num-messages-sent': (t) => t.sent,
  'aws:num-messages-received': (t) => t.received,
  'aws:message-byte-size': (t) => t.maxBytes,
  'aws:num-authorization-failures': (t) => t.refused,
  'aws:num-connection-attempts': (t) => t.attempts,
  'aws:num-disconnects': (t) => t.disconnects,
};

/** Things (or client ids) tallied per window at most: a flood of made-up client ids stops there. */
const MAX_TALLIES = 100_000;

/** A window that ended: each thing's values over it. */
export interface EndedWindow {
  durationSeconds: number;
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  /** The thing's value of the metric over the window; 0 for a thing that did nothing. */
  value(thing: string, metric: CloudMetric): number;
}

class Window {
  readonly tallies = new Map<string, Tally>();
  constructor(
    readonly durationSeconds: number,
    readonly start: number,
  ) {}

  get end(): number {
    return this.start + this.durationSeconds * 1000;
  }

  tally(key: string): Tally | undefined {
    let t = this.tallies.get(key);
    if (t === undefined && this.tallies.size < MAX_TALLIES) {
      t = { sent: 0, received: 0, maxBytes: 0, refused: 0, attempts: 0, disconnects: 0 };
      this.tallies.set(key, t);
    }
    return t;
  }

  value(thing: string, metric: CloudMetric): number {
    const t = this.tallies.get(thing);
    return t === undefined ? 0 : read[metric](t);
  }
}

const windowStart = (now: number, durationSeconds: number) => now - (now % (durationSeconds * 1000));

export class CloudMetrics implements ActivityMeter {
  /** durationSeconds -> its open window. */
  private readonly windows = new Map<number, Window>();

  constructor(private readonly now: () => number) {}

  /** The window lengths to measure: open windows of lengths still wanted go on, new lengths start now. */
  measure(durations: Iterable<number>): void {
    const wanted = new Set(durations);
    for (const d of this.windows.keys()) if (!wanted.has(d)) this.windows.delete(d);
    for (const d of wanted) if (!this.windows.has(d)) this.windows.set(d, new Window(d, windowStart(this.now(), d)));
  }

  /** The windows that have ended by now, each replaced by the window now runs in. */
  takeEnded(): EndedWindow[] {
    const now = this.now();
    const ended: EndedWindow[] = [];
    for (const [d, w] of this.windows) {
      if (now < w.end) continue;
      ended.push(w);
      this.windows.set(d, new Window(d, windowStart(now, d)));
    }
    return ended;
  }

  /** The thing's value of the metric so far in the open window of that length (0 if none is open). */
  current(thing: string, metric: CloudMetric, durationSeconds: number): number {
    return this.windows.get(durationSeconds)?.value(thing, metric) ?? 0;
  }

  connectAttempt(clientId: string, thingName: string | undefined): void {
    this.count(thingName ?? clientId, (t) => t.attempts++);
  }

  published(clientId: string, thingName: string | undefined, bytes: number): void {
    this.count(thingName ?? clientId, (t) => {
      t.sent++;
      if (bytes > t.maxBytes) t.maxBytes = bytes;
    });
  }

  delivered(clientId: string, thingName: string | undefined): void {
    this.count(thingName ?? clientId, (t) => t.received++);
  }

  refused(clientId: string, thingName: string | undefined): void {
    this.count(thingName ?? clientId, (t) => t.refused++);
  }

  disconnected(clientId: string, thingName: string | undefined): void {
    this.count(thingName ?? clientId, (t) => t.disconnects++);
  }

  private count(key: string, add: (t: Tally) => void): void {
    for (const w of this.windows.values()) {
      const t = w.tally(key);
      if (t) add(t);
    }
  }
}
