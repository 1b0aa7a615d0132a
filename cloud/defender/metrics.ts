/**
 * The device side of Detect: devices publish Device Defender metrics reports (sdk/defender's
 * short-key form, JSON or CBOR) on `$aws/things/{thing}/defender/metrics/{json|cbor}`; each gets
 * `{thingName, reportId, status, timestamp}` back on `/accepted`, or on `/rejected` with
 * `statusDetails: {ErrorCode, ErrorMessage}`, in the report's format. An accepted report is
 * one datapoint of each device-side behaviour (behaviors.ts) for the violations (violations.ts).
 */
import { z } from 'zod';
import { decodeCbor, encodeCbor, type CborValue } from '../../sdk/cbor/index.js';
import type { MessageBus, Origin } from '../bus.js';
import { breaksLimit, reportValue, thresholdText, type Behavior, type ReportMetrics } from './behaviors.js';
import type { Violations } from './violations.js';

const count = z.number().int().nonnegative();
const list = z.object({ pts: z.array(z.object({ pt: count }).loose()) }).loose();
const report = z.object({
  hed: z.object({ rid: count, v: z.literal('1.0') }),
  met: z.object({
    tp: list.optional(),
    up: list.optional(),
    ns: z.object({ bi: count, bo: count, pi: count, po: count }).optional(),
    tc: z.object({ ec: z.object({ cs: z.array(z.object({ rad: z.string() }).loose()) }).loose().optional() }).loose().optional(),
  }).loose().optional(),
  cmet: z.record(z.string(), z.unknown()).optional(),
}).refine((r) => r.met !== undefined || r.cmet !== undefined, 'a report needs met, cmet or both');

/** Report ids remembered per thing to refuse a repeat (the SDK's ids only grow). */
const REMEMBERED_REPORT_IDS = 64;

export class DeviceMetrics {
  private readonly seen = new Map<string, number[]>();
  private bus: MessageBus | undefined;

  constructor(
    private readonly behaviors: () => readonly Behavior[],
    private readonly violations: Violations,
  ) {}

  private get out(): MessageBus {
    if (this.bus === undefined) throw new Error('DeviceMetrics: bind() it to the bus first');
    return this.bus;
  }

  bind(bus: MessageBus, onError: (error: Error) => void): void {
    this.bus = bus;
    bus.subscribe('$aws/things/+/defender/metrics/+', (topic, payload, origin) => this.onReport(topic, payload, origin).catch(onError));
  }

  private async onReport(topic: string, payload: Buffer, origin: Origin | undefined): Promise<void> {
    const [, , thingName, , , format] = topic.split('/') as [string, string, string, string, string, string];
    if (origin === undefined || (format !== 'json' && format !== 'cbor')) return; // answers, and the cloud's own
    const encode = (answer: Record<string, unknown>) => (format === 'cbor' ? Buffer.from(encodeCbor(answer as CborValue)) : JSON.stringify(answer));
    let document: unknown;
    try {
      document = format === 'cbor' ? decodeCbor(payload) : JSON.parse(payload.toString('utf8'));
    } catch (error) {
      return this.reject(topic, thingName, undefined, `report is not valid ${format.toUpperCase()}: ${(error as Error).message}`, encode);
    }
    const rid = (document as { hed?: { rid?: unknown } } | null)?.hed?.rid;
    const reportId = typeof rid === 'number' ? rid : undefined;
    if (origin.thingName !== thingName) return this.reject(topic, thingName, reportId, `the connection is not attached to thing ${thingName}`, encode);
    const parsed = report.safeParse(document);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return this.reject(topic, thingName, reportId, `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`, encode);
    }
    const ids = this.seen.get(thingName) ?? [];
    if (ids.includes(parsed.data.hed.rid)) return this.reject(topic, thingName, reportId, `duplicate report id ${parsed.data.hed.rid}`, encode);
    this.seen.set(thingName, [...ids, parsed.data.hed.rid].slice(-REMEMBERED_REPORT_IDS));
    await this.out.publish(`${topic}/accepted`, encode({ thingName, reportId: parsed.data.hed.rid, status: 'ACCEPTED', timestamp: Math.floor(Date.now() / 1000) }));
    if (parsed.data.met) await this.evaluate(thingName, parsed.data.met);
  }

  private reject(topic: string, thingName: string, reportId: number | undefined, message: string, encode: (a: Record<string, unknown>) => Buffer | string): Promise<void> {
    const answer = { thingName, ...(reportId !== undefined && { reportId }), status: 'REJECTED', statusDetails: { ErrorCode: 'InvalidPayload', ErrorMessage: message }, timestamp: Math.floor(Date.now() / 1000) };
    return this.out.publish(`${topic}/rejected`, encode(answer));
  }

  private async evaluate(thingName: string, metrics: ReportMetrics): Promise<void> {
    for (const b of this.behaviors()) {
      const value = reportValue(b, metrics);
      if (value === undefined || b.value === undefined) continue;
      await this.violations.datapoint(thingName, b, value, breaksLimit(b, value, b.value), thresholdText(b, b.value));
    }
  }
}
