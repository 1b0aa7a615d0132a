/** Test support for jobs and OTA: a cloud with one thing whose device (the SDK's MqttClient) is connected, and waiting on the store. */
import { createDevice, realTimer, TCP } from '../../firmware/hal/sim/node/index.js';
import { MqttClient } from '../../sdk/mqtt/client/client.js';
import { until } from '../../test/sdk-calls.js';
import { startCloud, type Cloud } from '../cloud.js';

/**
 * Starts a cloud (in-memory store, no TLS, HTTP API on a free port) with thing `thingName` and
 * connects its device with a device token; `connect()` connects it again (after a simulated reset).
 */
export async function connectedDevice(thingName: string, cleanup: (() => unknown)[]): Promise<{ cloud: Cloud; client: MqttClient; token: string; connect: () => Promise<MqttClient> }> {
  const cloud = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, mqttsPort: null, httpPort: 0 });
  cleanup.push(() => cloud.close());
  await cloud.registry.things.create({ thingName });
  const { token } = await cloud.registry.principals.createToken(thingName);
  createDevice();
  const port = Number(new URL(cloud.broker.urls.mqtt).port);
  const connect = async () => {
    const client = new MqttClient({ clientId: thingName, transport: { TCP, host: '127.0.0.1', port }, timer: realTimer, username: thingName, password: token });
    cleanup.push(() => client.stop());
    client.start();
    await until(() => client.connected, 'connected');
    return client;
  };
  return { cloud, client: await connect(), token, connect };
}

/** Resolves once the async `check` holds; rejects naming `what` after `ms`. */
export async function eventually(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
