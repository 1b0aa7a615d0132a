// OTA images for virtual boards: the Moddable image round trip through the slot the simulated
// bootloader picks, the factory slot, a damaged image; the Espruino saved program kept 7-bit.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModules } from '../../../firmware/host/xs/device.js';
import { appImage, espruinoProgram, moddableBootDir } from './images.js';

const temp = () => mkdtempSync(path.join(os.tmpdir(), 'mote-hil-images-'));

/** A Moddable build output of two modules. */
function moddableBuild(text: string): string {
  const dir = temp();
  mkdirSync(path.join(dir, 'lib'));
  writeFileSync(path.join(dir, 'main.js'), `import { say } from 'lib/say'; say(${JSON.stringify(text)});`);
  writeFileSync(path.join(dir, 'lib', 'say.js'), 'export function say(t) { trace(t); }');
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ modules: { '*': ['./main'], 'lib/say': './lib/say' } }));
  return dir;
}

const slot = (image: Buffer) => Buffer.concat([image, Buffer.alloc(64 * 1024 - image.length, 0xff)]).toString('latin1');

describe('OTA images', () => {
  it('a Moddable image in the slot otadata names boots its own modules; otherwise the factory build', async () => {
    const factory = moddableBuild('v1');
    const image = await appImage('moddable', moddableBuild('v2 ›'), 'main');
    expect(image[0]).toBe(0xe9);
    expect(image.length).toBeLessThan(1024);

    const updated = moddableBootDir({ 'esp32:otadata': '\x01', 'esp32:ota_1': slot(image) }, factory, temp);
    expect(updated).not.toBe(factory);
    expect(await buildModules(updated)).toEqual({ main: `import { say } from 'lib/say'; say("v2 ›");`, 'lib/say': 'export function say(t) { trace(t); }' });

    expect(moddableBootDir({}, factory, temp)).toBe(factory); // never updated
    expect(moddableBootDir({ 'esp32:otadata': '\x00', 'esp32:ota_1': slot(image) }, factory, temp)).toBe(factory); // pointed back at slot 0
    // otadata names a slot without a valid image (first byte erased): the bootloader boots the other one.
    expect(moddableBootDir({ 'esp32:otadata': '\x00', 'esp32:ota_0': '\xff'.repeat(16), 'esp32:ota_1': slot(image) }, factory, temp)).not.toBe(factory);
  });

  it('refuses a damaged Moddable image rather than booting it', async () => {
    const image = await appImage('moddable', moddableBuild('v2'), 'main');
    image[image.length - 1]! ^= 1;
    expect(() => moddableBootDir({ 'esp32:otadata': '\x01', 'esp32:ota_1': slot(image) }, moddableBuild('v1'), temp)).toThrow(/damaged mote XS image/);
  });

  it('the Espruino image is the saved program: the script with what is beyond ASCII as \\u escapes', async () => {
    const dir = temp();
    writeFileSync(path.join(dir, 'main.js'), "print('boot › 2');\n");
    expect(espruinoProgram(dir, 'main')).toBe("print('boot \\u203a 2');\n");
    expect((await appImage('espruino', dir, 'main')).toString('latin1')).toBe(espruinoProgram(dir, 'main'));
    expect(readFileSync(path.join(dir, 'main.js'), 'utf8')).toContain('›'); // the build itself is untouched
  });
});
