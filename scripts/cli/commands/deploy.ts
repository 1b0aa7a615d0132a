/**
 * `mote deploy [app] [--target espruino|moddable] [--port p] [--board id] [--baud n] [--chunk n]
 * [--pref domain.key=value]... [--json]`: puts a built app on a board that already runs its engine,
 * without reflashing the engine.
 * - Espruino: through its console (REPL): Storage `.bootcde` written in acknowledged chunks, read
 *   back and checked, then `load()` (scripts/lib/deploy/espruino.ts). The app is a script.
 * - Moddable: a mod install over the xsbug serial protocol of a debug build
 *   (scripts/lib/deploy/moddable.ts). The app is an XS archive made by `mcrun` (`.xsa`), or, for
 *   mote's virtual board, a Moddable build folder, packed as a source archive.
 * The app defaults to the project's build (mote.config.json: target, outDir, entry, name).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { addJsonOption, printResult } from '../json.js';
import { chooseBoard, choosePort, progressPrinter } from './flash.js';

type Target = 'espruino' | 'moddable';

interface DeployCliOptions {
  target?: string;
  port?: string;
  board?: string;
  baud: string;
  chunk: string;
  pref: string[];
  json?: boolean;
}

function whole(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be a whole number of at least ${min}, got "${value}"`);
  return n;
}

/** The target and app to deploy: the arguments, else the project's build in this folder. */
async function chooseApp(given: string | undefined, target: string | undefined): Promise<{ target: Target; app: string; name: string }> {
  if (target !== undefined && target !== 'espruino' && target !== 'moddable') throw new UsageError(`--target must be espruino or moddable, got "${target}"`);
  const { loadConfig } = await import('../../../firmware/build/config.js');
  const config = await loadConfig(process.cwd());
  const chosen = (target ?? config.target) as Target | undefined;
  if (given !== undefined) {
    const isMod = given.endsWith('.xsa') || (existsSync(given) && statSync(given).isDirectory());
    return { target: chosen ?? (isMod ? 'moddable' : 'espruino'), app: given, name: path.basename(given).replace(/\.xsa$/, '') };
  }
  if (chosen === undefined) throw new UsageError("say which engine the board runs: --target espruino|moddable (or \"target\" in mote.config.json)");
  const script = path.join(config.outDir, `${path.basename(config.entry).replace(/\.[cm]?[jt]sx?$/, '')}.js`);
  return { target: chosen, app: chosen === 'moddable' ? config.outDir : script, name: config.name };
}

/** `--pref domain.key=value`: the value as bytes (mote's Storage keeps bytes). */
function preferences(list: readonly string[]): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const entry of list) {
    const match = /^([^.=]+)\.([^=]+)=(.*)$/s.exec(entry);
    if (!match) throw new UsageError(`--pref must be domain.key=value, got "${entry}"`);
    out[`${match[1]}.${match[2]}`] = new TextEncoder().encode(match[3]);
  }
  return out;
}

async function deployToEspruino(io: CliIO, file: string, port: string, options: DeployCliOptions, baudRate: number) {
  if (!existsSync(file)) throw new CliError(`no ${file}: build the app first ('mote build --target espruino')`);
  const chunkBytes = whole('--chunk', options.chunk, 16);
  const { deployEspruino, DeployError } = await import('../../lib/deploy/espruino.js');
  const progress = progressPrinter(io, process.stderr.isTTY === true && !options.json);
  io.err(`deploying ${file} to ${port}...\n`);
  try {
    const result = await deployEspruino({
      path: port,
      code: readFileSync(file, 'utf8'),
      baudRate,
      chunkBytes,
      onProgress: (done, total) => progress({ phase: 'writing', region: '.bootcde', offset: 0, done, total }),
    });
    if (process.stderr.isTTY && !options.json) io.err('\n');
    printResult(io, options, { target: 'espruino', port, file, ...result }, (r) => `${r.file}: ${r.bytes} bytes in ${r.chunks} chunks to ${r.port}, checked, started (${r.ms} ms)\n`);
  } catch (error) {
    if (error instanceof DeployError) throw new CliError(error.message);
    throw error;
  }
}

async function deployToModdable(io: CliIO, app: string, name: string, port: string, options: DeployCliOptions, baudRate: number) {
  if (!existsSync(app)) throw new CliError(`no ${app}: build the app first ('mote build --target moddable'), or give an archive made by mcrun`);
  const { packSourceArchive, ArchiveError } = await import('../../lib/xsbug/archive.js');
  const { deployModdable } = await import('../../lib/deploy/moddable.js');
  const { DeployError } = await import('../../lib/deploy/espruino.js');
  let archive: Uint8Array;
  try {
    archive = statSync(app).isDirectory() ? packSourceArchive(app, name) : new Uint8Array(readFileSync(app));
  } catch (error) {
    if (error instanceof ArchiveError) throw new CliError(error.message);
    throw error;
  }
  const progress = progressPrinter(io, process.stderr.isTTY === true && !options.json);
  io.err(`installing ${app} as a mod on ${port}...\n`);
  try {
    const result = await deployModdable({
      path: port,
      archive,
      baudRate,
      preferences: preferences(options.pref),
      onProgress: (done, total) => progress({ phase: 'writing', region: 'mod', offset: 0, done, total }),
    });
    if (process.stderr.isTTY && !options.json) io.err('\n');
    printResult(io, options, { target: 'moddable', port, app, ...result }, (r) =>
      [`${r.app}: ${r.bytes} bytes in ${r.fragments} fragments to ${r.port}${r.resent > 0 ? ` (${r.resent} sent again)` : ''}, restarted (${r.ms} ms)`, ...r.log.map((line) => `  ${line}`)].join('\n') + '\n',
    );
  } catch (error) {
    if (error instanceof DeployError) throw new CliError(error.message);
    throw error;
  }
}

export const deployCommand: CommandModule = {
  register(program, { io }) {
    addJsonOption(
      program
        .command('deploy')
        .description('put a built app on a board already running its engine, and start it (no reflash): Espruino over its console, Moddable as a mod over xsbug')
        .argument('[app]', "Espruino: the script; Moddable: an mcrun archive (.xsa) or a build folder (default: the project's build)")
        .option('--target <engine>', 'espruino or moddable (default: "target" in mote.config.json; a folder or .xsa means moddable)')
        .option('--port <path>', 'serial port (default: the one ESP board found on USB)')
        .option('--board <id>', 'board definition, to pick its port (default: "board" in mote.config.json)')
        .option('--baud <n>', 'baud rate of the console', '115200')
        .option('--chunk <bytes>', 'Espruino: bytes of the app per console line', '512')
        .option('--pref <domain.key=value>', 'Moddable: a preference to set before the install (repeatable)', (v: string, all: string[]) => all.concat(v), []),
    ).action(async (given: string | undefined, options: DeployCliOptions) => {
      const baudRate = whole('--baud', options.baud, 300);
      whole('--chunk', options.chunk, 16);
      const { target, app, name } = await chooseApp(given, options.target);
      if (target === 'espruino' && options.pref.length > 0) throw new UsageError('--pref is for Moddable boards (Espruino apps keep their settings in Storage files)');
      const board = await chooseBoard(options.board);
      const { path: port } = await choosePort(options.port, board);
      if (target === 'moddable') await deployToModdable(io, app, name, port, options, baudRate);
      else await deployToEspruino(io, app, port, options, baudRate);
    });
  },
};
