/**
 * `mote hil [suite...] (--port <tty>... | --virtual) [--board id] [--target espruino|moddable|all]
 * [--cloud-host host] [--dir folder] [--junit file] [--retries n] [--json]`: builds the
 * hardware-in-the-loop suites (hil-tests/<suite>/), runs each on boards, prints each test's result
 * and a summary, and writes JUnit XML for CI. Exits 1 when a test fails or a suite cannot run.
 *
 * Boards: `--virtual` runs them in this process (the live Espruino and XS device hosts); `--port`
 * (once per board; else MOTE_HIL_PORT, comma-separated; else the `--board`'s port found by its USB
 * VID:PID) puts each suite's build on boards behind serial ports (Espruino over its console,
 * Moddable as a mod over xsbug): device i of a suite on the i-th port; suites of one device run
 * side by side, one per port.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { addJsonOption } from '../json.js';
import type { SuiteResult } from '../../lib/hil/results.js';
import type { Suite } from '../../lib/hil/suites.js';
import type { BoardStart, VirtualBoard } from '../../lib/hil/virtual.js';
import { chooseBoard, choosePort } from './flash.js';

interface HilOptions {
  virtual?: boolean;
  port?: string[];
  board?: string;
  target?: string;
  cloudHost?: string;
  baud: string;
  dir: string;
  junit?: string;
  retries: string;
  json?: boolean;
}

type Target = 'espruino' | 'moddable';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The ports of a run on real boards: --port, else MOTE_HIL_PORT, else the --board's port by its USB VID:PID; none means virtual boards. */
async function boardPorts(options: HilOptions): Promise<string[] | undefined> {
  const fromEnv = (process.env.MOTE_HIL_PORT ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  const given = options.port ?? [];
  if (options.virtual) {
    if (given.length > 0) throw new UsageError('pass either --port (boards on serial ports) or --virtual, not both');
    if (options.board !== undefined) throw new UsageError('--board is for boards on a port: a virtual board is the suite\'s own (suite.json "board")');
    return undefined;
  }
  const ports = given.length > 0 ? given : fromEnv;
  if (ports.length === 0) {
    if (options.board === undefined) throw new UsageError('pass --port <tty> (once per board; or set MOTE_HIL_PORT, or --board to find it by USB) to run on boards, or --virtual');
    return [(await choosePort(undefined, await chooseBoard(options.board))).path];
  }
  const twice = ports.find((p, i) => ports.indexOf(p) !== i);
  if (twice !== undefined) throw new UsageError(`port ${twice} is given twice: each board has its own port`);
  return ports;
}

/** Where boards reach this machine's cloud: a pty is a virtual board on this machine; a real board needs a network address. */
function defaultCloudHost(ports: readonly string[]): string | undefined {
  if (ports.every((p) => p.startsWith('/dev/pts/'))) return '127.0.0.1';
  const addresses = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
  return addresses.find((a) => a.family === 'IPv4' && !a.internal)?.address;
}

export const hilCommand: CommandModule = {
  register(program, { io }) {
    addJsonOption(
      program
        .command('hil')
        .description('run hardware-in-the-loop test suites on boards behind serial ports or on virtual boards')
        .argument('[suite...]', 'suites to run (default: every folder of --dir holding a suite.json)')
        .option('--port <tty>', "a board's serial port, once per board (default: MOTE_HIL_PORT, comma-separated)", collect)
        .option('--virtual', 'run on virtual boards in this process instead')
        .option('--board <id>', 'board definition (boards/): its wiring goes to flash as hil.board; finds its port by USB when no --port')
        .option('--target <target>', 'espruino, moddable or all (default: all with --virtual, espruino on a port)')
        .option('--cloud-host <host>', "the address boards on a port reach this machine's cloud at (default: 127.0.0.1 for pseudo-terminals, else the first non-internal IPv4)")
        .option('--baud <n>', 'baud rate of the boards\' consoles', '115200')
        .option('--dir <folder>', 'the suites folder', 'hil-tests')
        .option('--junit <file>', 'write the results as JUnit XML')
        .option('--retries <n>', 'reruns of a suite after a link fault (a corrupt or lost frame)', '1'),
    ).action(async (names: string[], options: HilOptions) => {
      const ports = await boardPorts(options);
      const target = options.target ?? (ports ? 'espruino' : 'all');
      const targets: Target[] = target === 'all' ? ['espruino', 'moddable'] : [target as Target];
      if (!targets.every((t) => t === 'espruino' || t === 'moddable')) throw new UsageError(`--target must be espruino, moddable or all, got "${target}"`);
      const retries = Number(options.retries);
      if (!Number.isInteger(retries) || retries < 0 || retries > 10) throw new UsageError(`--retries must be a whole number from 0 to 10, got "${options.retries}"`);
      const baudRate = Number(options.baud);
      if (!Number.isInteger(baudRate) || baudRate < 300) throw new UsageError(`--baud must be a whole number of at least 300, got "${options.baud}"`);
      if (!ports && options.cloudHost !== undefined) throw new UsageError('--cloud-host is for boards on a port: virtual boards reach the cloud in this process');

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
      const run = suites.filter((suite) => targets.some((t) => suite.targets.includes(t)));
      const short = ports && run.find((suite) => suite.devices.length > ports.length);
      if (short) {
        throw new UsageError(
          `suite ${short.name} needs ${short.devices.length} boards (one per device: ${short.devices.map((d) => d.name).join(', ')}), got ${ports!.length} port${ports!.length === 1 ? '' : 's'}: pass --port once per board`,
        );
      }
      let cloudHost: string | undefined;
      if (ports && run.some((suite) => suite.cloud)) {
        cloudHost = options.cloudHost ?? defaultCloudHost(ports);
        if (cloudHost === undefined) throw new CliError('no network address for the boards to reach the cloud at: pass --cloud-host');
      }
      const boards = ports && (await openBoards(ports, baudRate, options.board));

      const startedAt = new Date();
      const started = performance.now();
      const runOn = (chosen: Suite[], startBoard?: (start: BoardStart) => Promise<VirtualBoard>) =>
        runHil({
          suites: chosen,
          targets,
          retries,
          ...(startBoard && { startBoard }),
          ...(cloudHost !== undefined && { cloudHost }),
          onSuite: (result) => {
            if (!options.json) io.out(formatSuite(result));
          },
        });
      let results: SuiteResult[];
      try {
        if (!boards) results = await runOn(suites);
        else {
          // Suites of several devices one after another on the first ports; then the others side
          // by side, each port a lane taking the next suite.
          results = await runOn(suites.filter((s) => s.devices.length > 1), boards.start);
          const queue = suites.filter((s) => s.devices.length === 1);
          const lanes = Array.from({ length: Math.min(boards.size, queue.length) }, async (_, lane) => {
            const done: SuiteResult[] = [];
            for (let next = queue.shift(); next; next = queue.shift()) done.push(...(await runOn([next], boards.startingAt(lane))));
            return done;
          });
          results.push(...(await Promise.all(lanes)).flat());
          // Reported in the order the suites were asked for, whichever ended first.
          const rank = (r: SuiteResult) => suites.findIndex((s) => s.name === r.suite) * targets.length + targets.indexOf(r.target as Target);
          results.sort((a, b) => rank(a) - rank(b));
        }
      } finally {
        await boards?.close();
      }
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

/** The boards behind `ports`, each given the --board's wiring (boards/<id>.json pins) in flash. */
async function openBoards(ports: string[], baudRate: number, boardId: string | undefined) {
  const { SerialBoards } = await import('../../lib/hil/serial.js');
  const { DeployError } = await import('../../lib/deploy/espruino.js');
  const board = boardId === undefined ? undefined : await chooseBoard(boardId);
  try {
    return await SerialBoards.open(ports, { baudRate, ...(board && { files: { 'hil.board': JSON.stringify({ id: board.id, pins: board.pins }) } }) });
  } catch (error) {
    if (error instanceof DeployError) throw new CliError(error.message);
    throw error;
  }
}
