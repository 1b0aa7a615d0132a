/** The shadow service's MQTT topics: `$aws/things/{thing}/shadow[/name/{shadow}]/{get|update|delete}`. */
import type { ShadowId } from './service.js';

export interface ShadowRequest extends ShadowId {
  operation: 'get' | 'update' | 'delete';
  /** `$aws/things/{thing}/shadow` or `.../shadow/name/{shadow}`: responses go to prefix + '/' + suffix. */
  prefix: string;
}

const request = /^\$aws\/things\/([^/+#]+)\/shadow(?:\/name\/([^/+#]+))?\/(get|update|delete)$/;

/** The request a topic carries, or undefined if it is not a shadow request topic. */
export function parseShadowTopic(topic: string): ShadowRequest | undefined {
  const match = request.exec(topic);
  if (!match) return undefined;
  const [, thingName, shadowName, operation] = match;
  return {
    thingName: thingName!,
    ...(shadowName !== undefined && { shadowName }),
    operation: operation as ShadowRequest['operation'],
    prefix: topic.slice(0, topic.length - operation!.length - 1),
  };
}

/** `$aws/things/{thing}/shadow[/name/{shadow}]`: a shadow's topics are this plus '/' and a suffix. */
export const shadowTopicPrefix = (id: ShadowId): string => `$aws/things/${id.thingName}/shadow${id.shadowName === undefined ? '' : `/name/${id.shadowName}`}`;

/** The topic filters the service subscribes to (classic and named). */
export const shadowRequestFilters = ['$aws/things/+/shadow/+', '$aws/things/+/shadow/name/+/+'] as const;
