/**
 * mote's Espruino deploy against a virtual Espruino board on a pseudo-terminal (socat): the REPL
 * protocol end to end, the app running after load(), a second deploy replacing the first, and the
 * errors when nothing answers.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildFirmware } from '../../../firmware/build/targets.js';
import { openPtyPair } from '../esp-rom/sim/pty.js';
import { packageFile } from '../paths.js';
import { SerialBoard } from '../virtual-board/serial-board.js';
import { SerialPort } from 'serialport';
import { checksum, deployEspruino, restartEspruino } from './espruino.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

let blink: string;
beforeAll(async () => {
  const outDir = path.join(mkdtempSync(path.join(tmpdir(), 'mote-deploy-')), 'blink');
  await buildFirmware({ target: 'espruino', entry: packageFile('firmware/examples/blink/main.ts'), outDir, name: 'blink' });
  blink = readFileSync(path.join(outDir, 'main.js'), 'utf8');
});

function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => (condition() ? resolve() : Date.now() - started > ms ? reject(new Error(`timed out waiting for ${what}`)) : setTimeout(check, 10));
    check();
  });
}

describe('deployEspruino to a virtual board over a pty', () => {
  it('writes the app to .bootcde in acknowledged chunks, checks it, and load() starts it', async () => {
    const board = await SerialBoard.start();
    stops.push(() => board.stop());
    const progress: number[] = [];
    const result = await deployEspruino({ path: board.path, code: blink, onProgress: (sent) => progress.push(sent) });
    expect(result.bytes).toBe(Buffer.byteLength(blink));
    expect(result.chunks).toBe(Math.ceil(result.bytes / 512));
    expect(progress.at(-1)).toBe(result.bytes);
    expect(board.device.storage()['.bootcde']).toBe(Buffer.from(blink, 'utf8').toString('latin1'));
    await until(() => board.device.output.includes('blink: started'), 'the app to start');
    await until(() => (board.device.board?.changes.length ?? 0) >= 2, 'the LED to blink');
    expect(board.device.board!.changes.slice(0, 2).map((c) => [c.pin, c.level])).toEqual([
      [2, 1],
      [2, 0],
    ]);
  });

  it('a second deploy replaces the running app', async () => {
    const board = await SerialBoard.start();
    stops.push(() => board.stop());
    await deployEspruino({ path: board.path, code: 'console.log("first app"); setInterval(function(){}, 1000);' });
    await until(() => board.device.output.includes('first app'), 'the first app');
    await deployEspruino({ path: board.path, code: 'console.log("second app: ü");', chunkBytes: 7 });
    // Espruino's strings are bytes: the UTF-8 of ü prints as its two bytes.
    await until(() => board.device.output.includes(`second app: ${Buffer.from('ü').toString('latin1')}`), 'the second app');
    expect(board.device.storage()['.bootcde']).toBe(Buffer.from('console.log("second app: ü");').toString('latin1'));
  });

  it('boots the saved app at power-up, as Espruino runs .bootcde', async () => {
    const code = Buffer.from('console.log("from flash")').toString('latin1');
    const board = await SerialBoard.start({ storage: { '.bootcde': code } });
    stops.push(() => board.stop());
    await until(() => board.device.output.includes('from flash'), 'the saved app');
  });

  it('writes settings files on a clean flash, keeps an open port open, and restarts the app over it', async () => {
    const board = await SerialBoard.start({ storage: { 'old.value': 'left by an earlier app', '.wificfg': 'kept' } });
    stops.push(() => board.stop());
    const port = new SerialPort({ path: board.path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    stops.push(() => new Promise((resolve) => port.close(() => resolve(undefined))));
    const app = 'console.log("settings: "+require("Storage").read("hil.config")+" old: "+require("Storage").read("old.value"));';
    await deployEspruino({ path: board.path, port, code: app, files: { 'hil.config': '{"name":"ü"}' }, eraseData: true });
    expect(port.isOpen).toBe(true);
    const utf8 = Buffer.from('{"name":"ü"}').toString('latin1');
    expect(board.device.storage()).toEqual({ '.wificfg': 'kept', 'hil.config': utf8, '.bootcde': app });
    const started = `settings: ${utf8} old: undefined`;
    await until(() => board.device.output.includes(started), 'the app to start');
    await restartEspruino(port, 'load');
    await until(() => board.device.output.filter((line) => line === started).length === 2, 'the app to start again');
    await restartEspruino(port, 'reset');
    expect(board.device.output.at(-1)).toMatch(/^mote[a-z0-9]*:idle$/);
  });

  it('refuses a Storage name Espruino cannot hold, before touching the port', async () => {
    await expect(deployEspruino({ path: '/dev/mote-no-such-port', code: 'x', files: { 'a-name-longer-than-28-characters': '' } })).rejects.toThrow(
      'cannot write the Storage file "a-name-longer-than-28-characters": names are 1-28 characters and .bootcde is the app\'s',
    );
  });

  it('fails clearly when no Espruino console answers, and when there is no port', async () => {
    const pair = await openPtyPair();
    stops.push(() => pair.close());
    await expect(deployEspruino({ path: pair.host, code: 'x', answerTimeoutMs: 200 })).rejects.toThrow(
      `no Espruino console answers on ${pair.host} (is Espruino flashed and running? try 'mote monitor')`,
    );
    await expect(deployEspruino({ path: '/dev/mote-no-such-port', code: 'x' })).rejects.toThrow('no port /dev/mote-no-such-port');
    const port = new SerialPort({ path: pair.host, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    stops.push(() => new Promise((resolve) => port.close(() => resolve(undefined))));
    await expect(restartEspruino(port, 'reset', 300)).rejects.toThrow('no answer from the board within 300 ms after reset()');
  });

  it('checksums as the board does', () => {
    expect(checksum('')).toBe(0);
    expect(checksum('abc')).toBe(((97 * 31 + 98) * 31 + 99) | 0);
  });
});
