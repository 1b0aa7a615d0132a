/**
 * Detect's behaviours, as in an AWS security profile (`{name, metric, criteria: {...}}`, the
 * criteria flattened into the behaviour). A behaviour watches either
 * - a device-side metric, read from each metrics report the device sends (one datapoint per
 *   report), against a static `value`; or
 * - a cloud-side metric the broker measures per thing over windows of `durationSeconds` (one
 *   datapoint per window, cloud-metrics.ts), against a static `value` or a `statisticalThreshold`:
 *   a percentile of the values of the whole fleet in the same window (baseline.ts).
 * A thing enters the alarm after `consecutiveDatapointsToAlarm` datapoints in a row break the
 * behaviour and leaves it after `consecutiveDatapointsToClear` in a row that do not (both 1 by
 * default).
 */
import { z } from 'zod';
import { statistics, type Statistic } from './baseline.js';

/** The device-side metrics a report carries, by AWS's names, and how each is read from one. */
export const deviceMetrics = {
  'aws:all-bytes-in': (m: ReportMetrics) => m.ns?.bi,
  'aws:all-bytes-out': (m: ReportMetrics) => m.ns?.bo,
  'aws:all-packets-in': (m: ReportMetrics) => m.ns?.pi,
  'aws:all-packets-out': (m: ReportMetrics) => m.ns?.po,
  'aws:listening-tcp-ports': (m: ReportMetrics) => m.tp?.pts.length,
  'aws:listening-udp-ports': (m: ReportMetrics) => m.up?.pts.length,
  'aws:num-established-tcp-connections': (m: ReportMetrics) => m.tc?.ec?.cs.length,
} as const;
export type DeviceMetric = keyof typeof deviceMetrics;

/** The cloud-side metrics, by AWS's names (what each counts: cloud-metrics.ts). */
export const cloudMetrics = [
  'aws:num-messages-sent',
  'aws:num-messages-received',
  'aws:message-byte-size',
  'aws:num-authorization-failures',
  'aws:num-connection-attempts',
  'aws:num-disconnects',
] as const;
export type CloudMetric = (typeof cloudMetrics)[number];

const allMetrics = [...(Object.keys(deviceMetrics) as DeviceMetric[]), ...cloudMetrics] as const;
export const isCloudMetric = (metric: string): metric is CloudMetric => (cloudMetrics as readonly string[]).includes(metric);

/** The `met` section of a report, as far as behaviours read it. */
export interface ReportMetrics {
  ns?: { bi: number; bo: number; pi: number; po: number };
  tp?: { pts: unknown[] };
  up?: { pts: unknown[] };
  tc?: { ec?: { cs: unknown[] } };
}

const comparisons = {
  'greater-than': { test: (v: number, limit: number) => v > limit, symbol: '>' },
  'greater-than-equals': { test: (v: number, limit: number) => v >= limit, symbol: '>=' },
  'less-than': { test: (v: number, limit: number) => v < limit, symbol: '<' },
  'less-than-equals': { test: (v: number, limit: number) => v <= limit, symbol: '<=' },
} as const;
type Comparison = keyof typeof comparisons;

/** Longest window: one day. */
const MAX_DURATION_SECONDS = 86_400;

export const behavior = z
  .strictObject({
    name: z.string().min(1).max(128).regex(/^[a-zA-Z0-9:_-]+$/, 'behaviour names may only hold letters, digits and :_-'),
    metric: z.enum(allMetrics as unknown as [DeviceMetric | CloudMetric, ...(DeviceMetric | CloudMetric)[]]),
    comparisonOperator: z.enum(Object.keys(comparisons) as [Comparison, ...Comparison[]]),
    value: z.number().int().nonnegative().optional(),
    statisticalThreshold: z.strictObject({ statistic: z.enum(statistics) }).optional(),
    durationSeconds: z.number().int().min(1).max(MAX_DURATION_SECONDS).optional(),
    consecutiveDatapointsToAlarm: z.number().int().min(1).max(10).optional(),
    consecutiveDatapointsToClear: z.number().int().min(1).max(10).optional(),
  })
  .superRefine((b, context) => {
    const issue = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
    if ((b.value === undefined) === (b.statisticalThreshold === undefined)) issue('value', 'give either value or statisticalThreshold');
    if (isCloudMetric(b.metric)) {
      if (b.durationSeconds === undefined) issue('durationSeconds', `${b.metric} is measured by the cloud over a window: durationSeconds is required`);
    } else {
      if (b.durationSeconds !== undefined) issue('durationSeconds', `${b.metric} is read from each metrics report: it takes no durationSeconds`);
      if (b.statisticalThreshold !== undefined) issue('statisticalThreshold', `${b.metric} is read from each metrics report: statistical thresholds need a cloud-side metric`);
    }
  });
export type Behavior = z.output<typeof behavior>;
export type CloudBehavior = Behavior & { metric: CloudMetric; durationSeconds: number };

export const behaviors = z.array(behavior).max(100).superRefine((list, context) => {
  const names = list.map((b) => b.name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) context.addIssue({ code: 'custom', message: `behaviour ${repeated} is listed twice` });
});

export const isCloudBehavior = (b: Behavior): b is CloudBehavior => isCloudMetric(b.metric);

/** Whether `value` breaks the behaviour given its limit (`value`, or the fleet's statistic). */
export const breaksLimit = (b: Behavior, value: number, limit: number): boolean => comparisons[b.comparisonOperator].test(value, limit);

/** The limit as people read it: `> 100`, or `> p90 (42.5)` with the fleet's value of the statistic. */
export function thresholdText(b: Behavior, limit: number): string {
  const symbol = comparisons[b.comparisonOperator].symbol;
  const shown = Number(limit.toFixed(3));
  return b.statisticalThreshold ? `${symbol} ${b.statisticalThreshold.statistic} (${shown})` : `${symbol} ${shown}`;
}

/** The report's value of a device-side behaviour's metric; undefined when the report does not carry it. */
export function reportValue(b: Behavior, metrics: ReportMetrics): number | undefined {
  return isCloudMetric(b.metric) ? undefined : deviceMetrics[b.metric](metrics);
}

export type { Statistic };
