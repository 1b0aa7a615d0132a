/**
 * Serial boards for `mote hil --port`: a suite device's build put on a board behind a serial port
 * (a real ESP32, or the pty virtual board of `mote virtual-board`), whose console lines then go to
 * the runner's frame reader, exactly as a virtual board's do. Each port is opened once for the
 * whole run and stays open (reopening a USB serial port may toggle DTR/RTS and reset the chip);
 * a board is one boot of the app on it. How the app gets there is per target. Host-side.
 *
 * Espruino: the Espruino deploy (../deploy/espruino.ts) over the console: the app's data in
 * Storage erased (a clean flash, as a virtual board starts with), the suite's settings written as
 * Storage files (`domain.key`, the names the Storage HAL reads), the app written to `.bootcde`
 * (as images.ts saves a program: 7-bit, so it means the same to an engine reading its bytes),
 * checked, and `load()`. A later boot is `load()` again (a fresh interpreter running the saved app
 * with Storage kept: the reset the app sees); stopping a board is `reset()`, leaving it idle at its
 * prompt with the app still saved.
 *
 * Moddable (a debug build speaking xsbug): the suite's build packed as a mod and installed by the
 * Moddable deploy (../deploy/moddable.ts) over the open port, the settings set first as
 * preferences (the names and bytes the Storage HAL reads), then the board restarted into the mod.
 * A later boot is xsbug's restart. xsbug has no command that stops a mod, so stopping a board
 * leaves it running (unheard; the next install replaces it). The board's console is xsbug
 * messages: each `<log>` is one or more lines of the app.
 */
import type { SerialPort } from 'serialport';
import { deployEspruino, openPort, restartEspruino } from '../deploy/espruino.js';
import { deployModdable } from '../deploy/moddable.js';
import { packSourceArchive } from '../xsbug/archive.js';
import { Command, DeviceStreamDecoder, encodeCommand } from '../xsbug/protocol.js';
import { espruinoProgram } from './images.js';
import type { HilTarget } from './suites.js';
import { type BoardStart, type VirtualBoard, watchHalt } from './virtual.js';

/** How a target's app gets onto a board over its console, and is restarted and stopped there. */
interface SerialTarget {
  /** Puts the build and the flash settings (`start.flash`) on the board and starts the app; returns lines it already printed. */
  install(port: SerialPort, portPath: string, start: BoardStart, files: Record<string, string>): Promise<string[]>;
  /** Boots the installed app again from the flash it left. */
  reboot(port: SerialPort): Promise<void>;
  /** Stops the app; the board stays at rest. */
  halt(port: SerialPort): Promise<void>;
  /** Turns the console's bytes into the app's lines. */
  reader(port: SerialPort, onLine: (line: string) => void): (chunk: Buffer) => void;
}

/** The XS machine each Moddable board last announced: commands are addressed to it. */
const machines = new WeakMap<SerialPort, number>();

function command(port: SerialPort, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => port.write(Buffer.from(bytes), (error) => (error ? reject(error) : port.drain(() => resolve()))));
}

const serialTargets: Record<HilTarget, SerialTarget> = {
  espruino: {
    install: async (port, portPath, start, files) => {
      const code = espruinoProgram(start.outDir, start.entryName);
      await deployEspruino({ path: portPath, port, code, files: { ...files, ...start.flash }, eraseData: true });
      return [];
    },
    reboot: (port) => restartEspruino(port, 'load'),
    halt: (port) => restartEspruino(port, 'reset'),
    reader: (_port, onLine) => lineSplitter(onLine),
  },
  moddable: {
    install: async (port, portPath, start, files) => {
      const preferences: Record<string, Uint8Array> = {};
      for (const [name, text] of Object.entries({ ...files, ...start.flash })) preferences[name] = Uint8Array.from(Buffer.from(text, 'latin1'));
      const archive = packSourceArchive(start.outDir, start.entryName);
      const result = await deployModdable({ path: portPath, port, archive, preferences, settleMs: 0 });
      machines.set(port, result.machine);
      return result.log.filter((line) => !line.startsWith('mod "'));
    },
    reboot: (port) => command(port, encodeCommand(machines.get(port) ?? 0, Command.restart)),
    halt: async () => undefined,
    reader: (port, onLine) => {
      const decoder = new DeviceStreamDecoder((event) => {
        if (event.type === 'login') machines.set(port, event.machine);
        else if (event.type === 'log') for (const line of event.text.replace(/\n$/, '').split('\n')) onLine(line);
        else if (event.type === 'line') onLine(event.text);
      });
      return (chunk) => decoder.push(chunk);
    },
  },
};

export interface SerialBoardsOptions {
  baudRate?: number;
  /** Flash files every board gets with each install, beside the suite's settings (`domain.key` → text). */
  files?: Record<string, string>;
}

/** The boards behind some serial ports, for the runner (`startBoard`): device i of a suite runs on the i-th port. */
export class SerialBoards {
  private constructor(
    private readonly links: readonly { path: string; port: SerialPort }[],
    private readonly files: Record<string, string>,
  ) {}

  /** Opens every port; if one cannot be opened, those already open are closed again. */
  static async open(paths: readonly string[], options: SerialBoardsOptions = {}): Promise<SerialBoards> {
    const links: { path: string; port: SerialPort }[] = [];
    const boards = new SerialBoards(links, options.files ?? {});
    try {
      for (const portPath of paths) links.push({ path: portPath, port: await openPort(portPath, options.baudRate ?? 115200) });
    } catch (error) {
      await boards.close();
      throw error;
    }
    return boards;
  }

  /** How many boards (ports). */
  get size(): number {
    return this.links.length;
  }

  /** One boot of a suite device's build on its board (device i on the i-th port); rejects when the build cannot be put there. */
  readonly start = (start: BoardStart): Promise<VirtualBoard> => this.boot(start, 0);

  /** The same with device i on port `first + i`: a lane of its own, for suites run side by side. */
  startingAt(first: number): (start: BoardStart) => Promise<VirtualBoard> {
    return (start) => this.boot(start, first);
  }

  private async boot(start: BoardStart, first: number): Promise<VirtualBoard> {
    const link = this.links[first + start.index];
    if (!link) throw new Error(`the suite's device ${start.index + 1} has no board: ${this.links.length - first} port${this.links.length - first === 1 ? '' : 's'} given`);
    const target = serialTargets[start.target];
    const { port } = link;
    const onLine = watchHalt(start);
    const lines = target.reader(port, onLine);
    const listen = () => port.on('data', lines);
    try {
      if (start.boot === 1) {
        const printed = await target.install(port, link.path, start, this.files);
        listen(); // after the install's own console traffic, before the app's next line can arrive
        for (const line of printed) onLine(line);
      } else {
        listen();
        await target.reboot(port);
      }
    } catch (error) {
      port.off('data', lines);
      throw new Error(`${link.path}: ${(error as Error).message}`);
    }
    let stopped: Promise<void> | undefined;
    return {
      stop: () =>
        (stopped ??= (async () => {
          port.off('data', lines);
          // A board that does not answer is left as it is: the next install says what is wrong.
          if (port.isOpen) await target.halt(port).catch(() => undefined);
        })()),
      // The board keeps its own flash across boots.
      flash: async () => ({}),
    };
  }

  async close(): Promise<void> {
    for (const { port } of this.links) await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  }
}

/** Bytes from the console → its lines (LF or CRLF), each decoded as UTF-8 once whole (a chunk may split a character). */
function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    const lines = (pending + chunk.toString('latin1')).split('\n');
    pending = lines.pop()!;
    for (const line of lines) onLine(Buffer.from(line.replace(/\r$/, ''), 'latin1').toString('utf8'));
  };
}
