/**
 * `mote decode [trace-file] [--map file.js.map]... [--build dir] [--json]`: maps the script
 * positions in an error trace printed by a device back to the TypeScript lines, using the
 * source maps `mote build` wrote. Reads the trace from the file, or from standard input.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from '../command.js';
import { CliError } from '../errors.js';
import { addJsonOption, printResult } from '../json.js';

interface DecodeOptions {
  map: string[];
  build?: string;
  json?: boolean;
}

function readJson(file: string): object {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as object;
  } catch (error) {
    throw new CliError(`cannot read source map ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export const decodeCommand: CommandModule = {
  register(program, { io }) {
    addJsonOption(
      program
        .command('decode')
        .description('map positions in a device error trace back to the TypeScript source')
        .argument('[trace-file]', 'file holding the trace (default: standard input)')
        .option('--map <file>', 'a source map (repeatable; default: every *.js.map in the build folder)', (v: string, all: string[]) => all.concat(v), [])
        .option('--build <dir>', 'build folder holding the maps (default: "outDir" in mote.config.json, else build)'),
    ).action(async (traceFile: string | undefined, options: DecodeOptions) => {
      const { decodeTrace } = await import('../../../firmware/build/decode.js');
      const byFile: Record<string, object> = {};
      if (options.map.length > 0) {
        for (const file of options.map) byFile[path.basename(file).replace(/\.map$/, '')] = readJson(file);
      } else {
        const { loadConfig } = await import('../../../firmware/build/config.js');
        const dir = options.build ?? (await loadConfig(process.cwd())).outDir;
        const maps = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.js.map')) : [];
        if (maps.length === 0) throw new CliError(`no source maps (*.js.map) in ${dir}: build first, or pass --map or --build`);
        for (const f of maps) byFile[f.replace(/\.map$/, '')] = readJson(path.join(dir, f));
      }
      let trace: string;
      try {
        trace = traceFile === undefined ? readFileSync(0, 'utf8') : readFileSync(traceFile, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read the trace: ${error instanceof Error ? error.message : String(error)}`);
      }
      const decoded = decodeTrace(trace, { byFile });
      printResult(io, options, decoded, (d) => d.text);
    });
  },
};
