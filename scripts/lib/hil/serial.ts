/**
 * Serial boards for `mote hil --port`: a suite device's build put on a board behind a serial port
 * (a real ESP32, or the pty virtual board of `mote virtual-board`), whose console lines then go to
 * the runner's frame reader, exactly as a virtual board's do. Each port is opened once for the
 * whole run and stays open (reopening a USB serial port may toggle DTR/RTS and reset the chip);
 * a board is one boot of the app on it. How the app gets there is per target. Host-side.
 *
 * Espruino: the Espruino deploy (../deploy/espruino.ts) over the console: the app's data in
 * Storage erased (a clean flash, as a virtual board starts with), the suite's settings written as
 * Storage files (`domain.key`, the names the Storage HAL reads), the app written to `.bootcde`,
 * checked, and `load()`. A later boot is `load()` again (a fresh interpreter running the saved app
 * with Storage kept: the reset the app sees); stopping a board is `reset()`, leaving it idle at its
 * prompt with the app still saved.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SerialPort } from 'serialport';
import { deployEspruino, openPort, restartEspruino } from '../deploy/espruino.js';
import type { HilTarget } from './suites.js';
import { type BoardStart, type VirtualBoard, watchHalt } from './virtual.js';

/** How a target's app gets onto a board over its console, and is restarted and stopped there. */
interface SerialTarget {
  /** Puts the build and the flash settings (`start.flash`) on the board and starts the app. */
  install(port: SerialPort, portPath: string, start: BoardStart, files: Record<string, string>): Promise<void>;
  /** Boots the installed app again from the flash it left. */
  reboot(port: SerialPort): Promise<void>;
  /** Stops the app; the board stays at rest. */
  halt(port: SerialPort): Promise<void>;
}

const serialTargets: Record<HilTarget, SerialTarget | undefined> = {
  espruino: {
    install: async (port, portPath, start, files) => {
      const code = readFileSync(path.join(start.outDir, `${start.entryName}.js`), 'utf8');
      await deployEspruino({ path: portPath, port, code, files: { ...files, ...start.flash }, eraseData: true });
    },
    reboot: (port) => restartEspruino(port, 'load'),
    halt: (port) => restartEspruino(port, 'reset'),
  },
  // Not yet: the mod install (../deploy/moddable.ts) opens and closes the port itself and keeps
  // the restarted board's first log lines; here it would have to work over the open port, and
  // the board's console is xsbug messages (<log>) rather than lines.
  moddable: undefined,
};

/** Whether suites of `target` can run over a serial port. */
export function serialSupports(target: HilTarget): boolean {
  return serialTargets[target] !== undefined;
}

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
    if (!target) throw new Error(`${start.target} suites over a serial port are not supported yet`);
    const { port } = link;
    const lines = lineSplitter(watchHalt(start));
    const listen = () => port.on('data', lines);
    try {
      if (start.boot === 1) {
        await target.install(port, link.path, start, this.files);
        listen(); // after the install's own console traffic, before the app's first line can arrive
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
