/** AWS IoT's broker limits and reserved-topic rules that mote enforces (shared/specs/aws-iot-contracts.md). */
import { parseProvisioningTopic } from '../provisioning/topics.js';
import { parseShadowTopic } from '../shadow/topics.js';

/** Largest PUBLISH payload accepted. */
export const MAX_PAYLOAD_BYTES = 128 * 1024;
/** Highest QoS served: a QoS 2 subscription is not granted (0x80), a QoS 2 publish is refused. */
export const MAX_QOS = 1;

/**
 * Devices may publish under `$aws/` only to service request topics, never to what services
 * answer on (`.../accepted`, events, ...).
 */
export function mayPublishReserved(topic: string): boolean {
  if (!topic.startsWith('$')) return true;
  return parseShadowTopic(topic) !== undefined || parseProvisioningTopic(topic) !== undefined || DEVICE_REQUESTS.some((r) => r.test(topic));
}

/** The other requests a device makes under `$aws/`: Jobs, OTA file streams, Defender reports, Basic Ingest. */
const DEVICE_REQUESTS = [
  /^\$aws\/things\/[^/]+\/jobs\/(get|start-next)$/,
  /^\$aws\/things\/[^/]+\/jobs\/[^/]+\/(get|update)$/,
  /^\$aws\/things\/[^/]+\/streams\/[^/]+\/(describe|get)\/(json|cbor)$/,
  /^\$aws\/things\/[^/]+\/defender\/metrics\/(json|cbor)$/,
  /^\$aws\/rules\/[^/]+\/./,
];

/** Nobody subscribes to Basic Ingest topics. */
export function maySubscribe(filter: string): boolean {
  return !filter.startsWith('$aws/rules/');
}
