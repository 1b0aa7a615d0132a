/**
 * The shadow service on MQTT: requests arrive on `.../shadow[/name/N]/{get,update,delete}` and
 * the service's answers go out on the matching `/accepted`, `/rejected`, `/delta` and
 * `/documents` topics. At most 10 requests per connection are in flight; more get 429.
 */
import type { MessageBus } from '../bus.js';
import { shadowErrors } from './errors.js';
import type { ShadowService } from './service.js';
import { parseShadowTopic, shadowRequestFilters } from './topics.js';

export const MAX_IN_FLIGHT_PER_CONNECTION = 10;

export function bindShadowService(bus: MessageBus, service: ShadowService, onError: (error: Error) => void): void {
  const inFlight = new Map<string, number>();
  const handle = async (topic: string, payload: Buffer, session: string | undefined) => {
    const request = parseShadowTopic(topic);
    if (request === undefined) return;
    const reply = (suffix: string, body: object) => bus.publish(`${request.prefix}/${suffix}`, JSON.stringify(body), { qos: 1 });
    if (session !== undefined && (inFlight.get(session) ?? 0) >= MAX_IN_FLIGHT_PER_CONNECTION) {
      const error = shadowErrors.tooManyRequests();
      return reply(`${request.operation}/rejected`, { code: error.code, message: error.message, timestamp: Math.floor(Date.now() / 1000) });
    }
    if (session !== undefined) inFlight.set(session, (inFlight.get(session) ?? 0) + 1);
    try {
      const outcome = await service[request.operation](request, payload);
      for (const message of outcome.messages) await reply(message.suffix, message.payload);
    } finally {
      if (session !== undefined) {
        const left = inFlight.get(session)! - 1;
        if (left === 0) inFlight.delete(session);
        else inFlight.set(session, left);
      }
    }
  };
  for (const filter of shadowRequestFilters) {
    bus.subscribe(filter, (topic, payload, origin) => void handle(topic, payload, origin?.sessionId).catch(onError));
  }
}
