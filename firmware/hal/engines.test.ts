/**
 * Serial, Wi-Fi, clock and reset reason from each target's build output, on each engine host
 * over the same virtual board: the Espruino build on the Espruino-dialect host (Serial2, Wifi,
 * setTime, ESP32), the Moddable build on XS (embedded:io/serial, wifi, net, Time.set).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFirmware } from '../build/targets.js';
import { runOnEspruinoHost } from '../host/espruino/run.js';
import { runModdableOnXS } from '../host/xs/device.js';
import type { ResetReason } from './contract/system.js';
import type { BoardSpec } from './sim/board.js';

const out = mkdtempSync(path.join(tmpdir(), 'mote-hal-engines-'));
const entry = path.join(import.meta.dirname, 'fixtures/io-app/main.ts');

const board: BoardSpec = {
  uart: [
    { at: 250, port: 1, data: 'OK\r\n' },
    { at: 260, port: 2, data: 'lost' }, // nobody opened UART 2
  ],
  wifi: [{ ssid: 'home', password: 'correct horse', ip: '10.0.0.7', joinMs: 200, outages: [{ at: 3000, until: 3500 }] }],
};

async function build(target: 'espruino' | 'moddable'): Promise<string> {
  const outDir = path.join(out, target);
  await buildFirmware({ target, entry, outDir, name: 'io-app' });
  return outDir;
}

async function espruino(resetReason?: ResetReason) {
  const outDir = await build('espruino');
  const code = readFileSync(path.join(outDir, 'main.js'), 'utf8');
  return runOnEspruinoHost(code, { board, resetReason, timeoutMs: 5000, sourceMap: readFileSync(path.join(outDir, 'main.js.map'), 'utf8') });
}

// What both engines print the same way.
const common = [
  'uart at 250: 4 4f4b0d0a',
  'wifi at 200: disconnected wrong-password',
  'wifi at 400: connected 10.0.0.7',
  'clock at 1500: 1700000000500',
  'wifi at 3000: disconnected lost',
];
const sent = [
  { at: 0, port: 1, data: [0x41, 0x54, 0x0d] },
  { at: 250, port: 1, data: [0x4f, 0x4b, 0x0d, 0x0a] },
];

describe('Serial, WiFi, clock and reset reason from the build output', () => {
  it('espruino: the same echo, joins and clock; ESP32.getWakeupCause tells no reason but deep sleep; ESP32.reboot stops the app', async () => {
    const run = await espruino();
    expect(run.output).toEqual(['reset: unknown', ...sorted(common), 'restarting']);
    expect(run.uart).toEqual(sent);
    expect(run.restarted).toBe(true);
    expect((await espruino('deep-sleep')).output[0]).toBe('reset: deep-sleep');
  });

  it('moddable: the same echo, joins and clock; no reset reason or restart in its SDK', async () => {
    const run = await runModdableOnXS(await build('moddable'), { board, untilMs: 5000, timeoutMs: 20000 });
    expect(run.output).toEqual([
      'reset: unknown',
      ...sorted(common),
      'Error: restart: not available on Moddable (its SDK has no restart module)',
      'still running',
    ]);
    expect(run.uart).toEqual(sent);
  });
});

/** Lines in time order (the number after "at"). */
function sorted(lines: string[]): string[] {
  const at = (line: string) => Number(/ at (\d+):/.exec(line)![1]);
  return lines.slice().sort((a, b) => at(a) - at(b));
}
