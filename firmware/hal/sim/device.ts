/**
 * The simulated device the sim port drives: a VirtualBoard, the VirtualTime its timers run on,
 * and its console. One device is current at a time (a process simulates one chip); tests make a
 * fresh one with createDevice before they construct pins. Engine-neutral.
 */
import { RESET_REASONS, type ResetReason } from '../contract/system.js';
import { rangeError } from '../../kernel/errors.js';
import { resetStation } from '../station.js';
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
  /** Why this device started (createDevice's `resetReason`). */
  resetReason: ResetReason;
  /** The wall clock's offset from simulated time (ms): clock.now() = time.now + clockOffset. */
  clockOffset: number;
  /** Set when the app called restart(); its timers are cleared, so it runs no further. */
  restarted: boolean;
}

export interface DeviceOptions {
  /** Why the device started. Default 'power-on'; a reset made with createDevice(spec, flash) says why here. */
  resetReason?: ResetReason;
}

let current: SimDevice | undefined;

/**
 * Makes a device from `spec`, with its timed events scheduled, and makes it current. Pass the
 * flash of an earlier device to simulate a reset (everything starts afresh but what was stored),
 * and why it reset in `options.resetReason`.
 */
export function createDevice(spec: BoardSpec = {}, flash: SimFlash = {}, options: DeviceOptions = {}): SimDevice {
  const resetReason = options.resetReason || 'power-on';
  if (RESET_REASONS.indexOf(resetReason) < 0) throw rangeError(`createDevice: resetReason "${resetReason}" is not one of ${RESET_REASONS.join(', ')}`);
  const time = new VirtualTime();
  const board = new VirtualBoard(spec);
  board.now = () => time.now;
  board.later = (fn, ms) => time.set(fn, ms);
  board.start();
  resetStation();
  current = { board, time, output: [], flash, resetReason, clockOffset: 0, restarted: false };
  return current;
}

export function currentDevice(): SimDevice {
  if (!current) throw new Error('sim HAL: no device; call createDevice() first');
  return current;
}
