/**
 * Detect's static-threshold behaviours: a device metric compared with a fixed value, as in an AWS
 * security profile (`{name, metric, criteria: {comparisonOperator, value: {count}}}`, flattened).
 * Each report's value is checked against every behaviour; a device enters the alarm when its value
 * breaks the behaviour and leaves it at its first report that does not.
 */
import { z } from 'zod';

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

/** The `met` section of a report, as far as behaviours read it. */
export interface ReportMetrics {
  ns?: { bi: number; bo: number; pi: number; po: number };
  tp?: { pts: unknown[] };
  up?: { pts: unknown[] };
  tc?: { ec?: { cs: unknown[] } };
}

const comparisons = {
  'greater-than': (v: number, limit: number) => v > limit,
  'greater-than-equals': (v: number, limit: number) => v >= limit,
  'less-than': (v: number, limit: number) => v < limit,
  'less-than-equals': (v: number, limit: number) => v <= limit,
} as const;

export const behavior = z.strictObject({
  name: z.string().min(1).max(128).regex(/^[a-zA-Z0-9:_-]+$/, 'behaviour names may only hold letters, digits and :_-'),
  metric: z.enum(Object.keys(deviceMetrics) as [DeviceMetric, ...DeviceMetric[]]),
  comparisonOperator: z.enum(Object.keys(comparisons) as [keyof typeof comparisons, ...(keyof typeof comparisons)[]]),
  value: z.number().int().nonnegative(),
});
export type Behavior = z.output<typeof behavior>;

export const behaviors = z.array(behavior).max(100).superRefine((list, context) => {
  const names = list.map((b) => b.name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) context.addIssue({ code: 'custom', message: `behaviour ${repeated} is listed twice` });
});

/** Whether the report breaks the behaviour; undefined when the report does not carry its metric. */
export function breaks(b: Behavior, metrics: ReportMetrics): { value: number; violated: boolean } | undefined {
  const value = deviceMetrics[b.metric](metrics);
  if (value === undefined) return undefined;
  return { value, violated: comparisons[b.comparisonOperator](value, b.value) };
}
