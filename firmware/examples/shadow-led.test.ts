/**
 * The shadow-controlled LED against a real mote cloud (embedded broker and shadow service), on
 * the sim port on Node: a desired change made in the cloud reaches the device, which drives the
 * LED and reports the state back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startCloud, type Cloud } from '../../cloud/cloud.js';
import { createDevice, followRealTime } from '../hal/sim/node/index.js';

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function until(condition: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = async () => {
      if (await condition()) resolve();
      else if (Date.now() - started > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 20);
    };
    void check();
  });
}

async function reported(cloud: Cloud, thing: string): Promise<Record<string, unknown> | undefined> {
  const outcome = (await cloud.shadows.get({ thingName: thing })) as { accepted: boolean; response: { state?: { reported?: Record<string, unknown> } } };
  return outcome.accepted ? outcome.response.state?.reported : undefined;
}

describe('shadow-led example on the sim port, with mote cloud', () => {
  it('follows the desired led state and reports it back', async () => {
    const cloud = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null });
    stops.push(() => cloud.close());
    await cloud.registry.things.create({ thingName: 'lamp-1' });
    const { token } = await cloud.registry.principals.createToken('lamp-1');
    const port = Number(new URL(cloud.broker.urls.mqtt).port);

    const config = JSON.stringify({ thing: 'lamp-1', host: '127.0.0.1', port, token });
    const device = createDevice({}, { 'app.config': new Uint8Array(Buffer.from(config)) });
    stops.push(followRealTime(device));
    await import('./shadow-led/main.js');

    await until(() => device.output.includes('shadow: in sync'), 'the first sync');
    expect(await reported(cloud, 'lamp-1')).toEqual({ led: 'off', uptime: 0 });

    await cloud.broker.bus.publish('$aws/things/lamp-1/shadow/update', JSON.stringify({ state: { desired: { led: 'on' } } }));
    await until(() => device.board.read(2) === 1, 'the LED on');
    await until(async () => (await reported(cloud, 'lamp-1'))?.led === 'on', 'reported on');

    await cloud.broker.bus.publish('$aws/things/lamp-1/shadow/update', JSON.stringify({ state: { desired: { led: 'dim' } } }));
    await cloud.broker.bus.publish('$aws/things/lamp-1/shadow/update', JSON.stringify({ state: { desired: { led: 'off' } } }));
    await until(() => device.board.read(2) === 0, 'the LED off');
    await until(async () => (await reported(cloud, 'lamp-1'))?.led === 'off', 'reported off');
    expect(device.output.filter((line) => line.startsWith('led: '))).toEqual(['led: on', 'led: off']);
    expect(device.output[0]).toBe('mqtt: connecting');
  });
});
