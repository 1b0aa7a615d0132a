/**
 * `mote deploy [script] [--port p] [--board id] [--baud n] [--chunk n] [--json]`: puts a built
 * Espruino app on a board that already runs Espruino, through its console (REPL), without
 * reflashing: Storage `.bootcde` written in acknowledged chunks, read back and checked, then
 * `load()` (scripts/lib/deploy/espruino.ts). The script defaults to the project's build
 * (`<outDir>/<entry>.js` from mote.config.json). Moddable apps are installed by flashing them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { addJsonOption, printResult } from '../json.js';
import { chooseBoard, choosePort, progressPrinter } from './flash.js';

interface DeployCliOptions {
  port?: string;
  board?: string;
  baud: string;
  chunk: string;
  json?: boolean;
}

function whole(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be a whole number of at least ${min}, got "${value}"`);
  return n;
}

/** The script to deploy: the argument, else the Espruino build of the project in this folder. */
async function scriptPath(given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  const { loadConfig } = await import('../../../firmware/build/config.js');
  const config = await loadConfig(process.cwd());
  if (config.target === 'moddable') {
    throw new CliError("this project's target is moddable: deploy installs Espruino apps; put a Moddable app on the board with 'mote flash'");
  }
  return path.join(config.outDir, `${path.basename(config.entry).replace(/\.[cm]?[jt]sx?$/, '')}.js`);
}

export const deployCommand: CommandModule = {
  register(program, { io }) {
    addJsonOption(
      program
        .command('deploy')
        .description("put a built Espruino app on a board already running Espruino, over its console, and start it (no reflash)")
        .argument('[script]', "the app (default: the project's Espruino build, <outDir>/<entry>.js)")
        .option('--port <path>', 'serial port (default: the one ESP board found on USB)')
        .option('--board <id>', 'board definition, to pick its port (default: "board" in mote.config.json)')
        .option('--baud <n>', 'baud rate of the console', '115200')
        .option('--chunk <bytes>', 'bytes of the app per console line', '512'),
    ).action(async (script: string | undefined, options: DeployCliOptions) => {
      const baudRate = whole('--baud', options.baud, 300);
      const chunkBytes = whole('--chunk', options.chunk, 16);
      const file = await scriptPath(script);
      if (!existsSync(file)) throw new CliError(`no ${file}: build the app first ('mote build --target espruino')`);
      const code = readFileSync(file, 'utf8');
      const board = await chooseBoard(options.board);
      const { path: port } = await choosePort(options.port, board);
      const { deployEspruino, DeployError } = await import('../../lib/deploy/espruino.js');
      const progress = progressPrinter(io, process.stderr.isTTY === true && !options.json);
      io.err(`deploying ${file} to ${port}...\n`);
      try {
        const result = await deployEspruino({
          path: port,
          code,
          baudRate,
          chunkBytes,
          onProgress: (done, total) => progress({ phase: 'writing', region: '.bootcde', offset: 0, done, total }),
        });
        if (process.stderr.isTTY && !options.json) io.err('\n');
        printResult(io, options, { port, file, ...result }, (r) => `${r.file}: ${r.bytes} bytes in ${r.chunks} chunks to ${r.port}, checked, started (${r.ms} ms)\n`);
      } catch (error) {
        if (error instanceof DeployError) throw new CliError(error.message);
        throw error;
      }
    });
  },
};
