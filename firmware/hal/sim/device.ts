/**
 * The simulated device the sim port drives: a VirtualBoard, the VirtualTime its timers run on,
 * and its console. One device is current at a time (a process simulates one chip); tests make a
 * fresh one with createDevice before they construct pins. Engine-neutral.
 */
import { type BoardSpec, VirtualBoard } from './board.js';
import { VirtualTime } from './virtual-time.js';

/** Flash contents: what survives a reset. Storage keeps `domain.key` → value here. */
export interface SimFlash {
  [name: string]: Uint8Array;
}

export interface SimDevice {
  board: VirtualBoard;
  time: VirtualTime;
  /** Console lines, in order. */
  output: string[];
  flash: SimFlash;
}

let current: SimDevice | undefined;

/**
 * Makes a device from `spec`, with its stimuli scheduled, and makes it current. Pass the flash of
 * an earlier device to simulate a reset: everything starts afresh but what was stored.
 */
export function createDevice(spec: BoardSpec = {}, flash: SimFlash = {}): SimDevice {
  const time = new VirtualTime();
  const board = new VirtualBoard(spec);
  board.now = () => time.now;
  for (const s of spec.stimuli || []) time.set(() => board.drive(s.pin, s.level), s.at);
  current = { board, time, output: [], flash };
  return current;
}

export function currentDevice(): SimDevice {
  if (!current) throw new Error('sim HAL: no device; call createDevice() first');
  return current;
}
