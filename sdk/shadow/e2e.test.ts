// End to end: the device's shadow client and mirror over the device MQTT client
// (sdk/mqtt/client, on the sim port's Node TCP) to mote's cloud (startCloud: the embedded
// broker with device-token auth and the default policy, the shadow service bound to it).
import { afterEach, describe, expect, it } from 'vitest';
import { startCloud, type Cloud } from '../../cloud/cloud.js';
import { createDevice, realTimer, TCP } from '../../firmware/hal/sim/node/index.js';
import { MqttClient } from '../mqtt/client/client.js';
import { ShadowClient, type ShadowDocument, type UpdateAccepted } from './client.js';
import { ShadowMirror } from './mirror.js';
import { call, until } from '../../test/sdk-calls.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});


describe('shadow over the device MQTT client and the cloud broker', () => {
  it('the mirror syncs, applies a desired change made through the broker, and the cloud holds the reports', async () => {
    const cloud: Cloud = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: 0, mqttsPort: null, httpPort: null });
    cleanup.push(() => cloud.close());
    await cloud.registry.things.create({ thingName: 'lamp' });
    const { token } = await cloud.registry.principals.createToken('lamp');
    createDevice();
    const port = Number(new URL(cloud.broker.urls.mqtt).port);
    const client = new MqttClient({ clientId: 'lamp', transport: { TCP, host: '127.0.0.1', port }, timer: realTimer, username: 'lamp', password: token });
    cleanup.push(() => client.stop());
    client.start();
    await until(() => client.connected, 'connected');

    const lamp = new ShadowClient(client, { thingName: 'lamp' });
    expect((await call(lamp.get.bind(lamp))).error?.code).toBe(404);
    const mirror = new ShadowMirror(lamp, { reported: { on: false, level: 1 }, desired: { level: (level: number) => Math.min(level, 5) } });
    await call<void>((d) => mirror.start(d));
    // Someone sets desired (here the device's own second client: the default policy allows it).
    const app = new ShadowClient(client, { thingName: 'lamp' });
    const set = await call<UpdateAccepted>((d) => app.update({ state: { desired: { level: 9 } } }, d));
    expect(set.value?.version).toBe(2);
    await until(() => mirror.reported.level === 5, 'delta applied');
    let document: ShadowDocument | undefined;
    for (let i = 0; i < 100 && document?.state.reported?.level !== 5; i++) {
      document = (await call<ShadowDocument>(lamp.get.bind(lamp))).value;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(document!.state).toEqual({ desired: { level: 9 }, reported: { on: false, level: 5 }, delta: { level: 9 } });

    const conflict = await call((d) => lamp.update({ state: { reported: { on: true } }, version: 1 }, d));
    expect([conflict.error?.code, conflict.error?.message]).toEqual([409, 'Version conflict']);
    // Not this thing's shadow: the broker's policy refuses the subscription, and the request fails.
    const other = await call((d) => new ShadowClient(client, { thingName: 'other' }).get(d));
    expect(other.error?.message).toMatch(/other\/shadow\/get\/(accepted|rejected)/);
  });
});
