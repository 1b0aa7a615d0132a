/**
 * App images for OTA suites: the bytes `ota.deploy` uploads for a suite's image (suite.json
 * `images`) on each target, and how a virtual board boots what its app slot holds. Host-side.
 *
 * - Espruino: the build's script as it is saved in Storage (`espruinoProgram`): the device's
 *   AppSlots (firmware/hal/espruino/app-slots.ts) keeps it in a Storage slot and its boot loader
 *   in `.bootcde` evaluates it, so a virtual board boots by running `.bootcde`, as Espruino does
 *   at power-on.
 * - Moddable: the simulated ESP32's app partitions (`esp32:ota_0`, `esp32:ota_1`, `esp32:otadata`,
 *   firmware/host/xs/device/ota.ts) hold opaque bytes, so a virtual board needs an image it can
 *   run: byte 0 is ESP_IMAGE_HEADER_MAGIC (0xE9, which esp_ota_write and the bootloader check),
 *   then "mote-xs", the SHA-256 of the payload (so the first bytes, which Moddable's AppSlots
 *   compares to tell images apart, differ between builds), the payload's length (u32, little
 *   endian), and the payload: the build's modules (name → source) as JSON, Brotli-compressed to
 *   fit a 64 KiB slot. A slot without that header (the factory app) boots the suite's own build.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { buildModules } from '../../../firmware/host/xs/device.js';
import type { HilTarget } from './suites.js';

const MAGIC = 0xe9;
const TAG = Buffer.from('mote-xs', 'latin1');
const HEADER = 1 + TAG.length + 32 + 4;

/**
 * The Espruino build's script as a saved program (Storage holds bytes): its characters beyond
 * ASCII (in strings, such as the test runner's ' › ') written as \u escapes, so the program
 * means the same whether the engine reads its bytes as UTF-8 or as Latin-1.
 */
export function espruinoProgram(outDir: string, entryName: string): string {
  return readFileSync(path.join(outDir, `${entryName}.js`), 'utf8').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The image of the build in `outDir` (entry `entryName`) that an update to it uploads. */
export async function appImage(target: HilTarget, outDir: string, entryName: string): Promise<Buffer> {
  if (target === 'espruino') return Buffer.from(espruinoProgram(outDir, entryName), 'latin1');
  const payload = brotliCompressSync(JSON.stringify(await buildModules(outDir)), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  const header = Buffer.alloc(HEADER);
  header[0] = MAGIC;
  TAG.copy(header, 1);
  createHash('sha256').update(payload).digest().copy(header, 1 + TAG.length);
  header.writeUInt32LE(payload.length, HEADER - 4);
  return Buffer.concat([header, payload]);
}

/**
 * The slot the simulated ESP32 bootloader boots (as firmware/host/xs/device/ota.ts's
 * bootPartitions: the one otadata names, unless it holds no valid image and the other does).
 */
function bootSlot(flash: Record<string, string>): string | undefined {
  const valid = (name: string) => flash[name] === undefined || flash[name]!.charCodeAt(0) === MAGIC; // an absent ota_0 is the factory app
  const chosen = flash['esp32:otadata'] !== undefined ? flash['esp32:otadata']!.charCodeAt(0) : 0;
  const name = (slot: number) => `esp32:ota_${slot}`;
  return valid(name(chosen)) || !valid(name(1 - chosen)) ? flash[name(chosen)] : flash[name(1 - chosen)];
}

/**
 * Where a Moddable virtual board's app comes from: the suite's build `outDir`, or, when the slot
 * the bootloader boots holds a mote XS image, that image's modules written out as a build in
 * a new folder `scratch()` makes.
 */
export function moddableBootDir(flash: Record<string, string>, outDir: string, scratch: () => string): string {
  const slot = bootSlot(flash);
  if (slot === undefined || slot.length < HEADER || slot.charCodeAt(0) !== MAGIC || slot.slice(1, 1 + TAG.length) !== TAG.toString('latin1')) return outDir;
  const bytes = Buffer.from(slot, 'latin1');
  const length = bytes.readUInt32LE(HEADER - 4);
  const payload = bytes.subarray(HEADER, HEADER + length);
  if (payload.length !== length || !createHash('sha256').update(payload).digest().equals(bytes.subarray(1 + TAG.length, HEADER - 4))) {
    throw new Error('the app slot that boots holds a damaged mote XS image (its SHA-256 does not match)');
  }
  const modules = JSON.parse(brotliDecompressSync(payload).toString('utf8')) as Record<string, string>;
  const dir = scratch();
  const names = Object.keys(modules);
  names.forEach((name, i) => writeFileSync(path.join(dir, `m${i}.js`), modules[name]!));
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ modules: Object.fromEntries(names.map((name, i) => [name, `./m${i}`])) }));
  return dir;
}
