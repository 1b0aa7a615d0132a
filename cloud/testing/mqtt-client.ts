/** Test support: MQTT.js clients (the independent peer) that a test closes together, and an inbox per client. */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export function mqttClients() {
  const open: MqttClient[] = [];
  return {
    /** Connects and resolves at CONNACK; rejects with the broker's refusal or when the connection closes first. */
    connect(url: string, options: IClientOptions): Promise<MqttClient> {
      return new Promise((resolve, reject) => {
        const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
        open.push(client);
        client.once('connect', () => resolve(client));
        client.once('error', reject);
        // A TLS handshake the server refuses may end in a close without an error.
        client.once('close', () => reject(new Error('connection closed before CONNACK')));
      });
    },
    closeAll: () => Promise.all(open.splice(0).map((c) => c.endAsync(true))),
  };
}

/** Collects messages per topic; `next(topic)` waits for the next one, parsed as JSON. */
export function inbox(client: MqttClient) {
  const queued = new Map<string, Buffer[]>();
  const waiting = new Map<string, (payload: Buffer) => void>();
  client.on('message', (topic, payload) => {
    const waiter = waiting.get(topic);
    if (waiter) return waiting.delete(topic), waiter(payload);
    queued.set(topic, [...(queued.get(topic) ?? []), payload]);
  });
  return {
    next(topic: string): Promise<unknown> {
      const ready = queued.get(topic)?.shift();
      if (ready) return Promise.resolve(JSON.parse(ready.toString()));
      return new Promise((resolve) => waiting.set(topic, (p) => resolve(JSON.parse(p.toString()))));
    },
  };
}
