/**
 * The hardware layer's contract: what every engine port (espruino, moddable, sim) exports, and
 * what apps get from `mote/hal`. Types only; the build picks the port for its target
 * (package.json `exports` conditions), and nothing outside a port imports it.
 */
import type { EngineTimer } from '../../kernel/clock.js';
import type { DigitalClass } from './digital.js';
import type { I2CClass } from './i2c.js';
import type { StorageClass } from './storage.js';
import type { TCPClass } from './tcp.js';

export type { Digital, DigitalClass, DigitalEdge, DigitalMode, DigitalOptions } from './digital.js';
export { DigitalModes } from './digital.js';
export type { I2C, I2CClass, I2COptions } from './i2c.js';
export type { Storage, StorageClass, StorageOptions } from './storage.js';
export { MAX_STORAGE_VALUE } from './storage.js';
export type { TCP, TCPClass, TCPOptions, TLSOptions } from './tcp.js';
export type { EngineTimer } from '../../kernel/clock.js';

/** One engine port. */
export interface HalPort {
  Digital: DigitalClass;
  I2C: I2CClass;
  Storage: StorageClass;
  TCP: TCPClass;
  /** The engine's timers and millisecond clock: what the kernel's RealClock runs on. */
  engineTimer: EngineTimer;
  /** Writes one line to the device console (Espruino console.log, Moddable trace). */
  log(line: string): void;
}
