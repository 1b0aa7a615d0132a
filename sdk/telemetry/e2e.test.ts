// End to end: telemetry over the device MQTT client (sdk/mqtt/client, on the sim port's Node
// TCP) to mote's cloud broker (device-token auth, default policy); the cloud's bus sees the batches.
import { afterEach, describe, expect, it } from 'vitest';
import { startCloud } from '../../cloud/cloud.js';
import { createDevice, realTimer, TCP } from '../../firmware/hal/sim/node/index.js';
import { MqttClient } from '../mqtt/client/client.js';
import { decodeBatch, Telemetry, type TelemetryBatch } from './index.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function until(check: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('telemetry over the device MQTT client and the cloud broker', () => {
  it('JSON and CBOR batches reach the cloud with the thing as their origin', async () => {
    const cloud = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: 0, mqttsPort: null, httpPort: null });
    cleanup.push(() => cloud.close());
    await cloud.registry.things.create({ thingName: 'greenhouse' });
    const { token } = await cloud.registry.principals.createToken('greenhouse');
    const received: { topic: string; batch: TelemetryBatch; thing?: string }[] = [];
    cloud.broker.bus.subscribe('things/+/telemetry/#', (topic, payload, origin) => {
      received.push({ topic, batch: decodeBatch(topic.endsWith('/cbor') ? 'cbor' : 'json', payload), thing: origin?.thingName });
    });
    createDevice();
    const port = Number(new URL(cloud.broker.urls.mqtt).port);
    const client = new MqttClient({ clientId: 'greenhouse', transport: { TCP, host: '127.0.0.1', port }, timer: realTimer, username: 'greenhouse', password: token });
    cleanup.push(() => client.stop());
    client.start();
    await until(() => client.connected, 'connected');

    const json = new Telemetry(client, { thingName: 'greenhouse', timer: realTimer, topic: 'things/greenhouse/telemetry/json' });
    const cbor = new Telemetry(client, { thingName: 'greenhouse', timer: realTimer, topic: 'things/greenhouse/telemetry/cbor', format: 'cbor' });
    cleanup.push(() => (json.close(), cbor.close()));
    json.record({ temp: 21.5, fan: true }, 1_763_800_000_000);
    cbor.record({ temp: 22.25, fan: 'off' }, 1_763_800_001_000);
    const flushed: (Error | undefined)[] = [];
    json.flush((e) => flushed.push(e));
    cbor.flush((e) => flushed.push(e));
    await until(() => flushed.length === 2 && received.length === 2, 'both batches');
    expect(flushed).toEqual([undefined, undefined]);
    expect(received.sort((a, b) => a.topic.localeCompare(b.topic))).toEqual([
      { topic: 'things/greenhouse/telemetry/cbor', thing: 'greenhouse', batch: { seq: 0, dropped: 0, entries: [{ ts: 1_763_800_001_000, m: { temp: 22.25, fan: 'off' } }] } },
      { topic: 'things/greenhouse/telemetry/json', thing: 'greenhouse', batch: { seq: 0, dropped: 0, entries: [{ ts: 1_763_800_000_000, m: { temp: 21.5, fan: true } }] } },
    ]);
  });
});
