/**
 * The Device Shadow service in AWS's REST form: `GET|POST|DELETE /things/{thing}/shadow?name=`.
 * Answers are the MQTT `accepted` payloads, errors AWS's `{code, message, timestamp}` with the
 * code as HTTP status. A change made here is also published on the shadow's MQTT topics
 * (`update/accepted`, `update/delta`, `update/documents`, `delete/accepted`), as AWS does.
 */
import { z } from 'zod';
import type { ShadowId, ShadowOutcome } from '../../shadow/service.js';
import { shadowTopicPrefix } from '../../shadow/topics.js';
import { Reply, route, type ApiServices } from '../route.js';
import * as s from '../schemas.js';

const MAX_REQUEST_BYTES = 128 * 1024; // AWS IoT's message size limit; the state limit (8 KB) is the service's

const query = z.strictObject({ name: s.shadowName.optional().describe('a named shadow; absent: the classic shadow') });

async function answer(id: ShadowId, outcome: ShadowOutcome, { bus }: ApiServices): Promise<unknown> {
  if (!outcome.accepted) return new Reply(outcome.error.code, outcome.response);
  if (outcome.operation !== 'get') {
    for (const message of outcome.messages) await bus.publish(`${shadowTopicPrefix(id)}/${message.suffix}`, JSON.stringify(message.payload), { qos: 1 });
  }
  return outcome.response;
}

const shadowId = (params: { thingName: string }, query: { name?: string }): ShadowId => ({ thingName: params.thingName, ...(query.name !== undefined && { shadowName: query.name }) });

export const shadowRoutes = [
  route({
    operation: 'GetThingShadow', method: 'GET', path: '/things/{thingName}/shadow', tag: 'shadows',
    summary: 'The shadow document: desired, reported and delta state, metadata, version.',
    params: s.params.thing, query, response: s.shadowDocument, errorResponse: s.shadowRefusal,
    handle: async ({ params, query }, services) => answer(shadowId(params, query), await services.shadows.get(shadowId(params, query)), services),
  }),
  route({
    operation: 'UpdateThingShadow', method: 'POST', path: '/things/{thingName}/shadow', tag: 'shadows',
    summary: 'Updates the shadow: `{"state":{"desired":{..},"reported":{..}},"version":N,"clientToken":".."}`; null deletes a key.',
    params: s.params.thing, query,
    rawBody: { limit: MAX_REQUEST_BYTES, contentTypes: ['application/json'], description: 'a shadow update request (the Device Shadow contract)' },
    response: s.shadowDocument, errorResponse: s.shadowRefusal,
    handle: async ({ params, query, body }, services) => answer(shadowId(params, query), await services.shadows.update(shadowId(params, query), body ?? ''), services),
  }),
  route({
    operation: 'DeleteThingShadow', method: 'DELETE', path: '/things/{thingName}/shadow', tag: 'shadows',
    summary: 'Deletes the shadow document; its version counter carries on at the next update.',
    params: s.params.thing, query, response: s.shadowDocument, errorResponse: s.shadowRefusal,
    handle: async ({ params, query }, services) => answer(shadowId(params, query), await services.shadows.delete(shadowId(params, query)), services),
  }),
  route({
    operation: 'ListNamedShadowsForThing', method: 'GET', path: '/things/{thingName}/shadows', tag: 'shadows', summary: "Names of the thing's named shadows.",
    params: s.params.thing, response: z.object({ results: z.array(z.string()), timestamp: z.number().int() }),
    handle: async ({ params }, { registry, shadows }) => {
      await registry.things.describe(params.thingName);
      return { results: await shadows.listNamed(params.thingName), timestamp: Math.floor(Date.now() / 1000) };
    },
  }),
];
