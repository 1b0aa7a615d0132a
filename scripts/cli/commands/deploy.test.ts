// mote deploy and mote virtual-board, through the built CLI (npm test builds dist/ first).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { chipById } from '../../lib/esp-chip/index.js';
import { serializeAppImage } from '../../lib/esp-image/index.js';
import { SerialBoard } from '../../lib/virtual-board/serial-board.js';

const cli = fileURLToPath(new URL('../../bin/mote.js', import.meta.url));
const mote = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** The CLI without blocking this process: the virtual board it talks to runs here. */
function moteAsync(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => (condition() ? resolve() : Date.now() - started > ms ? reject(new Error(`timed out waiting for ${what}`)) : setTimeout(check, 10));
    check();
  });
}

describe('mote deploy', () => {
  it('deploys a script to a board running Espruino and starts it; --json reports it', async () => {
    const board = await SerialBoard.start();
    stops.push(() => board.stop());
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mote-deploy-cli-'));
    const script = path.join(dir, 'app.js');
    writeFileSync(script, 'console.log("deployed by the CLI");');
    const r = await moteAsync('deploy', script, '--port', board.path, '--json');
    expect(r.stderr).toContain(`deploying ${script} to ${board.path}`);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ port: board.path, file: script, bytes: 35, chunks: 1 });
    await until(() => board.device.output.includes('deployed by the CLI'), 'the app');
  });

  it('fails clearly: no build, bad options, no port', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mote-deploy-cli-'));
    expect(mote('deploy', path.join(dir, 'missing.js'), '--port', '/dev/null').stderr).toContain(`no ${path.join(dir, 'missing.js')}: build the app first`);
    expect(mote('deploy', 'x.js', '--chunk', '3').code).toBe(2);
    writeFileSync(path.join(dir, 'a.js'), '1');
    const r = mote('deploy', path.join(dir, 'a.js'), '--port', '/dev/mote-no-such-port');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('mote: no port /dev/mote-no-such-port\n');
  });
});

describe('mote virtual-board', () => {
  it('prints its port, takes a deploy, and stops on SIGINT', async () => {
    const child = spawn(process.execPath, [cli, 'virtual-board', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    stops.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
    const { port, target } = JSON.parse(first) as { port: string; target: string };
    expect(target).toBe('espruino');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mote-vboard-'));
    writeFileSync(path.join(dir, 'app.js'), 'console.log("on the virtual board")');
    const r = await moteAsync('deploy', path.join(dir, 'app.js'), '--port', port);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/app\.js: \d+ bytes in 1 chunks to .*, checked, started/);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

describe('mote flash against the virtual board', () => {
  it('a SYNC puts it in download mode: the app is flashed, and Espruino boots again with its Storage', async () => {
    const board = await SerialBoard.start({ storage: { '.bootcde': 'console.log("app before flashing")' } });
    stops.push(() => board.stop());
    await until(() => board.device.output.includes('app before flashing'), 'the saved app');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mote-vboard-flash-'));
    const image = serializeAppImage({ chip: chipById('esp32'), entry: 0x400d0000, segments: [{ loadAddress: 0x3f400020, data: Buffer.alloc(5000, 9) }], hashAppended: true });
    writeFileSync(path.join(dir, 'app.bin'), image);
    const r = await moteAsync('flash', '0x10000', path.join(dir, 'app.bin'), '--port', board.path, '--board', 'esp32-devkitc', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ chip: 'ESP32', regions: [{ status: 'written', size: image.length }] });
    expect(board.rom.flash.subarray(0x10000, 0x10000 + image.length).equals(image)).toBe(true);
    expect(board.mode).toBe('app');
    await until(() => board.device.output.includes('app before flashing'), 'Espruino booting again from its Storage');
  });
});

describe('mote deploy to a Moddable board, mote monitor and mote flash on it', () => {
  it('installs a Moddable build folder as a mod with --pref; monitor shows the log text; flash and back', async () => {
    const { buildFirmware } = await import('../../../firmware/build/targets.js');
    const { ModdableBoard } = await import('../../lib/virtual-board/moddable-board.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mote-deploy-mod-'));
    const outDir = path.join(dir, 'build');
    await buildFirmware({ target: 'moddable', entry: fileURLToPath(new URL('../../lib/deploy/fixtures/mod-app/main.ts', import.meta.url)), outDir, name: 'mod-app' });
    const lines: string[] = [];
    const board = await ModdableBoard.start({ onLine: (line) => lines.push(line) });
    stops.push(() => board.stop());

    const r = await moteAsync('deploy', outDir, '--port', board.path, '--pref', 'app.greeting=from the CLI', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`installing ${outDir} as a mod on ${board.path}`);
    const result = JSON.parse(r.stdout) as { target: string; bytes: number; fragments: number; log: string[] };
    expect(result).toMatchObject({ target: 'moddable', app: outDir, resent: 0 });
    expect(result.bytes).toBeGreaterThan(1000);
    await until(() => lines.includes('mod-app: greeting from the CLI'), 'the mod with its preference');

    // The monitor reads xsbug messages as text: restart the board while it listens.
    const monitor = moteAsync('monitor', '--port', board.path, '--until', 'greeting', '--duration', '20');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await board.restart();
    const shown = await monitor;
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('--- XS machine: mote virtual board (XS, source mods)');
    expect(shown.stdout).toContain('mod-app: greeting from the CLI\n');
    expect(shown.stdout).not.toContain('<xsbug>');
    expect(shown.stdout).not.toContain('<?xs');

    // A SYNC takes it to the ROM: flash an image, and the mod boots again after.
    const image = serializeAppImage({ chip: chipById('esp32'), entry: 0x400d0000, segments: [{ loadAddress: 0x3f400020, data: Buffer.alloc(3000, 7) }], hashAppended: true });
    writeFileSync(path.join(dir, 'app.bin'), image);
    lines.length = 0;
    const flashed = await moteAsync('flash', '0x10000', path.join(dir, 'app.bin'), '--port', board.path, '--board', 'esp32-devkitc', '--json');
    expect(flashed.code, flashed.stderr).toBe(0);
    expect(board.rom.flash.subarray(0x10000, 0x10000 + image.length).equals(image)).toBe(true);
    await until(() => lines.includes('mod-app: greeting from the CLI'), 'the mod booting again after the ROM');
    expect(board.mode).toBe('app');
  });

  it('refuses a Moddable deploy clearly: not an archive, a --pref on Espruino, a bad --target', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mote-deploy-mod-'));
    writeFileSync(path.join(dir, 'bad.xsa'), 'not an archive');
    const bad = mote('deploy', path.join(dir, 'bad.xsa'), '--port', '/dev/null');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not an XS archive');
    writeFileSync(path.join(dir, 'a.js'), '1');
    expect(mote('deploy', path.join(dir, 'a.js'), '--pref', 'a.b=c', '--port', '/dev/null').stderr).toContain('--pref is for Moddable boards');
    expect(mote('deploy', path.join(dir, 'a.js'), '--target', 'arduino').code).toBe(2);
    const empty = mkdtempSync(path.join(os.tmpdir(), 'mote-deploy-mod-'));
    const noManifest = mote('deploy', empty, '--port', '/dev/null');
    expect(noManifest.code).toBe(1);
    expect(noManifest.stderr).toContain('has no manifest.json');
  });
});
