/**
 * The hardware layer's contract: what every engine port (espruino, moddable, sim) exports, and
 * what apps get from `mote/hal`. Types only; the build picks the port for its target
 * (package.json `exports` conditions), and nothing outside a port imports it.
 */
import type { EngineTimer } from '../../kernel/clock.js';
import type { AppSlotsClass } from './app-slots.js';
import type { DigitalClass } from './digital.js';
import type { I2CClass } from './i2c.js';
import type { SerialClass } from './serial.js';
import type { StorageClass } from './storage.js';
import type { ResetReason, WallClock } from './system.js';
import type { TCPClass } from './tcp.js';
import type { WiFiClass } from './wifi.js';

export type { AppSlots, AppSlotsClass, AppSlotsOptions, SlotState } from './app-slots.js';
export type { Digital, DigitalClass, DigitalEdge, DigitalMode, DigitalOptions } from './digital.js';
export { DigitalModes } from './digital.js';
export type { I2C, I2CClass, I2COptions } from './i2c.js';
export type { Storage, StorageClass, StorageOptions } from './storage.js';
export { MAX_STORAGE_VALUE } from './storage.js';
export type { Serial, SerialClass, SerialOptions } from './serial.js';
export type { ResetReason, WallClock } from './system.js';
export { RESET_REASONS } from './system.js';
export type { TCP, TCPClass, TCPOptions, TLSOptions } from './tcp.js';
export type { WiFi, WiFiClass, WiFiOptions, WiFiReason, WiFiStatus } from './wifi.js';
export type { EngineTimer } from '../../kernel/clock.js';

/** One engine port. */
export interface HalPort {
  /** The application slots OTA writes (see app-slots.ts). */
  AppSlots: AppSlotsClass;
  Digital: DigitalClass;
  I2C: I2CClass;
  Serial: SerialClass;
  Storage: StorageClass;
  TCP: TCPClass;
  WiFi: WiFiClass;
  /** Wall-clock time (epoch ms), settable; not the kernel's monotonic clock. */
  clock: WallClock;
  /** Why the chip last started. */
  resetReason(): ResetReason;
  /** A software reset. */
  restart(): void;
  /** The engine's timers and millisecond clock: what the kernel's RealClock runs on. */
  engineTimer: EngineTimer;
  /** Writes one line to the device console (Espruino console.log, Moddable trace). */
  log(line: string): void;
}
