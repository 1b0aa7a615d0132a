// `mote monitor`, through the built CLI, on a pty pair: the test holds the board's end.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { afterAll, describe, expect, it } from 'vitest';
import { openPtyPair } from '../../lib/esp-rom/sim/index.js';

const bin = fileURLToPath(new URL('../../bin/mote.js', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'mote-monitor-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// main.js line 1 comes from main.ts line 1, line 2 from main.ts line 7.
writeFileSync(path.join(dir, 'main.js.map'), JSON.stringify({ version: 3, file: 'main.js', sources: ['main.ts'], names: [], mappings: 'AAAA;AAMA' }));

/** Runs `mote monitor` against a pty; `board` gets the board's end once the monitor is listening. */
async function monitor(args: string[], board: (device: SerialPort) => Promise<void>, stdin?: string) {
  const pty = await openPtyPair();
  const device = await new Promise<SerialPort>((resolve, reject) => {
    const p: SerialPort = new SerialPort({ path: pty.device, baudRate: 115200 }, (e) => (e ? reject(e) : resolve(p)));
  });
  const received: Buffer[] = [];
  device.on('data', (d: Buffer) => received.push(d));
  const child = spawn(process.execPath, [bin, 'monitor', '--port', pty.host, ...args], { cwd: dir });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  const listening = new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => ((stderr += d), stderr.includes('--- monitoring') && resolve())));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await listening;
  if (stdin !== undefined) child.stdin.write(stdin);
  await board(device);
  const code = await exited;
  await new Promise<void>((resolve) => device.close(() => resolve()));
  await pty.close();
  return { code, stdout, stderr, received: Buffer.concat(received).toString() };
}

const send = (device: SerialPort, text: string) => new Promise<void>((resolve) => device.write(text, () => device.drain(() => resolve())));

describe('mote monitor', () => {
  it('prints lines, maps error positions to TypeScript, forwards input, and stops at --until', async () => {
    const run = await monitor(['--map', 'main.js.map', '--until', '^done$'], async (device) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await send(device, 'booting\r\nUncaught Error: boom\r\n    at f (main.js:2:5)\r\ndo');
      await send(device, 'ne\r\nnot printed\r\n');
    }, 'reset()\n');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^--- monitoring \/dev\/pts\/\d+, decoding with main\.js\n$/);
    expect(run.stdout).toBe('booting\nUncaught Error: boom\n    at f (main.js:2:5) -> main.ts:7:1\ndone\n');
    expect(run.received).toBe('reset()\n');
  }, 60_000);

  it('prints JSON lines with the decoded positions, stops after --duration, and says why it cannot reset a pty', async () => {
    const run = await monitor(['--map', 'main.js.map', '--json', '--duration', '2', '--reset'], async (device) => {
      await send(device, 'at main.js:1:1\r\npartial');
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/--- cannot reset: cannot set DTR\/RTS on \/dev\/pts\/\d+ .*the port has no modem lines/);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { text: string; positions?: { source: { file: string; line: number } }[] });
    expect(lines.map((l) => l.text)).toEqual(['at main.js:1:1', 'partial']);
    expect(lines[0].positions?.[0].source).toMatchObject({ file: 'main.ts', line: 1 });
  }, 60_000);

  it('rejects bad options', async () => {
    const child = spawn(process.execPath, [bin, 'monitor', '--port', '/dev/null', '--until', '(']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^mote: --until is not a valid regular expression: /);
  }, 60_000);
});
