/** Fleet search (AWS's SearchIndex): things by registry, shadow and connectivity (cloud/search/). */
import { z } from 'zod';
import { FleetSearch } from '../../search/index.js';
import { QuerySyntaxError, parseQuery } from '../../search/query.js';
import { route } from '../route.js';
import * as s from '../schemas.js';

const query = z.string().min(1).max(1024).superRefine((text, context) => {
  try {
    parseQuery(text);
  } catch (error) {
    if (!(error instanceof QuerySyntaxError)) throw error;
    context.addIssue({ code: 'custom', message: error.message });
  }
}).describe("a fleet indexing query: thingName:lamp* AND attributes.floor:[1 TO 3] AND NOT connectivity.connected:true");

const indexedShadow = z.object({ reported: z.record(z.string(), z.unknown()).optional(), desired: z.record(z.string(), z.unknown()).optional(), version: z.number().int(), hasDelta: z.boolean() });
const indexedThing = z.object({
  thingName: z.string(), thingTypeName: z.string().optional(), attributes: z.record(z.string(), z.string()), thingGroupNames: z.array(z.string()),
  shadow: indexedShadow.optional(), namedShadows: z.record(z.string(), indexedShadow),
  connectivity: z.object({ connected: z.boolean(), timestamp: z.number().int().optional(), disconnectReason: z.string().optional() }),
});

export const searchRoutes = [
  route({
    operation: 'SearchIndex', method: 'GET', path: '/search', tag: 'search',
    summary: 'Things whose registry entry, shadows and connectivity match a fleet indexing query, by name. A malformed query is refused with its position.',
    query: z.strictObject({
      query,
      maxResults: s.queryInteger(500).default(100).describe('at most this many things per page'),
      nextToken: z.string().max(128).optional().describe('the nextToken of the previous page'),
    }),
    response: z.object({ things: z.array(indexedThing), nextToken: z.string().optional() }),
    handle: ({ query: q }, { db }) => new FleetSearch(db).search(q.query, { maxResults: q.maxResults, ...(q.nextToken !== undefined && { nextToken: q.nextToken }) }),
  }),
];
