/**
 * The message bus over an external MQTT broker (Mosquitto, EMQX, ...): the cloud's services
 * become MQTT clients of it. Each filter a service subscribes to is taken as a shared
 * subscription, `$share/<group>/<filter>` (MQTT 5), so the broker hands each request to one of
 * the cloud processes in the group: run more processes to spread the work.
 *
 * Mosquitto (2.0) does not deliver `$`-topics to shared subscriptions: with `partition`, filters
 * starting with `$` (`$aws/things/...`) are subscribed plainly by every process, and each
 * handles the messages of its own partition of things (a hash of the topic's first three
 * levels, so one thing's requests stay in order on one process). EMQX shares them: leave
 * `partition` out.
 *
 * The broker does not say who published a message, so handlers get no origin: per-connection
 * limits do not apply, and answers meant for one connection only (`publish` with `to`, as fleet
 * provisioning's) cannot be made; such a publish is refused.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { topicMatches, type BusHandler, type MessageBus } from '../bus.js';

export interface ExternalBusOptions {
  /** mqtt://, mqtts://, ws:// or wss:// URL of the broker. */
  url: string;
  /** Shared-subscription group: processes in one group share the work (default 'mote'). */
  group?: string;
  /** Client id (default: mote-cloud- and random hex); user name, password, TLS options, ... */
  client?: IClientOptions;
  /** For brokers that cannot share `$`-topics: this process's partition (0-based) of `count`. */
  partition?: { index: number; count: number };
}

/** FNV-1a: a stable, well-spread hash to pick a message's partition. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** The partition a `$`-topic belongs to: one per thing for `$aws/things/{thing}/...`. */
export const partitionOf = (topic: string, count: number): number => fnv1a(topic.split('/').slice(0, 3).join('/')) % count;

export interface ExternalBus extends MessageBus {
  /** Messages handed to this process so far (to see the work spread). */
  readonly delivered: number;
  /** Resolves once the broker has granted every subscription made so far. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export async function connectExternalBus(options: ExternalBusOptions): Promise<ExternalBus> {
  const group = options.group ?? 'mote';
  const { partition } = options;
  if (partition && !(Number.isInteger(partition.index) && Number.isInteger(partition.count) && partition.index >= 0 && partition.index < partition.count)) {
    throw new Error(`partition must be 0..count-1 of a whole count, not ${partition.index}/${partition.count}`);
  }
  /** The subscription made at the broker for a service's filter. */
  const brokerFilter = (filter: string) => (partition && filter.startsWith('$') ? filter : `$share/${group}/${filter}`);
  const mine = (topic: string) => !partition || !topic.startsWith('$') || partitionOf(topic, partition.count) === partition.index;
  const client: MqttClient = await mqtt.connectAsync(options.url, {
    protocolVersion: 5,
    clientId: `mote-cloud-${Math.random().toString(16).slice(2, 10)}`,
    reconnectPeriod: 1000,
    ...options.client,
  });
  const subscriptions: { filter: string; handler: BusHandler }[] = [];
  let delivered = 0;
  const granted: Promise<unknown>[] = [];
  client.on('message', (topic, payload) => {
    if (!mine(topic)) return;
    let matched = false;
    for (const { filter, handler } of subscriptions) {
      if (!topicMatches(filter, topic)) continue;
      matched = true;
      handler(topic, payload, undefined);
    }
    if (matched) delivered++;
  });
  // The broker keeps no session for us (clean start), so subscriptions are made again on reconnect.
  client.on('connect', (connack) => {
    if (connack.sessionPresent) return;
    for (const { filter } of subscriptions) client.subscribe(brokerFilter(filter), { qos: 1 });
  });
  return {
    get delivered() {
      return delivered;
    },
    subscribe(filter, handler) {
      subscriptions.push({ filter, handler });
      granted.push(client.subscribeAsync(brokerFilter(filter), { qos: 1 }));
    },
    ready: async () => void (await Promise.all(granted)),
    async publish(topic, payload, { qos = 0, retain = false, to } = {}) {
      if (to !== undefined) throw new Error(`cannot answer one connection only through an external broker (topic ${topic})`);
      await client.publishAsync(topic, Buffer.from(payload), { qos, retain });
    },
    close: () => client.endAsync(),
  };
}
