/**
 * runModdableOnXS: runs a Moddable build (mote build --target moddable: ES modules and
 * manifest.json) on the real XS engine, as a simulated device: the engine modules the app imports
 * (`embedded:io/digital`, `embedded:io/i2c`, `embedded:io/serial`, `timer`, `time`, `wifi`,
 * `net`, `preference`, `ota`, `flash`; `socket` refuses: no network yet) come from device/guest.ts over a
 * VirtualBoard, time is simulated, and the run reports the console lines, the output pins'
 * level changes and what the UARTs sent. The app's modules are loaded by XS's own module loader, by the names the
 * manifest gives them. Host-side code.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { packageFile } from '../../../scripts/lib/paths.js';
import { build } from 'esbuild';
import type { BoardSpec, PinChange, UartChunk } from '../../hal/sim/board.js';
import { runModulesOnXS } from './modules.js';
import type { XsRunOptions } from './run.js';

export interface DeviceRunOptions extends XsRunOptions {
  /** The board: stimuli and I2C targets. */
  board?: BoardSpec;
  /** Simulated time to run for, in ms. Default 5000. */
  untilMs?: number;
  /** The device's flash at start (a previous run's `flash`, to boot again from it): name → binary string. */
  flash?: Record<string, string>;
}

export interface DeviceRunResult {
  output: string[];
  pins: PinChange[];
  /** What the app wrote to its UARTs, with the times. */
  uart: UartChunk[];
  /** The device's flash at the end (preferences as `domain.key`, the app partitions as `esp32:*`): name → binary string. */
  flash: Record<string, string>;
}

export const DEVICE = 'mote:sim-device';

/** The engine modules the simulated device provides, as re-exports of its bundle. */
export const ENGINE_MODULES: Record<string, string> = {
  'embedded:io/digital': `export { Digital as default } from '${DEVICE}';`,
  'embedded:io/i2c': `export { I2C as default } from '${DEVICE}';`,
  'embedded:io/serial': `export { Serial as default } from '${DEVICE}';`,
  wifi: `export { WiFi as default } from '${DEVICE}';`,
  net: `export { Net as default } from '${DEVICE}';`,
  timer: `export { Timer as default } from '${DEVICE}';`,
  time: `export { Time as default } from '${DEVICE}';`,
  preference: `export { Preference as default } from '${DEVICE}';`,
  socket: `export { Socket } from '${DEVICE}';`,
  securesocket: `export { Socket as default } from '${DEVICE}';`,
  ota: `export { OTA as default } from '${DEVICE}';`,
  flash: `export { Flash as default } from '${DEVICE}';`,
};

const guestBundles = new Map<string, Promise<string>>();

/** A guest file of device/ bundled as one ES module, made once per process. */
export function guestBundle(file: 'guest.ts' | 'live.ts'): Promise<string> {
  let bundle = guestBundles.get(file);
  if (!bundle) {
    bundle = build({
      // From the package root, not import.meta.url: this module is also bundled into dist/cli.
      entryPoints: [packageFile(`firmware/host/xs/device/${file}`)],
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2022',
      platform: 'neutral',
      logLevel: 'silent',
    }).then((r) => r.outputFiles[0]!.text);
    guestBundles.set(file, bundle);
  }
  return bundle;
}

interface Manifest {
  modules?: Record<string, string | string[]>;
}

/** The build's modules, by name: `*` entries are named by their file (`./main` → `main`). */
export async function buildModules(outDir: string): Promise<Record<string, string>> {
  const manifest = JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')) as Manifest;
  const modules: Record<string, string> = {};
  for (const [name, value] of Object.entries(manifest.modules ?? {})) {
    const files = Array.isArray(value) ? value : [value];
    for (const file of files) {
      const moduleName = name === '*' ? path.posix.basename(file) : name;
      modules[moduleName] = await readFile(path.join(outDir, `${file}.js`), 'utf8');
    }
  }
  if (!('main' in modules)) throw new Error(`${outDir}/manifest.json has no main module`);
  return modules;
}

export async function runModdableOnXS(outDir: string, opts: DeviceRunOptions = {}): Promise<DeviceRunResult> {
  const { board = {}, untilMs = 5000, flash = {}, ...xs } = opts;
  const modules = {
    ...(await buildModules(outDir)),
    ...ENGINE_MODULES,
    [DEVICE]: await guestBundle('guest.ts'),
    'mote:setup': `import { setup } from '${DEVICE}'; setup(${JSON.stringify(board)}, ${JSON.stringify(flash)});`,
    'mote:launch': `import 'mote:setup'; import 'main'; import { finish } from '${DEVICE}'; finish(${JSON.stringify(untilMs)});`,
  };
  const { result } = await runModulesOnXS(modules, 'mote:launch', xs);
  return result as DeviceRunResult;
}
