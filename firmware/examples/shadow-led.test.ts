/**
 * The shadow-controlled LED against a real mote cloud (embedded broker and shadow service): a
 * desired change made in the cloud reaches the device, which drives the LED and reports the state
 * back. On the sim port on Node (from source), and built for Espruino, on a live Espruino device
 * (firmware/host/espruino/device.ts) whose sockets are real TCP connections.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCloud, type Cloud } from '../../cloud/cloud.js';
import { packageFile } from '../../scripts/lib/paths.js';
import { buildFirmware } from '../build/targets.js';
import { createDevice, followRealTime } from '../hal/sim/node/index.js';
import { EspruinoDevice } from '../host/espruino/device.js';
import { XsDevice } from '../host/xs/live-device.js';

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

async function cloudWithLamp() {
  const cloud = await startCloud({ store: { memory: true }, mqttPort: 0, wsPort: null, httpPort: null, mqttsPort: null });
  stops.push(() => cloud.close());
  await cloud.registry.things.create({ thingName: 'lamp-1' });
  const { token } = await cloud.registry.principals.createToken('lamp-1');
  const port = Number(new URL(cloud.broker.urls.mqtt).port);
  return { cloud, config: JSON.stringify({ thing: 'lamp-1', host: '127.0.0.1', port, token }) };
}

const desire = (cloud: Cloud, led: string) => cloud.broker.bus.publish('$aws/things/lamp-1/shadow/update', JSON.stringify({ state: { desired: { led } } }));

describe('shadow-led example, with mote cloud', () => {
  it('built for Espruino, on a live Espruino device: follows the desired led state and reports it back', async () => {
    const { cloud, config } = await cloudWithLamp();
    const outDir = path.join(mkdtempSync(path.join(tmpdir(), 'mote-shadow-led-')), 'espruino');
    await buildFirmware({ target: 'espruino', entry: packageFile('firmware/examples/shadow-led/main.ts'), outDir, name: 'shadow-led' });
    const device = new EspruinoDevice({ board: {}, storage: { 'app.config': config } });
    stops.push(() => device.stop());
    device.load(readFileSync(path.join(outDir, 'main.js'), 'utf8'), readFileSync(path.join(outDir, 'main.js.map'), 'utf8'));

    await until(() => device.output.includes('shadow: in sync'), `the first sync (device printed: ${device.output.join(' | ')})`);
    expect(await reported(cloud, 'lamp-1')).toEqual({ led: 'off', uptime: 0 });
    await desire(cloud, 'on');
    await until(() => device.board!.read(2) === 1, 'the LED on');
    await until(async () => (await reported(cloud, 'lamp-1'))?.led === 'on', 'reported on');
    await desire(cloud, 'off');
    await until(() => device.board!.read(2) === 0, 'the LED off');
    expect(device.output.filter((line) => line.startsWith('led: '))).toEqual(['led: on', 'led: off']);
    expect(device.output.filter((line) => line.startsWith('Uncaught'))).toEqual([]);
  });

  it('built for Moddable, on a live XS device: follows the desired led state and reports it back', async () => {
    const { cloud, config } = await cloudWithLamp();
    const outDir = path.join(mkdtempSync(path.join(tmpdir(), 'mote-shadow-led-')), 'moddable');
    await buildFirmware({ target: 'moddable', entry: packageFile('firmware/examples/shadow-led/main.ts'), outDir, name: 'shadow-led' });
    const device = await XsDevice.start(outDir, { flash: { 'app.config': config } });
    stops.push(() => device.stop());

    await until(() => device.output.includes('shadow: in sync'), `the first sync (device printed: ${device.output.join(' | ')}; worker: ${device.log})`);
    expect(await reported(cloud, 'lamp-1')).toEqual({ led: 'off', uptime: 0 });
    await desire(cloud, 'on');
    await until(() => device.level(2) === 1, 'the LED on');
    await until(async () => (await reported(cloud, 'lamp-1'))?.led === 'on', 'reported on');
    await desire(cloud, 'off');
    await until(() => device.level(2) === 0, 'the LED off');
    expect(device.output.filter((line) => line.startsWith('led: '))).toEqual(['led: on', 'led: off']);
  });

  it('on the sim port on Node: follows the desired led state and reports it back', async () => {
    const { cloud, config } = await cloudWithLamp();
    const device = createDevice({}, { 'app.config': new Uint8Array(Buffer.from(config)) });
    stops.push(followRealTime(device));
    await import('./shadow-led/main.js');

    await until(() => device.output.includes('shadow: in sync'), 'the first sync');
    expect(await reported(cloud, 'lamp-1')).toEqual({ led: 'off', uptime: 0 });

    await desire(cloud, 'on');
    await until(() => device.board.read(2) === 1, 'the LED on');
    await until(async () => (await reported(cloud, 'lamp-1'))?.led === 'on', 'reported on');

    await desire(cloud, 'dim');
    await desire(cloud, 'off');
    await until(() => device.board.read(2) === 0, 'the LED off');
    await until(async () => (await reported(cloud, 'lamp-1'))?.led === 'off', 'reported off');
    expect(device.output.filter((line) => line.startsWith('led: '))).toEqual(['led: on', 'led: off']);
    expect(device.output[0]).toBe('mqtt: connecting');
  });
});
