// `mote flash`, through the built CLI (npm test builds dist/ first), against the simulated ROM over a pty.
// The CLI runs as a child process; the simulated chip runs in this one, so the child is awaited, not spawnSync'd.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { chipById } from '../../lib/esp-chip/index.js';
import { parsePartitionTable, serializeAppImage, serializePartitionTable } from '../../lib/esp-image/index.js';
import { SimulatedEsp, type SimulatedEspOptions } from '../../lib/esp-rom/sim/index.js';
import { progressPrinter } from './flash.js';

const bin = fileURLToPath(new URL('../../bin/mote.js', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'mote-flash-cli-'));
const sims: SimulatedEsp[] = [];
afterEach(async () => {
  for (const esp of sims.splice(0)) await esp.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Whether every folder above `file` lets other users through. */
function reachableByOthers(file: string): boolean {
  for (let d = path.dirname(file); d !== path.dirname(d); d = path.dirname(d)) if ((statSync(d).mode & 0o001) === 0) return false;
  return true;
}

function mote(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return moteAs({}, ...args);
}

/** Runs the CLI, as another user when `as` has a uid (root only). */
function moteAs(as: { uid?: number; gid?: number }, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: as.uid === undefined ? dir : '/', env: { ...process.env, MOTE_DEBUG: '' }, ...as });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function sim(options: Partial<SimulatedEspOptions> = {}) {
  const esp = await SimulatedEsp.start({ chip: chipById('esp32'), boot: 'download', ...options });
  sims.push(esp);
  return esp;
}

const app = serializeAppImage({ chip: chipById('esp32'), entry: 0x400d0000, segments: [{ loadAddress: 0x3f400020, data: Buffer.concat([Buffer.alloc(30000, 7), randomBytes(3000)]) }], hashAppended: true });
writeFileSync(path.join(dir, 'app.bin'), app);
const c3app = serializeAppImage({ chip: chipById('esp32c3'), entry: 0, segments: [{ loadAddress: 0, data: Buffer.alloc(64) }] });
writeFileSync(path.join(dir, 'c3.bin'), c3app);

describe('flash progress', () => {
  function printed(tty: boolean): string {
    let text = '';
    const print = progressPrinter({ out: () => undefined, err: (t) => (text += t), env: {} }, tty);
    print({ phase: 'connecting', port: '/dev/ttyUSB0' });
    print({ phase: 'connected', chip: 'ESP32', baudRate: 460800, reset: 'classic' });
    for (const done of [0, 1024, 2048, 3072, 4096]) print({ phase: 'writing', region: 'app.bin', offset: 0x10000, done, total: 4096 });
    print({ phase: 'verified', region: 'app.bin', offset: 0x10000, total: 4096 });
    print({ phase: 'skipped', region: 'boot.bin', offset: 0x1000, total: 100 });
    return text;
  }

  it('redraws a bar with bytes/s and ETA on a terminal', () => {
    const text = printed(true);
    expect(text).toMatch(/^connecting to \/dev\/ttyUSB0\.\.\.\nconnected: ESP32, 460800 baud\n/);
    expect(text).toMatch(/\rapp\.bin \[#{8}-{22}\] 25% [\d.]+ KiB\/s ETA \d+s {3}/);
    expect(text).toMatch(/\rapp\.bin \[#{30}\] 100% [\d.]+ KiB\/s ETA 0s {3}\napp\.bin at 0x10000: 4096 bytes written, MD5 verified\n/);
    expect(text.endsWith('boot.bin at 0x1000: already in flash (MD5 matches), skipped\n')).toBe(true);
  });

  it('prints a line per quarter otherwise', () => {
    const lines = printed(false).split('\n').filter((l) => l.startsWith('app.bin at 0x10000: '));
    expect(lines.map((l) => l.replace(/, [\d.]+ KiB\/s, ETA \d+s$/, ''))).toEqual([
      'app.bin at 0x10000: 0/4096 bytes (0%)',
      'app.bin at 0x10000: 1024/4096 bytes (25%)',
      'app.bin at 0x10000: 2048/4096 bytes (50%)',
      'app.bin at 0x10000: 3072/4096 bytes (75%)',
      'app.bin at 0x10000: 4096/4096 bytes (100%)',
      'app.bin at 0x10000: 4096 bytes written, MD5 verified',
    ]);
  });
});

describe('mote flash', () => {
  it('flashes an app over a pty (no modem lines: no reset before, a soft reset after) and reports JSON', async () => {
    const esp = await sim();
    const { code, stdout, stderr } = await mote('flash', '0x10000', 'app.bin', '--port', esp.path, '--board', 'esp32-devkitc', '--baud', '921600', '--json');
    expect(stderr.split('\n').slice(0, 2)).toEqual([`connecting to ${esp.path}...`, 'connected: ESP32, 921600 baud (no reset: the board was already in download mode)']);
    expect(stderr).toMatch(/app\.bin at 0x10000: 33\d\d\d\/33\d\d\d bytes \(100%\), [\d.]+ KiB\/s, ETA 0s\n/);
    expect(stderr).toMatch(/app\.bin at 0x10000: 33\d\d\d bytes written, MD5 verified\n/);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { chip: string; reset: string; regions: { status: string; size: number }[] };
    expect(result).toMatchObject({ chip: 'ESP32', reset: 'soft', regions: [{ status: 'written', size: app.length }] });
    expect(esp.flash.subarray(0x10000, 0x10000 + app.length).equals(app)).toBe(true);
    expect(esp.state).toBe('app');

    // The chip now runs its app: it must be put back into download mode (here: by hand) before the second run.
    const again = await sim({ flash: esp.flash });
    const second = await mote('flash', '0x10000', 'app.bin', '--port', again.path, '--board', 'esp32-devkitc', '--after', 'stay');
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('app.bin at 0x10000: already in flash (MD5 matches), skipped\n');
    expect(second.stdout).toMatch(/^flashed ESP32 on \/dev\/pts\/\d+ at 460800 baud in [\d.]+ s; left in the bootloader\n {2}0x010000 {2}skipped/);

    const forced = await mote('flash', '0x10000', 'app.bin', '--port', again.path, '--force', '--no-compress', '--json');
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ regions: [{ status: 'written', sentBytes: app.length }] });
  }, 90_000);

  it("writes an engine's images at the board's offsets and the board's partition table", async () => {
    const engine = path.join(dir, 'espruino');
    mkdirSync(engine, { recursive: true });
    const boot = serializeAppImage({ chip: chipById('esp32'), entry: 0x40080000, segments: [{ loadAddress: 0x3fff0000, data: Buffer.alloc(4000, 3) }] });
    writeFileSync(path.join(engine, 'bootloader.bin'), boot);
    writeFileSync(path.join(engine, 'espruino_esp32.bin'), app);
    const esp = await sim();
    const missing = await mote('flash', '--engine', 'espruino', '--engine-dir', 'espruino', '--board', 'esp32-devkitc', '--port', esp.path);
    expect(missing).toMatchObject({ code: 1, stderr: 'mote: cannot read espruino/partitions_espruino.bin: ENOENT\n' });
    writeFileSync(path.join(engine, 'partitions_espruino.bin'), Buffer.alloc(0xc00, 0xff));
    const empty = await mote('flash', '--engine', 'espruino', '--engine-dir', 'espruino', '--board', 'esp32-devkitc', '--port', esp.path);
    expect(empty).toMatchObject({ code: 1, stderr: 'mote: espruino/partitions_espruino.bin: partition table has no entries (expected rows starting AA 50)\n' });
    const engineTable = serializePartitionTable([{ label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x300000, encrypted: false, readonly: false }]);
    writeFileSync(path.join(engine, 'partitions_espruino.bin'), engineTable);
    const run = await mote('flash', '--engine', 'espruino', '--engine-dir', 'espruino', '--board', 'esp32-devkitc', '--port', esp.path, '--after', 'stay', '--json');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { regions: { name: string; offset: number; status: string }[] };
    expect(result.regions.map((r) => [r.name, r.offset, r.status])).toEqual([
      ['espruino/bootloader.bin', 0x1000, 'written'],
      ['espruino/partitions_espruino.bin', 0x8000, 'written'],
      ['espruino/espruino_esp32.bin', 0x10000, 'written'],
    ]);
    expect(esp.flash.subarray(0x8000, 0x8c00).equals(engineTable)).toBe(true);

    // The board's own layout replaces the engine's table; the unchanged app is skipped.
    const again = await mote('flash', '0x10000', 'espruino/espruino_esp32.bin', '--partition-table', '--board', 'esp32-devkitc', '--port', esp.path, '--json');
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout) as { regions: { name: string; status: string }[] };
    expect(second.regions.map((r) => [r.name, r.status])).toEqual([
      ['espruino/espruino_esp32.bin', 'skipped'],
      ['partition table of esp32-devkitc', 'written'],
    ]);
    const table = parsePartitionTable(esp.flash.subarray(0x8000, 0x8c00));
    expect(table.partitions.map((p) => [p.label, p.offset, p.size])).toEqual([
      ['nvs', 0x9000, 0x6000],
      ['phy_init', 0xf000, 0x1000],
      ['factory', 0x10000, 0x1f0000],
      ['storage', 0x200000, 0x200000],
    ]);
    expect(esp.flash.subarray(0x1000, 0x1000 + boot.length).equals(boot)).toBe(true);
  }, 90_000);

  it('refuses the wrong chip, and an image built for another chip before connecting', async () => {
    const esp = await sim({ chip: chipById('esp32c3') });
    const wrong = await mote('flash', '0x10000', 'app.bin', '--port', esp.path, '--board', 'esp32-devkitc');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n').at(-1)).toBe(`mote: wrong chip: board esp32-devkitc has an ESP32, but the chip on ${esp.path} is an ESP32-C3; pick the right --board (or port)`);
    const image = await mote('flash', '0x10000', 'c3.bin', '--port', esp.path, '--board', 'esp32-devkitc');
    expect(image).toMatchObject({ code: 1, stderr: 'mote: c3.bin: image is built for the ESP32-C3 (chip id 5), not the ESP32 (chip id 0)\n' });
  }, 90_000);

  it('reads flash back into a file (MD5-checked) and erases a region', async () => {
    const contents = Buffer.alloc(4 * 0x100000, 0xff);
    const marked = Buffer.from(randomBytes(0x1800));
    marked.copy(contents, 0x10000);
    const esp = await sim({ flash: contents });
    const read = await mote('read-flash', '0x10800', '2k', 'back.bin', '--port', esp.path, '--after', 'stay', '--json');
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ chip: 'ESP32', offset: 0x10800, size: 2048, file: 'back.bin', reset: 'none' });
    expect(readFileSync(path.join(dir, 'back.bin')).equals(marked.subarray(0x800, 0x1000))).toBe(true);
    expect(read.stderr).toContain('read 2048/2048 bytes (100%)\n');

    const erase = await mote('erase', '0x11000', '0x800', '--port', esp.path);
    expect(erase.code).toBe(0);
    expect(erase.stdout).toMatch(/^erased 0x800 bytes at 0x11000 on the ESP32 in [\d.]+ s\n$/);
    // Whole sectors: 0x11000-0x12000 erased, the sector before untouched.
    expect(esp.flash.subarray(0x11000, 0x12000).every((b) => b === 0xff)).toBe(true);
    expect(esp.flash.subarray(0x10000, 0x11000).equals(marked.subarray(0, 0x1000))).toBe(true);
    expect(esp.state).toBe('app');
    expect((await mote('erase', '0x11000')).stderr).toBe('mote: give both <offset> and <size>, or neither to erase the whole flash\n');
  }, 90_000);

  // The pty's host end belongs to root with mode 600: another user is refused, as on a dialout-owned port.
  // Needs root (to run the CLI as nobody) and a checkout that nobody can reach.
  it.skipIf(process.getuid?.() !== 0 || !reachableByOthers(bin))('reports permission denied on a port the user may not open', async () => {
    const esp = await sim();
    const image = fileURLToPath(new URL('../../../package.json', import.meta.url));
    const denied = await moteAs({ uid: 65534, gid: 65534 }, 'flash', '0x10000', image, '--port', esp.path);
    expect(denied).toMatchObject({
      code: 1,
      stderr: `mote: permission denied opening ${esp.path}: add your user to the group owning it (Debian: sudo usermod -aG dialout $USER, then log in again)\n`,
    });
  }, 90_000);

  it('reports no port, no sync, and bad arguments', async () => {
    const unplugged = await mote('flash', '0x10000', 'app.bin', '--board', 'esp32-devkitc');
    expect(unplugged.code).toBe(1);
    // Without udevadm (CI containers) the reason is given too.
    expect(unplugged.stderr).toMatch(/^mote: no port: found no USB serial port for board esp32-devkitc( \(cannot list serial ports: .*\))?; pass --port\n$/);
    const none = await mote('flash', '0x10000', 'app.bin', '--port', '/dev/ttyNOPE0');
    expect(none).toMatchObject({ code: 1, stderr: "mote: no serial port at /dev/ttyNOPE0 (see 'mote boards' for the connected ports)\n" });
    const esp = await sim({ boot: 'app' });
    const nosync = await mote('flash', '0x10000', 'app.bin', '--port', esp.path);
    expect(nosync.code).toBe(1);
    expect(nosync.stderr.trim().split('\n').at(-1)).toMatch(
      /^mote: no sync with the ROM bootloader on \/dev\/pts\/\d+ \(7 attempts without a reset\): cannot set DTR\/RTS on \/dev\/pts\/\d+ \(.*\): the port has no modem lines, so the board cannot be reset from here: put it in download mode by hand \(hold BOOT, press EN\)$/,
    );
    expect((await mote('flash', '0x10000')).stderr).toBe('mote: give images as pairs: <offset> <file> ...\n');
    expect((await mote('flash', '64k', 'app.bin')).code).toBe(2);
    expect((await mote('flash', '--engine', 'espruino', '--engine-dir', '.')).stderr).toBe('mote: --engine needs --board (its definition lists the images and their offsets)\n');
    expect((await mote('flash', '0x10000', 'app.bin', '--before', 'jiggle')).code).toBe(2);
    expect((await mote('flash', '0x10000', 'missing.bin')).stderr).toBe('mote: cannot read missing.bin: ENOENT\n');
  }, 90_000);
});
