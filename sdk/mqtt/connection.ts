/**
 * MqttConnection: what the SDK's services (shadow, jobs, OTA, provisioning, telemetry, buttons,
 * defender) need from an MQTT connection. The MQTT client (client.ts) implements it; services
 * take one as a parameter and never import the client, so they run over any implementation.
 *
 * Every call returns at once (host context or task, never blocks). Completion comes through the
 * optional `done` callback, in host context; a task waits for it with `awaitDone` (../wait.ts).
 */
export type Payload = Uint8Array | string;
export type QoS = 0 | 1;

export interface Message {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

export type MessageHandler = (message: Message) => void;
export type Done = (error?: Error) => void;

export interface PublishOptions {
  /** Default 0. QoS 1 is sent again (DUP) until acknowledged, across reconnects and resets. */
  qos?: QoS;
  retain?: boolean;
}

export interface MqttConnection {
  readonly clientId: string;
  /** Whether the connection is up (CONNACK accepted, not yet lost). */
  readonly connected: boolean;
  /**
   * Sends a message. QoS 0: `done()` once written (an error if offline: QoS 0 is not queued).
   * QoS 1: queued while offline; `done()` when the broker acknowledges it.
   */
  publish(topic: string, payload: Payload, options?: PublishOptions, done?: Done): void;
  /**
   * Calls `handler` for every message whose topic matches `filter` (MQTT wildcards `+`, `#`),
   * from now on, across reconnects (the client resubscribes). `done(error)` if the broker refuses
   * the subscription (SUBACK 0x80).
   */
  subscribe(filter: string, handler: MessageHandler, options?: { qos?: QoS }, done?: Done): void;
  /** Stops `handler` (every handler of `filter` when omitted); unsubscribes when none is left. */
  unsubscribe(filter: string, handler?: MessageHandler, done?: Done): void;
}
