/**
 * `mote monitor [--port p] [--board id] [--baud n] [--map file]... [--build dir] [--reset] [--until regex]
 *  [--duration s] [--json]`: a serial console. Prints what the board sends as lines, each device error
 * position followed by the TypeScript line it came from (through the build's source maps); forwards what
 * is typed. A Moddable debug build's xsbug messages show as their text. On a terminal: Ctrl-] quits,
 * Ctrl-T then R resets the board (DTR/RTS).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { chooseBoard, choosePort } from './flash.js';

interface MonitorOptions {
  port?: string;
  board?: string;
  baud: string;
  map: string[];
  build?: string;
  reset?: boolean;
  until?: string;
  duration?: string;
  json?: boolean;
}

const CTRL_RIGHT_BRACKET = 0x1d;
const CTRL_T = 0x14;

/** Source maps from --map, else from --build or the project's build folder; none is fine (no decoding). */
async function loadMaps(options: MonitorOptions): Promise<Record<string, object>> {
  const read = (file: string): object => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as object;
    } catch (error) {
      throw new CliError(`cannot read source map ${file}: ${(error as Error).message}`);
    }
  };
  const byFile: Record<string, object> = {};
  if (options.map.length > 0) {
    for (const file of options.map) byFile[path.basename(file).replace(/\.map$/, '')] = read(file);
    return byFile;
  }
  let dir = options.build;
  if (dir === undefined) {
    const { loadConfig } = await import('../../../firmware/build/config.js');
    dir = (await loadConfig(process.cwd()).catch(() => ({ outDir: 'build' }))).outDir;
  }
  if (!existsSync(dir)) return byFile;
  for (const f of readdirSync(dir).filter((name) => name.endsWith('.js.map'))) byFile[f.replace(/\.map$/, '')] = read(path.join(dir, f));
  return byFile;
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got "${text}"`);
  return n;
}

export const monitorCommand: CommandModule = {
  register(program, { io }) {
    program
      .command('monitor')
      .description("serial console: the board's output as lines, device error positions mapped to TypeScript; Ctrl-] quits, Ctrl-T R resets")
      .option('--port <path>', 'serial port (default: the one ESP board found on USB)')
      .option('--board <id>', 'board definition, to pick its port (default: "board" in mote.config.json)')
      .option('--baud <n>', 'baud rate', '115200')
      .option('--map <file>', 'a source map (repeatable; default: every *.js.map in the build folder)', (v: string, all: string[]) => all.concat(v), [])
      .option('--build <dir>', 'build folder holding the maps (default: "outDir" in mote.config.json, else build)')
      .option('--reset', 'reset the board (into its app) when the monitor starts')
      .option('--until <regex>', 'stop, successfully, after a line matching this')
      .option('--duration <seconds>', 'stop after this long')
      .option('--json', 'print each line as a JSON object (time, text, decoded positions)')
      .action(async (options: MonitorOptions) => {
        const baudRate = Number(options.baud);
        if (!Number.isInteger(baudRate) || baudRate < 300) throw new UsageError(`--baud must be a whole number of at least 300, got "${options.baud}"`);
        let until: RegExp | undefined;
        try {
          until = options.until === undefined ? undefined : new RegExp(options.until);
        } catch (error) {
          throw new UsageError(`--until is not a valid regular expression: ${(error as Error).message}`);
        }
        const duration = options.duration === undefined ? undefined : positive('--duration', options.duration);
        const maps = await loadMaps(options);
        const board = await chooseBoard(options.board);
        const { path: port } = await choosePort(options.port, board);
        const { openSerialTransport } = await import('../../lib/esp-rom/transport.js');
        const { FlashError } = await import('../../lib/esp-rom/errors.js');
        let transport;
        try {
          transport = await openSerialTransport(port, baudRate);
        } catch (error) {
          if (error instanceof FlashError) throw new CliError(error.message);
          throw error;
        }
        await runMonitor(io, transport, { maps, until, duration, json: options.json === true, reset: options.reset === true });
      });
  },
};

async function runMonitor(
  io: CliIO,
  transport: import('../../lib/esp-rom/transport.js').Transport,
  options: { maps: Record<string, object>; until?: RegExp; duration?: number; json: boolean; reset: boolean },
): Promise<void> {
  const { LineSplitter } = await import('../../lib/esp-serial/lines.js');
  const { decodeTrace } = await import('../../../firmware/build/decode.js');
  const { hardResetChip } = await import('../../lib/esp-rom/reset.js');
  const decoding = Object.keys(options.maps).length > 0;
  const splitter = new LineSplitter();

  const reset = async () => {
    try {
      await hardResetChip(transport);
      io.err('--- reset\n');
    } catch (error) {
      io.err(`--- cannot reset: ${(error as Error).message}\n`);
    }
  };

  const { ConsoleText } = await import('../../lib/xsbug/protocol.js');
  const xsbug = new ConsoleText();
  const print = (received: string) => {
    // A Moddable debug build wraps its output in xsbug messages: show their text.
    const line = xsbug.push(received);
    if (line === undefined) return false;
    const decoded = decoding ? decodeTrace(line, { byFile: options.maps }) : { text: line, positions: [] };
    if (options.json) {
      const positions = decoded.positions.filter((p) => p.source !== null);
      io.out(`${JSON.stringify({ time: new Date().toISOString(), text: line, ...(positions.length > 0 ? { positions } : {}) })}\n`);
    } else {
      io.out(`${decoded.text}\n`);
    }
    return options.until?.test(line) === true;
  };

  await new Promise<void>((resolve) => {
    const stops: (() => void)[] = [];
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      for (const s of stops) s();
      const rest = splitter.rest();
      if (rest !== '') print(rest);
      resolve();
    };
    stops.push(
      transport.onData((bytes) => {
        for (const line of splitter.push(bytes)) if (print(line)) return stop();
      }),
    );
    if (options.duration !== undefined) {
      const timer = setTimeout(stop, options.duration * 1000);
      stops.push(() => clearTimeout(timer));
    }
    const onSigint = () => stop();
    process.once('SIGINT', onSigint);
    stops.push(() => process.off('SIGINT', onSigint));

    // Keys typed go to the board; on a terminal, Ctrl-] quits and Ctrl-T R resets.
    const stdin = process.stdin;
    let menu = false;
    const onKeys = (chunk: Buffer) => {
      if (!stdin.isTTY) return void transport.write(chunk);
      for (const byte of chunk) {
        if (menu) {
          menu = false;
          if (byte === 0x72 || byte === 0x52 || byte === 0x12) void reset();
          else if (byte === CTRL_T) void transport.write(Uint8Array.of(CTRL_T));
        } else if (byte === CTRL_RIGHT_BRACKET) return stop();
        else if (byte === CTRL_T) menu = true;
        else void transport.write(Uint8Array.of(byte));
      }
    };
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('data', onKeys);
    stops.push(() => {
      stdin.off('data', onKeys);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
    });

    const hint = process.stdin.isTTY ? ' (Ctrl-] quits, Ctrl-T R resets)' : '';
    io.err(`--- monitoring ${transport.path}${decoding ? `, decoding with ${Object.keys(options.maps).join(', ')}` : ''}${hint}\n`);
    if (options.reset) void reset();
  });
  await transport.close();
}
