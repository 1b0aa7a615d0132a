/**
 * AppSlots on real-flash ports, from each target's build output (fixtures/ota-app), booted again
 * and again from the flash the previous boot left:
 * - Espruino on the Espruino-dialect host: each boot runs Storage's `.bootcde`, as Espruino does;
 *   the new image is the app itself with another version string, so a boot shows which ran;
 * - Moddable on XS, with the simulated `ota` and `flash` modules (host/xs/device/ota.ts): the
 *   image is ESP32-like bytes; otadata and the partitions show what the bootloader will boot.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFirmware } from '../build/targets.js';
import { runOnEspruinoHost } from '../host/espruino/run.js';
import { runModdableOnXS } from '../host/xs/device.js';
import { LOADER } from './espruino/app-slots.js';

const out = mkdtempSync(path.join(tmpdir(), 'mote-app-slots-'));
const entry = path.join(import.meta.dirname, 'fixtures/ota-app/main.ts');
const binary = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** The image as Storage keys `img.b<i>` of 1 KiB (binary strings), and the plan. */
function files(plan: string, image?: Uint8Array | string): Record<string, string> {
  const record: Record<string, string> = { 'test.plan': plan };
  if (image === undefined) return record;
  const text = typeof image === 'string' ? image : binary(image);
  for (let i = 0; i * 1024 < text.length; i++) record[`img.b${i}`] = text.slice(i * 1024, (i + 1) * 1024);
  return record;
}

/** The flash with what a boot leaves but the last boot's test files replaced. */
function next(flash: Record<string, string>, plan: string, image?: Uint8Array | string): Record<string, string> {
  const kept = Object.fromEntries(Object.entries(flash).filter(([name]) => !name.startsWith('test.') && !name.startsWith('img.')));
  return { ...kept, ...files(plan, image) };
}

describe('AppSlots on Espruino: two Storage files and a boot loader in .bootcde', () => {
  let app: string;
  beforeAll(async () => {
    const outDir = path.join(out, 'espruino');
    await buildFirmware({ target: 'espruino', entry, outDir, name: 'ota-app' });
    app = readFileSync(path.join(outDir, 'main.js'), 'utf8');
  });
  /** The app with another version string: a new image that shows when it runs. */
  const version = (n: number) => app.replace(/(['"])version-1\1/, `$1version-${n}$1`);

  /** One boot: Espruino runs `.bootcde`. */
  async function boot(storage: Record<string, string>) {
    const run = await runOnEspruinoHost(storage['.bootcde']!, { storage });
    return { output: run.output, storage: run.storage };
  }

  it('writes an image in blocks, boots it on trial, rolls back an unconfirmed one, keeps a confirmed one', async () => {
    const v2 = version(2);
    expect(v2).not.toBe(app);

    let run = await boot({ '.bootcde': app, ...files('update', v2) });
    expect(run.output).toEqual(['version-1 boots idle', `wrote ${v2.length} bytes in ${Math.ceil(v2.length / 1024)} blocks, read back equal`, 'update: pending']);
    // The app that was in .bootcde is kept as slot 0 and the loader takes its place.
    expect(run.storage['.bootcde']).toBe(LOADER);
    expect(run.storage['mote.app0']).toBe(`#${app}`);
    expect(run.storage['mote.app1']).toBe(`#${v2}`);

    run = await boot(next(run.storage, 'none'));
    expect(run.output).toEqual(['version-2 boots trial', 'none: trial']);
    run = await boot(next(run.storage, 'none')); // reset before it confirmed
    expect(run.output).toEqual(['version-1 boots rolled-back', 'none: rolled-back']);

    run = await boot(next(run.storage, 'update', v2));
    expect(run.output.at(-1)).toBe('update: pending');
    run = await boot(next(run.storage, 'confirm'));
    expect(run.output).toEqual(['version-2 boots trial', 'confirm: idle']);
    run = await boot(next(run.storage, 'none'));
    expect(run.output).toEqual(['version-2 boots idle', 'none: idle']);
    expect(JSON.parse(run.storage['mote.slots']!)).toEqual({ state: 'idle', running: 1, size: v2.length });

    // A self-test that fails: rollback() on trial, and the previous image boots next.
    const v3 = version(3);
    run = await boot(next(run.storage, 'update', v3));
    expect(run.storage['mote.app0']).toBe(`#${v3}`);
    run = await boot(next(run.storage, 'rollback'));
    expect(run.output).toEqual(['version-3 boots trial', 'rollback: rolled-back']);
    run = await boot(next(run.storage, 'none'));
    expect(run.output).toEqual(['version-2 boots rolled-back', 'none: rolled-back']);
  });

  it('abandons an image being written or committed, refuses one too big, and follows an app flashed over the loader', async () => {
    let run = await boot({ '.bootcde': app, ...files('abandon', app) });
    expect(run.output).toEqual(['version-1 boots idle', 'abandon: idle']);
    expect(run.storage['mote.app1']).toBeUndefined(); // the half-written slot is erased

    run = await boot(next(run.storage, 'withdraw', version(2)));
    expect(run.output.slice(-1)).toEqual(['withdraw: idle']);
    run = await boot(next(run.storage, 'update', randomBytes(61 * 1024)));
    expect(run.output).toEqual(['version-1 boots idle', 'error: image size 62464 does not fit a slot of 61440 bytes', 'update: idle']);

    // Flashed again by USB: .bootcde is an app, not the loader; the slots are idle whatever mote.slots says.
    run = await boot(next(run.storage, 'update', app));
    expect(run.output.at(-1)).toBe('update: pending');
    run = await boot({ ...next(run.storage, 'none'), '.bootcde': app });
    expect(run.output).toEqual(['version-1 boots idle', 'none: idle']);
  });
});

describe('AppSlots on Moddable: the ota and flash modules over ESP32 OTA partitions', () => {
  let outDir: string;
  beforeAll(async () => {
    outDir = path.join(out, 'moddable');
    await buildFirmware({ target: 'moddable', entry, outDir, name: 'ota-app' });
  });

  async function boot(flash: Record<string, string>) {
    const run = await runModdableOnXS(outDir, { flash, untilMs: 10 });
    return { output: run.output, flash: run.flash };
  }
  const image = (size: number, magic = 0xe9) => {
    const bytes = randomBytes(size);
    bytes[0] = magic;
    return bytes;
  };

  it('writes blocks in any order through esp_ota_write, boots the new slot on trial, confirms; a rollback on trial is refused', async () => {
    const v2 = image(20 * 1024 + 100);
    let run = await boot(files('update', v2));
    expect(run.output).toEqual(['version-1 boots idle', 'wrote 20580 bytes in 21 blocks, read back equal', 'update: pending']);
    expect(run.flash['esp32:otadata']).toBe('\x01'); // esp_ota_set_boot_partition(ota_1)
    expect(run.flash['esp32:ota_1']!.slice(0, v2.length)).toBe(binary(v2));

    run = await boot(next(run.flash, 'none'));
    expect(run.output).toEqual(['version-1 boots trial', 'none: trial']);
    run = await boot(next(run.flash, 'rollback'));
    expect(run.output).toEqual([
      'version-1 boots trial', // a reset does not take Moddable back either
      'error: app slots: a running image cannot be rolled back on Moddable (its ota module exposes neither esp_ota_mark_app_invalid_rollback_and_reboot nor esp_ota_set_boot_partition for the previous slot)',
      'rollback: trial',
    ]);
    run = await boot(next(run.flash, 'confirm'));
    expect(run.output).toEqual(['version-1 boots trial', 'confirm: idle']);
    run = await boot(next(run.flash, 'none'));
    expect(run.output).toEqual(['version-1 boots idle', 'none: idle']);
  });

  it('an image the bootloader cannot verify boots the previous slot; a withdrawn one is never booted; a bad first byte fails the write', async () => {
    let run = await boot(files('update', image(5000)));
    expect(run.output.at(-1)).toBe('update: pending');
    const corrupt = { ...run.flash, 'esp32:ota_1': `\xff${run.flash['esp32:ota_1']!.slice(1)}` };
    run = await boot(next(corrupt, 'none'));
    expect(run.output).toEqual(['version-1 boots rolled-back', 'none: rolled-back']);

    run = await boot(next(run.flash, 'withdraw', image(5000)));
    expect(run.output.at(-1)).toBe('withdraw: idle');
    expect(run.flash['esp32:ota_1']!.charCodeAt(0)).toBe(0xff); // the first sector is erased: the bootloader skips it
    run = await boot(next(run.flash, 'none'));
    expect(run.output).toEqual(['version-1 boots idle', 'none: idle']);

    run = await boot(next(run.flash, 'update', image(3000, 0x00)));
    expect(run.output).toEqual(['version-1 boots idle', 'error: write failed', 'update: writing']);
    run = await boot(next(run.flash, 'none')); // the session died with the reset
    expect(run.output).toEqual(['version-1 boots idle', 'none: idle']);
  });
});
