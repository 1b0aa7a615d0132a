/**
 * Telemetry the cloud stored (cloud/telemetry/): a thing's most recent entries, one measure's
 * time series (range, aggregates, buckets, downsampling), and retention limits.
 */
import { z } from 'zod';
import type { Database } from '../../store/database.js';
import { TelemetryRetention } from '../../telemetry/retention.js';
import { aggregates, MAX_LIMIT, MAX_POINTS, parseDuration, querySeries, type Aggregate } from '../../telemetry/series.js';
import { route } from '../route.js';
import * as s from '../schemas.js';

const measurement = z.union([z.number(), z.string(), z.boolean()]);
const entry = z.object({
  ts: z.number().describe('epoch milliseconds, as the device recorded it'),
  m: z.record(z.string(), measurement).describe('measurements by name'),
});

/** A time given as epoch milliseconds or an ISO 8601 date (`2026-01-01T00:00:00Z`). */
const time = z.string().transform((text, context) => {
  const ms = /^-?\d{1,16}$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isSafeInteger(ms)) context.addIssue({ code: 'custom', message: `'${text}' is not a time: give epoch milliseconds or an ISO 8601 date (2026-01-01T00:00:00Z)` });
  return ms;
});

const duration = z.string().transform((text, context) => {
  try {
    return parseDuration(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
    return 0;
  }
});

const aggregateList = z.string().transform((text, context) => {
  const names = text.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !(aggregates as readonly string[]).includes(n));
  if (unknown.length > 0) context.addIssue({ code: 'custom', message: `unknown aggregate ${unknown.map((n) => `'${n}'`).join(', ')}: choose from ${aggregates.join(', ')}` });
  return [...new Set(names)] as Aggregate[];
});

const seriesQuery = z.strictObject({
  from: time.optional().describe('start of the range, inclusive: epoch ms or an ISO 8601 date'),
  to: time.optional().describe('end of the range, exclusive: epoch ms or an ISO 8601 date'),
  agg: aggregateList.optional().describe(`aggregates, comma-separated (${aggregates.join(', ')}); alone, over the whole range; default avg with bucket or points`),
  bucket: duration.optional().describe('aggregate per bucket of this duration, aligned to the epoch: 500ms, 30s, 1m, 1h, 1d, 1w'),
  points: s.queryInteger(MAX_POINTS).optional().describe('downsample: aggregate over at most this many equal buckets spanning the range'),
  limit: s.queryInteger(MAX_LIMIT).optional().describe('at most this many points or buckets (default 1000); nextFrom continues'),
}).superRefine((q, context) => {
  if (q.from !== undefined && q.to !== undefined && q.from >= q.to) context.addIssue({ code: 'custom', path: ['to'], message: `to (${q.to}) must be after from (${q.from})` });
  if (q.bucket !== undefined && q.points !== undefined) context.addIssue({ code: 'custom', path: ['points'], message: 'give bucket or points, not both' });
});

const aggregatePoint = z.object({ ts: z.number().int().describe('start of the bucket (of the range, without buckets)'), ...Object.fromEntries(aggregates.map((a) => [a, z.number().nullable().optional()])) });
const limits = z.object({
  maxAgeMs: z.number().int().optional().describe('global limit: points and batches older than this are deleted'),
  things: z.record(z.string(), z.number().int()).describe('limits of single things, in ms, overriding the global one'),
});
const limitBody = z.strictObject({ maxAge: duration.describe('how long to keep telemetry: 1h, 30d, 52w...') });
const retention = (db: Database) => new TelemetryRetention(db);

export const telemetryRoutes = [
  route({
    operation: 'ListThingTelemetry', method: 'GET', path: '/things/{thingName}/telemetry', tag: 'telemetry',
    summary: "The thing's most recent telemetry entries (from its batches on things/{thing}/telemetry), oldest first.",
    params: s.params.thing,
    query: z.strictObject({
      since: z.coerce.number().int().nonnegative().optional().describe('only entries recorded after this time (epoch ms)'),
      limit: s.queryInteger(5000).default(500).describe('at most this many entries, the most recent'),
    }),
    response: z.object({ thingName: z.string(), entries: z.array(entry) }),
    handle: async ({ params, query }, { registry, telemetry }) => {
      await registry.things.describe(params.thingName);
      return { thingName: params.thingName, entries: await telemetry.entries(params.thingName, { limit: query.limit, ...(query.since !== undefined && { since: query.since }) }) };
    },
  }),
  route({
    operation: 'GetTelemetrySeries', method: 'GET', path: '/things/{thingName}/telemetry/{measure}', tag: 'telemetry',
    summary: "One measure of the thing's telemetry, by time: its points in a range, or aggregates (min, max, avg, count, sum) over the range, per bucket, or downsampled to N buckets. Strings are points only; aggregates take numbers and booleans (1/0).",
    params: z.strictObject({ thingName: s.params.thing.shape.thingName, measure: z.string().min(1).max(128).describe('the measurement name, as in the entries') }),
    query: seriesQuery,
    response: z.object({
      thingName: z.string(), measure: z.string(),
      bucketMs: z.number().int().optional().describe('width of the buckets, when points are buckets'),
      points: z.union([z.array(z.object({ ts: z.number().int(), value: measurement })), z.array(aggregatePoint)]),
      nextFrom: z.number().int().optional().describe('present when limit cut the answer: the from of the next page'),
    }),
    handle: async ({ params, query: q }, { db, registry }) => {
      await registry.things.describe(params.thingName);
      return querySeries(db, params.thingName, params.measure, {
        ...(q.from !== undefined && { from: q.from }), ...(q.to !== undefined && { to: q.to }), ...(q.agg && { agg: q.agg }),
        ...(q.bucket !== undefined && { bucketMs: q.bucket }), ...(q.points !== undefined && { points: q.points }), ...(q.limit !== undefined && { limit: q.limit }),
      });
    },
  }),
  route({
    operation: 'GetTelemetryRetention', method: 'GET', path: '/telemetry-retention', tag: 'telemetry',
    summary: 'How long telemetry is kept: the global limit and those of single things.',
    response: limits,
    handle: (_input, { db }) => retention(db).limits(),
  }),
  route({
    operation: 'SetTelemetryRetention', method: 'PUT', path: '/telemetry-retention', tag: 'telemetry',
    summary: 'Sets the global limit; applied at the next retention run (hourly) or POST /telemetry-retention/run.',
    body: limitBody, response: limits,
    handle: async ({ body }, { db }) => (await retention(db).setLimit(body.maxAge), retention(db).limits()),
  }),
  route({
    operation: 'DeleteTelemetryRetention', method: 'DELETE', path: '/telemetry-retention', tag: 'telemetry',
    summary: 'Removes the global limit: telemetry of things without their own limit is kept.',
    handle: (_input, { db }) => retention(db).setLimit(undefined),
  }),
  route({
    operation: 'SetThingTelemetryRetention', method: 'PUT', path: '/things/{thingName}/telemetry-retention', tag: 'telemetry',
    summary: "Sets the thing's own limit, which wins over the global one.",
    params: s.params.thing, body: limitBody, response: limits,
    handle: async ({ params, body }, { db, registry }) => {
      await registry.things.describe(params.thingName);
      await retention(db).setLimit(body.maxAge, params.thingName);
      return retention(db).limits();
    },
  }),
  route({
    operation: 'DeleteThingTelemetryRetention', method: 'DELETE', path: '/things/{thingName}/telemetry-retention', tag: 'telemetry',
    summary: "Removes the thing's own limit: the global one applies.",
    params: s.params.thing,
    handle: ({ params }, { db }) => retention(db).setLimit(undefined, params.thingName),
  }),
  route({
    operation: 'RunTelemetryRetention', method: 'POST', path: '/telemetry-retention/run', tag: 'telemetry',
    summary: 'Deletes now the points and batches older than their limit; answers how many.',
    response: z.object({ deletedPoints: z.number().int(), deletedBatches: z.number().int() }),
    handle: (_input, { db }) => retention(db).run(),
  }),
];
