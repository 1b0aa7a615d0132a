/**
 * The message bus cloud services plug into: they subscribe to topic filters and publish
 * replies, without knowing whether the broker is embedded (broker/broker.ts) or external. The
 * shadow service binds to it today; rules, jobs and the rest bind the same way.
 */

/** Who published a message the bus delivers; undefined for the cloud's own messages. */
export interface Origin {
  clientId: string;
  /** Identifies this connection of the client (a reconnect gets a new one). */
  sessionId: string;
  /** The thing the connection is attached to, if any. */
  thingName?: string;
  /** The certificate id or device token id the connection proved (the rules engine's principal()). */
  principal?: string;
}

export type BusHandler = (topic: string, payload: Buffer, origin: Origin | undefined) => void;

export interface MessageBus {
  /** Calls `handler` for every message whose topic matches `filter` (MQTT wildcards + and #). */
  subscribe(filter: string, handler: BusHandler): void;
  /**
   * Publishes as the cloud. `to` (a session id) delivers only to that connection, whatever else
   * subscribed: answers that carry secrets, as fleet provisioning's, go back on the connection
   * that asked, as AWS IoT does.
   */
  publish(topic: string, payload: Buffer | string, options?: { qos?: 0 | 1; retain?: boolean; to?: string }): Promise<void>;
}

/** MQTT topic-filter matching, shared with the device SDK. */
export { topicMatches } from '../sdk/mqtt/topics.js';
