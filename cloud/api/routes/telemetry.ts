/** Telemetry the cloud stored (cloud/telemetry/store.ts): a thing's most recent entries. */
import { z } from 'zod';
import { route } from '../route.js';
import * as s from '../schemas.js';

const entry = z.object({
  ts: z.number().describe('epoch milliseconds, as the device recorded it'),
  m: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).describe('measurements by name'),
});

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
];
