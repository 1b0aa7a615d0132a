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
}

export type BusHandler = (topic: string, payload: Buffer, origin: Origin | undefined) => void;

export interface MessageBus {
  /** Calls `handler` for every message whose topic matches `filter` (MQTT wildcards + and #). */
  subscribe(filter: string, handler: BusHandler): void;
  publish(topic: string, payload: Buffer | string, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
}

/** MQTT topic-filter matching [MQTT-4.7]: `+` one level, `#` the rest; `$` topics only match filters that name them. */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && !filter.startsWith('$')) return false; // [MQTT-4.7.2-1]
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
