/**
 * Virtual boards for `mote hil --virtual`: a suite device's build running in this process on the
 * live device hosts, EspruinoDevice (Espruino 2v29 dialect) or XsDevice (the real XS engine),
 * each with its own VirtualBoard, flash contents and sockets bridged to real TCP. A board boots
 * what its flash holds, as a flashed board does: Espruino its saved program (`.bootcde`, the build
 * at the first boot), Moddable the app slot its bootloader picks (images.ts). Host-side.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BoardSpec } from '../../../firmware/hal/sim/board.js';
import { EspruinoDevice } from '../../../firmware/host/espruino/device.js';
import { XsDevice } from '../../../firmware/host/xs/live-device.js';
import { espruinoProgram, moddableBootDir } from './images.js';
import type { HilTarget } from './suites.js';

export interface VirtualBoard {
  stop(): Promise<void>;
  /** What is in the board's flash now (`domain.key` → binary string), to start the next boot from. */
  flash(): Promise<Record<string, string>>;
}

export interface BoardStart {
  target: HilTarget;
  /** The build output folder (buildFirmware's outDir). */
  outDir: string;
  /** The entry's base name: the Espruino build writes `<entry>.js`. */
  entryName: string;
  board: BoardSpec;
  /** Flash at start, `domain.key` → text. */
  flash: Record<string, string>;
  /** The device's place in its suite: with several boards, device i runs on the i-th. */
  index: number;
  /** 1 at power-up; each later boot is a reset, from the flash the last one left (`flash` here; a real board keeps its own). */
  boot: number;
  onLine: (line: string) => void;
  /** The host stopped the device (an uncaught exception on XS, a runaway script on Espruino); `line` says why. */
  onHalt: (line: string) => void;
}

/** Both hosts end the line they print when they stop a device this way. */
const HALTED = /; device stopped$/;

export function watchHalt(start: BoardStart): (line: string) => void {
  return (line) => {
    start.onLine(line);
    if (HALTED.test(line)) start.onHalt(line);
  };
}

/** Starts a virtual board running the build; a build the engine refuses rejects, with the engine's message. */
export async function startVirtualBoard(start: BoardStart): Promise<VirtualBoard> {
  if (start.target === 'moddable') {
    const app = moddableBootDir(start.flash, start.outDir, () => mkdtempSync(path.join(os.tmpdir(), 'mote-hil-slot-')));
    const device = await XsDevice.start(app, { board: start.board, flash: start.flash, onLine: watchHalt(start) });
    return { stop: () => device.stop(), flash: () => device.flash() };
  }
  const script = path.join(start.outDir, `${start.entryName}.js`);
  // Flashed: the build is the saved program. A later boot runs whatever `.bootcde` holds then.
  const later = start.boot > 1 && start.flash['.bootcde'] !== undefined;
  const storage = later ? start.flash : { ...start.flash, '.bootcde': espruinoProgram(start.outDir, start.entryName) };
  const device = new EspruinoDevice({ board: start.board, storage, onLine: watchHalt(start) });
  try {
    if (later) device.boot();
    else device.load(readFileSync(script, 'utf8'), readFileSync(`${script}.map`, 'utf8'));
  } catch (error) {
    device.stop();
    throw error;
  }
  return {
    stop: async () => device.stop(),
    flash: async () => device.storage(),
  };
}
