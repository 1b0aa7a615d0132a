/** XsDevice: a live Moddable device on XS: exceptions in callbacks reported with the lines before them, flash read back for a reset. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildFirmware } from '../../build/targets.js';
import { XsDevice } from './live-device.js';

const devices: XsDevice[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) await d.stop();
});

function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => (condition() ? resolve() : Date.now() - started > ms ? reject(new Error(`timed out waiting for ${what}`)) : setTimeout(check, 10));
    check();
  });
}

async function build(source: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mote-xs-live-'));
  writeFileSync(path.join(dir, 'main.ts'), source);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', type: 'module' }));
  const outDir = path.join(dir, 'out');
  await buildFirmware({ target: 'moddable', entry: path.join(dir, 'main.ts'), outDir, name: 'app' });
  return outDir;
}

describe('XsDevice', () => {
  it('reports an exception thrown in a timer callback with the lines printed before it, and keeps running', async () => {
    const outDir = await build(`
      import Timer from 'timer';
      declare function trace(text: string): void;
      let n = 0;
      Timer.set(() => { trace('before the throw\\n'); throw new Error('boom'); }, 10);
      Timer.repeat(() => { n++; if (n === 3) trace('still running\\n'); }, 20);
    `);
    const device = await XsDevice.start(outDir);
    devices.push(device);
    await until(() => device.output.includes('still running'), 'the other timer');
    expect(device.output.slice(0, 2)).toEqual(['before the throw', 'Uncaught Error: boom']);
  });

  it('hands its flash back, and a new device started with it sees the stored values', async () => {
    const outDir = await build(`
      import Preference from 'preference';
      declare function trace(text: string): void;
      const boots = Number(Preference.get('app', 'boots') ?? 0) + 1;
      Preference.set('app', 'boots', String(boots));
      trace('boot ' + boots + '\\n');
    `);
    const first = await XsDevice.start(outDir);
    devices.push(first);
    await until(() => first.output.includes('boot 1'), 'the first boot');
    const flash = await first.flash();
    await first.stop();
    const second = await XsDevice.start(outDir, { flash });
    devices.push(second);
    await until(() => second.output.includes('boot 2'), 'the second boot');
  });

  it('boots the app slot the seeded otadata names (the bootloader runs over the flash it is given)', async () => {
    const outDir = await build(`
      import Flash from 'flash';
      declare function trace(text: string): void;
      const head = new Uint8Array(new Flash('running').read(0, 4));
      trace('running ' + Array.from(head).join(',') + '\\n');
    `);
    // Slot 1 written by an update (every byte value, as an image has), otadata pointing at it.
    const image = Buffer.alloc(64 * 1024, 0xff);
    for (let i = 0; i < image.length; i++) image[i] = i === 0 ? 0xe9 : (i * 7) & 0xff;
    const flash = { 'esp32:otadata': '\x01', 'esp32:ota_1': image.toString('latin1') };
    const device = await XsDevice.start(outDir, { flash });
    devices.push(device);
    await until(() => device.output.some((line) => line.startsWith('running ')), 'the app');
    expect(device.output).toContain(`running ${[...image.subarray(0, 4)].join(',')}`);
    // What it hands back is what it was given.
    expect((await device.flash())['esp32:ota_1']).toBe(flash['esp32:ota_1']);
  });
});
