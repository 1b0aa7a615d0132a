/**
 * `mote build [entry] --target espruino|moddable [--board id] [--out dir] [--json]`: builds the
 * firmware of the project in the current folder. Options override mote.config.json, which
 * supplies what they leave out (see firmware/build/config.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { addJsonOption, printResult } from '../json.js';

interface BuildOptions {
  target?: string;
  board?: string;
  out?: string;
  minify: boolean;
  json?: boolean;
}

const boardId = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const buildCommand: CommandModule = {
  register(program, { io }) {
    addJsonOption(
      program
        .command('build')
        .description('build the firmware of the project in this folder for Espruino or Moddable XS')
        .argument('[entry]', 'entry module (default: "entry" in mote.config.json, else main.ts)')
        .option('--target <target>', 'espruino or moddable (default: "target" in mote.config.json)')
        .option('--board <id>', 'board id (see mote boards), recorded in the report (default: "board" in mote.config.json)')
        .option('--out <dir>', 'output folder (default: "outDir" in mote.config.json, else build)')
        .option('--no-minify', 'espruino: keep the script readable (default: minified, as it lives in RAM)'),
    ).action(async (entryArg: string | undefined, options: BuildOptions) => {
      // Loaded here, not at start-up: the build path pulls in esbuild and TypeScript.
      const { ConfigError, loadConfig, targets } = await import('../../../firmware/build/config.js');
      const { buildFirmware } = await import('../../../firmware/build/targets.js');
      const { formatReport, reportJson } = await import('../../../firmware/build/report.js');

      const cwd = process.cwd();
      let config;
      try {
        config = await loadConfig(cwd);
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.issues.join('; '));
        throw error;
      }
      const target = options.target ?? config.target;
      if (target === undefined) throw new UsageError('no target: pass --target espruino|moddable or set "target" in mote.config.json');
      if (!(targets as readonly string[]).includes(target)) throw new UsageError(`--target must be espruino or moddable, got "${target}"`);
      const board = options.board ?? config.board;
      if (options.board !== undefined && !boardId.test(options.board)) {
        throw new UsageError(`--board must be letters, digits, ".", "_" or "-", got "${options.board}"`);
      }
      if (board !== undefined) {
        const { boardById, BoardError } = await import('../../../boards/index.js');
        try {
          boardById(board);
        } catch (error) {
          if (error instanceof BoardError) throw options.board !== undefined ? new UsageError(`--board: ${error.message}`) : new CliError(`mote.config.json: ${error.message}`);
          throw error;
        }
      }
      if (options.out === '') throw new UsageError('--out must not be empty');
      const entry = entryArg ?? config.entry;
      if (!existsSync(path.resolve(cwd, entry))) throw new CliError(`entry ${entry} not found`);

      let report;
      try {
        report = await buildFirmware({
          target: target as (typeof targets)[number],
          entry,
          outDir: options.out ?? config.outDir,
          name: config.name,
          cwd,
          minify: options.minify,
          ...(board === undefined ? {} : { board }),
        });
      } catch (error) {
        throw new CliError(`build failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      printResult(io, options, reportJson(report), formatReport);
    });
  },
};
