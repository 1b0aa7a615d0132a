/**
 * FOR TESTS ONLY: an in-process stand-in for an MQTT broker, so SDK services can be tested
 * before (and besides) the real MQTT client. Not a broker: no sessions, no QoS retries, no
 * retained messages, no auth. It routes each publish to every subscription whose filter
 * matches the topic (MQTT 3.1.1 section 4.7, ../mqtt/topics.ts), the publisher's own included,
 * as a broker does. Bad topic names and filters are refused as the real client refuses them.
 *
 * Delivery is asynchronous (a microtask per message, in publish order), as over a socket:
 * a handler never runs inside the `publish` call that caused it. Engine-neutral (Promise only),
 * so the same scenarios run on Node, on the Espruino host and on XS.
 *
 *   const pair = connectionPair();          // pair.device and pair.service are MqttConnections
 *   pair.router.drop = (topic) => ...;      // lose chosen messages (tests of retries)
 */
import type { Done, Message, MessageHandler, MqttConnection, Payload, PublishOptions, QoS } from '../mqtt/connection.js';
import { toBytes } from '../bytes.js';
import { topicFilterProblem, topicMatches, topicNameProblem } from '../mqtt/topics.js';

interface Subscription {
  connection: TestConnection;
  filter: string;
  handler: MessageHandler;
}

const later = (fn: () => void) => void Promise.resolve().then(fn);

export class TestRouter {
  private subscriptions: Subscription[] = [];
  /** Every message routed, in order (topic and payload), for assertions. */
  readonly log: { topic: string; payload: Uint8Array; from: string }[] = [];
  /** Return true to lose a message (it reaches no subscriber; the publisher still gets `done()`). */
  drop: ((topic: string, payload: Uint8Array) => boolean) | undefined;

  connect(clientId: string): TestConnection {
    return new TestConnection(this, clientId);
  }

  /** @internal */
  route(from: TestConnection, topic: string, payload: Uint8Array, qos: QoS, retain: boolean): void {
    this.log.push({ topic, payload, from: from.clientId });
    if (this.drop && this.drop(topic, payload)) return;
    const targets = this.subscriptions.filter((s) => s.connection.connected && topicMatches(s.filter, topic));
    for (const s of targets) {
      const message: Message = { topic, payload, qos, retain };
      later(() => {
        if (s.connection.connected && this.subscriptions.indexOf(s) >= 0) s.handler(message);
      });
    }
  }

  /** @internal */
  add(subscription: Subscription): void {
    this.subscriptions.push(subscription);
  }

  /** @internal */
  remove(connection: TestConnection, filter: string, handler: MessageHandler | undefined): void {
    this.subscriptions = this.subscriptions.filter((s) => !(s.connection === connection && s.filter === filter && (!handler || s.handler === handler)));
  }

  /** The filters `connection` is subscribed to (one entry per handler). */
  filtersOf(connection: TestConnection): string[] {
    return this.subscriptions.filter((s) => s.connection === connection).map((s) => s.filter);
  }
}

export class TestConnection implements MqttConnection {
  connected = true;
  constructor(
    readonly router: TestRouter,
    readonly clientId: string,
  ) {}

  publish(topic: string, payload: Payload, options: PublishOptions = {}, done?: Done): void {
    const problem = topicNameProblem(topic);
    if (problem || !this.connected) {
      if (done) later(() => done(new Error(problem || 'not connected')));
      return;
    }
    this.router.route(this, topic, toBytes(payload), options.qos || 0, !!options.retain);
    if (done) later(() => done());
  }

  subscribe(filter: string, handler: MessageHandler, _options?: { qos?: QoS }, done?: Done): void {
    const problem = topicFilterProblem(filter);
    if (problem) {
      if (done) later(() => done(new Error(problem)));
      return;
    }
    this.router.add({ connection: this, filter, handler });
    if (done) later(() => done());
  }

  unsubscribe(filter: string, handler?: MessageHandler, done?: Done): void {
    this.router.remove(this, filter, handler);
    if (done) later(() => done());
  }
}

/** A router with two connections on it: `device` (the code under test) and `service` (its peer). */
export function connectionPair(deviceId = 'device', serviceId = 'service'): { router: TestRouter; device: TestConnection; service: TestConnection } {
  const router = new TestRouter();
  return { router, device: router.connect(deviceId), service: router.connect(serviceId) };
}
