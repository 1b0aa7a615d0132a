/**
 * DefenderReporter: sends Device Defender metrics reports (report.ts) for one thing, on demand
 * or every `periodMs`, and reads AWS IoT's answers.
 *
 *   const defender = new DefenderReporter(mqtt, { thingName: 'lamp', timer: engineTimer,
 *     collect: () => ({ metrics: { networkStats: net.stats() }, custom: { heap_free: { number: heap() } } }) });
 *   defender.report((error, accepted) => ...);       // one report now
 *   defender.start();                                 // and every periodMs from now on
 *
 * - Publishes QoS 1 to `$aws/things/{thing}/defender/metrics/{json|cbor}` after subscribing to
 *   its `/accepted` and `/rejected` topics, whose answers (in the same format) are matched to
 *   the report by `reportId`. A rejection becomes a ServiceError whose `code` is AWS's
 *   `statusDetails.ErrorCode` (e.g. 'InvalidPayload') and whose message is its ErrorMessage.
 * - Report ids: epoch seconds from `clock`, raised to the last id + 1 when the clock has not
 *   moved on, so they always increase (AWS drops a repeated id).
 * - The metric sources are the device's: `collect()` is called for each report.
 * - No timers of its own for answers: `report` returns a cancel function; the blocking form
 *   (`report(kernel, reporter, ticks)`) cancels when its ticks run out.
 */
import type { EngineTimer } from '../../firmware/kernel/clock.js';
import { rangeError } from '../../firmware/kernel/errors.js';
import type { Kernel } from '../../firmware/kernel/kernel.js';
import type { Op } from '../../firmware/kernel/task.js';
import { utf8Decode } from '../bytes.js';
import { decodeCbor, encodeCbor, type CborValue } from '../cbor/index.js';
import type { Message, MessageHandler, MqttConnection, Payload } from '../mqtt/connection.js';
import { awaitRequest, checkName, serviceError, type Answer, type Cancel, type ServiceError } from '../request.js';
import type { Outcome } from '../wait.js';
import { buildReport, type CustomMetrics, type DeviceMetrics } from './report.js';

/** AWS IoT's answer to an accepted report. */
export interface ReportAccepted {
  thingName: string;
  reportId: number;
  status: 'ACCEPTED';
  timestamp: number;
}

export interface DefenderOptions {
  thingName: string;
  /** Default 'json'. */
  format?: 'json' | 'cbor';
  /** The metrics for the next report, from the device's own sources. */
  collect: () => { metrics?: DeviceMetrics; custom?: CustomMetrics };
  /** The engine's timers (the HAL's `engineTimer`), for `start`. */
  timer: EngineTimer;
  /** Between reports after `start()`, in ms; default and minimum 300000 (AWS throttles faster reporting). */
  periodMs?: number;
  /** Epoch milliseconds, for report ids; default Date.now. */
  clock?: () => number;
  /** Outcomes of the periodic reports. */
  onReport?: (error: Error | undefined, accepted?: ReportAccepted) => void;
}

const MIN_PERIOD_MS = 300000;

interface Pending {
  reportId: number;
  done: Answer<ReportAccepted>;
}

export class DefenderReporter {
  readonly topic: string;
  private readonly format: 'json' | 'cbor';
  private readonly periodMs: number;
  private readonly pending: Pending[] = [];
  private lastId = -1;
  /** Subscriptions: undefined before the first report, then waiting callbacks, then true. */
  private ready: (() => void)[] | true | undefined;
  private readonly handlers: MessageHandler[] = [];
  private timerHandle: unknown = null;

  constructor(
    private readonly connection: MqttConnection,
    private readonly options: DefenderOptions,
  ) {
    checkName('defender: thingName', options.thingName, 128);
    this.format = options.format || 'json';
    if (this.format !== 'json' && this.format !== 'cbor') throw rangeError(`defender: format must be 'json' or 'cbor', not ${String(options.format)}`);
    this.topic = `$aws/things/${options.thingName}/defender/metrics/${this.format}`;
    this.periodMs = options.periodMs === undefined ? MIN_PERIOD_MS : options.periodMs;
    if (!(this.periodMs >= MIN_PERIOD_MS)) throw rangeError(`defender: periodMs must be at least ${MIN_PERIOD_MS} (AWS IoT throttles more frequent reports)`);
  }

  /**
   * Collects the metrics and sends one report; `done(undefined, accepted)` on AWS's acceptance,
   * `done(error)` on its rejection (a ServiceError), a publish or subscribe failure, or metrics
   * AWS would refuse (RangeError, before anything is sent). Returns a function that forgets it.
   */
  report(done: Answer<ReportAccepted>): Cancel {
    let payload: Payload;
    let entry: Pending;
    try {
      const m = this.options.collect();
      entry = { reportId: this.nextId(), done };
      const document = buildReport(entry.reportId, m.metrics, m.custom);
      payload = this.format === 'cbor' ? encodeCbor(document as CborValue) : JSON.stringify(document);
    } catch (error) {
      later(() => done(error as Error));
      return () => undefined;
    }
    this.pending.push(entry);
    this.whenSubscribed((error) => {
      if (this.pending.indexOf(entry) < 0) return;
      if (error) return this.finish(entry, error);
      this.connection.publish(this.topic, payload, { qos: 1 }, (error) => {
        if (error) this.finish(entry, new Error(`defender: publishing report ${entry.reportId} failed: ${error.message}`));
      });
    });
    return () => this.forget(entry);
  }

  /** Reports every periodMs from now (the first one after a period); outcomes go to onReport. */
  start(): void {
    if (this.timerHandle !== null) return;
    this.timerHandle = this.options.timer.setTimeout(() => {
      this.timerHandle = null;
      this.report((error, accepted) => {
        if (this.options.onReport) this.options.onReport(error, accepted);
      });
      this.start();
    }, this.periodMs);
  }

  /** Stops periodic reports and the answer subscriptions; waiting reports are forgotten. */
  stop(): void {
    if (this.timerHandle !== null) this.options.timer.clearTimeout(this.timerHandle);
    this.timerHandle = null;
    this.pending.length = 0;
    this.stopSubscriptions();
  }

  private nextId(): number {
    const now = Math.floor((this.options.clock ? this.options.clock() : Date.now()) / 1000);
    this.lastId = now > this.lastId ? now : this.lastId + 1;
    return this.lastId;
  }

  /** Subscribes the answer topics once (QoS 1), then runs `then` (at once when already done). */
  private whenSubscribed(then: (error?: Error) => void): void {
    if (this.ready === true) return then();
    if (this.ready) return void this.ready.push(() => then());
    const waiting: (() => void)[] = [() => then()];
    this.ready = waiting;
    let left = ANSWERS.length;
    for (let i = 0; i < ANSWERS.length; i++) {
      const accepted = ANSWERS[i] === 'accepted';
      const handler = (message: Message) => this.answer(accepted, message);
      this.handlers.push(handler);
      this.connection.subscribe(`${this.topic}/${ANSWERS[i]}`, handler, { qos: 1 }, (error) => {
        if (this.ready !== waiting) return;
        if (error) {
          this.stopSubscriptions();
          for (const p of this.pending.slice()) this.finish(p, new Error(`defender: subscribing to ${this.topic}/${ANSWERS[i]} failed: ${error.message}`));
        } else if (--left === 0) {
          this.ready = true;
          for (let k = 0; k < waiting.length; k++) waiting[k]!();
        }
      });
    }
  }

  private stopSubscriptions(): void {
    for (let i = 0; i < this.handlers.length; i++) this.connection.unsubscribe(`${this.topic}/${ANSWERS[i]}`, this.handlers[i]);
    this.handlers.length = 0;
    this.ready = undefined;
  }

  private answer(accepted: boolean, message: Message): void {
    let doc: { [key: string]: any } | undefined;
    try {
      const value = this.format === 'cbor' ? decodeCbor(message.payload) : JSON.parse(utf8Decode(message.payload));
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) doc = value;
    } catch (_) {
      doc = undefined;
    }
    if (!doc) return; // not an answer we can read, so not one for a report of ours
    let entry: Pending | undefined;
    for (let i = 0; i < this.pending.length; i++) if (this.pending[i]!.reportId === doc.reportId) entry = this.pending[i];
    if (!entry) return; // a report we gave up on, or another client's
    if (accepted) return this.finish(entry, undefined, doc as ReportAccepted);
    const details = doc.statusDetails || {};
    const code = typeof details.ErrorCode === 'string' ? details.ErrorCode : 'Rejected';
    const text = typeof details.ErrorMessage === 'string' ? details.ErrorMessage : 'report rejected';
    this.finish(entry, serviceError(`defender: report ${entry.reportId} rejected: ${code}: ${text}`, code, doc));
  }

  private finish(entry: Pending, error?: Error | ServiceError, accepted?: ReportAccepted): void {
    if (!this.forget(entry)) return;
    entry.done(error, accepted);
  }

  private forget(entry: Pending): boolean {
    const at = this.pending.indexOf(entry);
    if (at >= 0) this.pending.splice(at, 1);
    return at >= 0;
  }
}

const ANSWERS = ['accepted', 'rejected'];

/** The blocking form of `report`, for tasks: the answer, or a timeout after `ticksToWait`. */
export function* report(kernel: Kernel, reporter: DefenderReporter, ticksToWait: number): Op<Outcome<ReportAccepted>> {
  return yield* awaitRequest<ReportAccepted>(kernel, (done) => reporter.report(done), ticksToWait);
}

function later(fn: () => void): void {
  void Promise.resolve().then(fn);
}
