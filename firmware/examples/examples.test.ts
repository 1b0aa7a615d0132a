/**
 * The example apps, built by `mote build`'s code path for each target and run from the built
 * output: the Espruino script on the Espruino-dialect host, the Moddable modules on the real XS
 * engine, each over the same virtual board (firmware/hal/sim/board.ts), for the same simulated
 * time. Both must do exactly what the app's code says.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFirmware } from '../build/targets.js';
import type { BoardSpec, PinChange } from '../hal/sim/board.js';
import { runOnEspruinoHost } from '../host/espruino/run.js';
import { runModdableOnXS } from '../host/xs/device.js';
import { packageFile } from '../../scripts/lib/paths.js';

type Run = { output: string[]; pins: PinChange[] };
const out = mkdtempSync(path.join(tmpdir(), 'mote-examples-'));

async function run(example: string, target: 'espruino' | 'moddable', board: BoardSpec, untilMs: number): Promise<Run> {
  const outDir = path.join(out, `${example}-${target}-${Math.random().toString(36).slice(2)}`);
  await buildFirmware({ target, entry: packageFile(`firmware/examples/${example}/main.ts`), outDir, name: example });
  if (target === 'moddable') return runModdableOnXS(outDir, { board, untilMs, timeoutMs: 20000 });
  const code = readFileSync(path.join(outDir, 'main.js'), 'utf8');
  return runOnEspruinoHost(code, { board, timeoutMs: untilMs, sourceMap: readFileSync(path.join(outDir, 'main.js.map'), 'utf8') });
}

const times = (pins: PinChange[], pin: number) => pins.filter((p) => p.pin === pin).map((p) => p.at);
const levels = (pins: PinChange[], pin: number) => pins.filter((p) => p.pin === pin).map((p) => p.level);

describe.each(['espruino', 'moddable'] as const)('examples built for %s, run from the build output', (target) => {
  it('blink: 500 ms half-periods; a press switches to 100 ms once the current delay ends, the next back', async () => {
    const press = (at: number) => [
      { at, pin: 0, level: 0 as const },
      { at: at + 80, pin: 0, level: 1 as const },
    ];
    const result = await run('blink', target, { stimuli: [...press(1205), ...press(2405)] }, 3000);
    expect(result.output).toEqual(['blink: started', 'button: fast at tick 120', 'button: slow at tick 240']);
    // The task is in a 50-tick delay when the first press comes (from 1000 ms): it ends at 1500.
    const expected = [0, 500, 1000, 1500, 1600, 1700, 1800, 1900, 2000, 2100, 2200, 2300, 2400, 2500, 3000];
    expect(times(result.pins, 2)).toEqual(expected);
    expect(levels(result.pins, 2)).toEqual(expected.map((_, i) => (i % 2 === 0 ? 1 : 0)));
  });

  it('blink: releasing the button (a rising edge) does nothing; without presses it stays slow', async () => {
    const result = await run('blink', target, { stimuli: [{ at: 300, pin: 0, level: 1 }] }, 2000);
    expect(result.output).toEqual(['blink: started']);
    expect(times(result.pins, 2)).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it('sensor-queue: a reading a second from the TMP102, through the queue, with the running average', async () => {
    const board: BoardSpec = {
      i2c: [{ kind: 'tmp102', address: 0x48, celsius: [{ at: 0, value: 21.5 }, { at: 2500, value: 23 }, { at: 4500, value: -1.25 }] }],
    };
    const result = await run('sensor-queue', target, board, 5000);
    expect(result.output).toEqual([
      'sensor-queue: started',
      'tick 0: 21.50 C, average 21.50 C',
      'tick 100: 21.50 C, average 21.50 C',
      'tick 200: 21.50 C, average 21.50 C',
      'tick 300: 23.00 C, average 21.88 C',
      'tick 400: 23.00 C, average 22.25 C',
      'tick 500: -1.25 C, average 16.56 C',
    ]);
  });

  it('sensor-queue: a board without the sensor gets the I2C error the port raises', async () => {
    const result = await run('sensor-queue', target, {}, 1500).catch((error: Error) => ({ output: [error.message], pins: [] }));
    expect(result.output.join('\n')).toMatch(/I2C: no acknowledge from 0x48/);
  });
});
