/**
 * `mote hil [suite...] --virtual [--target espruino|moddable|all] [--dir folder] [--junit file] [--retries n] [--json]`:
 * builds the hardware-in-the-loop suites (hil-tests/<suite>/), runs each on virtual boards (the
 * live Espruino and XS device hosts, with a mote cloud for suites that ask for one), prints each
 * test's result and a summary, and writes JUnit XML for CI. Exits 1 when a test fails or a suite
 * cannot run. Real boards over a serial port are not supported yet: --virtual is required.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { addJsonOption } from '../json.js';

interface HilOptions {
  virtual?: boolean;
  target: string;
  dir: string;
  junit?: string;
  retries: string;
  json?: boolean;
}

export const hilCommand: CommandModule = {
  register(program, { io }) {
    addJsonOption(
      program
        .command('hil')
        .description('run hardware-in-the-loop test suites on virtual boards')
        .argument('[suite...]', 'suites to run (default: every folder of --dir holding a suite.json)')
        .option('--virtual', 'run on virtual boards in this process (required: real boards are not supported yet)')
        .option('--target <target>', 'espruino, moddable or all', 'all')
        .option('--dir <folder>', 'the suites folder', 'hil-tests')
        .option('--junit <file>', 'write the results as JUnit XML')
        .option('--retries <n>', 'reruns of a suite after a link fault (a corrupt or lost frame)', '1'),
    ).action(async (names: string[], options: HilOptions) => {
      if (!options.virtual) throw new UsageError('pass --virtual: running suites on a real board over a serial port is not supported yet');
      const targets = options.target === 'all' ? (['espruino', 'moddable'] as const) : ([options.target] as const);
      if (!targets.every((t) => t === 'espruino' || t === 'moddable')) throw new UsageError(`--target must be espruino, moddable or all, got "${options.target}"`);
      const retries = Number(options.retries);
      if (!Number.isInteger(retries) || retries < 0 || retries > 10) throw new UsageError(`--retries must be a whole number from 0 to 10, got "${options.retries}"`);

      // Loaded here, not at start-up: the runner pulls in the build path, the engines and the cloud.
      const { findSuites, SuiteError } = await import('../../lib/hil/suites.js');
      const { runHil } = await import('../../lib/hil/run.js');
      const { junitXml } = await import('../../lib/hil/junit.js');
      const { firstProblem, formatSuite, summaryLine } = await import('../../lib/hil/report.js');
      const { tally } = await import('../../lib/hil/results.js');

      let suites;
      try {
        suites = findSuites(path.resolve(options.dir), names);
      } catch (error) {
        if (error instanceof SuiteError) throw new CliError(error.message);
        throw error;
      }
      if (suites.length === 0) throw new CliError(`no suites in ${options.dir}`);

      const startedAt = new Date();
      const started = performance.now();
      const results = await runHil({
        suites,
        targets: targets as readonly ('espruino' | 'moddable')[],
        retries,
        onSuite: (result) => {
          if (!options.json) io.out(formatSuite(result));
        },
      });
      const ms = Math.round(performance.now() - started);
      if (options.junit) {
        mkdirSync(path.dirname(path.resolve(options.junit)), { recursive: true });
        writeFileSync(options.junit, junitXml(results, startedAt));
      }
      if (options.json) io.out(`${JSON.stringify({ summary: { ...tally(results), ms }, suites: results }, null, 2)}\n`);
      else io.out(`${summaryLine(results, ms)}\n`);
      const problem = firstProblem(results);
      if (problem !== undefined) {
        const t = tally(results);
        throw new CliError(`${t.failed} test${t.failed === 1 ? '' : 's'} failed, ${t.errors} suite error${t.errors === 1 ? '' : 's'}; first: ${problem}`);
      }
    });
  },
};
