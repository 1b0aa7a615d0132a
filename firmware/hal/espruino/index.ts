/**
 * The Espruino port: the hardware layer over Espruino's globals (pinMode, digitalWrite,
 * digitalRead, setWatch, I2C1, Serial2/Serial3, setTimeout, getTime, setTime, ESP32, console)
 * and modules (Storage, net, tls, Wifi).
 * Pins are GPIO numbers, which Espruino accepts wherever it takes a Pin.
 */
import type { EngineTimer } from '../../kernel/clock.js';
import { rangeError } from '../../kernel/errors.js';
import { DigitalConstants, type Digital as DigitalContract, type DigitalOptions } from '../contract/digital.js';
import type { I2C as I2CContract, I2COptions } from '../contract/i2c.js';
import { checkCount, checkDigitalOptions, checkI2COptions, checkOpen, isOutput, toBytes } from '../validate.js';

import { clockJumps } from './system.js';

export { AppSlots } from './app-slots.js';
export { Serial } from './serial.js';
export { Storage } from './storage.js';
export { clock, resetReason, restart } from './system.js';
export { TCP } from './tcp.js';
export { WiFi } from './wifi.js';

interface WatchEvent {
  state: boolean;
  time: number;
  lastTime: number;
}
interface EspruinoI2C {
  setup(options: { scl: number; sda: number; bitrate: number }): void;
  writeTo(target: { address: number; stop: boolean }, data: Uint8Array): void;
  readFrom(address: number, count: number): Uint8Array;
}
declare function pinMode(pin: number, mode: string, automatic?: boolean): void;
declare function digitalWrite(pin: number, value: number): void;
declare function digitalRead(pin: number): number;
declare function setWatch(fn: (e: WatchEvent) => void, pin: number, options: { repeat: boolean; edge: string; debounce: number }): number;
declare function clearWatch(id: number): void;
declare function getTime(): number;
declare function setTimeout(fn: () => void, ms: number): unknown;
declare function clearTimeout(id: unknown): void;
declare const console: { log(line: string): void };
declare const I2C1: EspruinoI2C;

/** Espruino's pinMode names, by ECMA-419 mode (no pull-up-and-down mode on Espruino). */
const modeNames: { [mode: number]: string } = { 0: 'input', 1: 'input_pullup', 2: 'input_pulldown', 8: 'output', 9: 'opendrain' };
const edgeNames = ['', 'rising', 'falling', 'both'];
const taken: { [pin: number]: boolean } = {};

export class Digital extends DigitalConstants implements DigitalContract {
  private readonly pin: number;
  private readonly output: boolean;
  private watch: number | undefined;
  private closed = false;

  constructor(options: DigitalOptions) {
    super();
    const o = checkDigitalOptions(options);
    const name = modeNames[o.mode];
    if (name === undefined) throw rangeError('Digital: InputPullUpDown is not available on Espruino');
    if (taken[o.pin]) throw new Error(`Digital: pin ${o.pin} in use`);
    taken[o.pin] = true;
    this.pin = o.pin;
    this.output = isOutput(o.mode);
    pinMode(o.pin, name, false);
    const onReadable = o.onReadable;
    if (o.edge !== undefined && onReadable) {
      this.watch = setWatch(() => onReadable.call(this), o.pin, { repeat: true, edge: edgeNames[o.edge]!, debounce: 0 });
    }
  }

  read(): 0 | 1 {
    checkOpen(this.closed, 'Digital');
    return digitalRead(this.pin) ? 1 : 0;
  }

  write(value: 0 | 1): void {
    checkOpen(this.closed, 'Digital');
    if (!this.output) throw new Error(`Digital: pin ${this.pin} is an input`);
    digitalWrite(this.pin, value ? 1 : 0);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.watch !== undefined) clearWatch(this.watch);
    pinMode(this.pin, 'input', false);
    delete taken[this.pin];
  }
}

export class I2C implements I2CContract {
  private readonly address: number;
  private closed = false;

  constructor(options: I2COptions) {
    const o = checkI2COptions(options);
    this.address = o.address;
    I2C1.setup({ scl: o.clock, sda: o.data, bitrate: o.hz });
  }

  read(count: number): Uint8Array {
    checkOpen(this.closed, 'I2C');
    return I2C1.readFrom(this.address, checkCount(count));
  }

  write(bytes: Uint8Array | readonly number[], stop = true): void {
    checkOpen(this.closed, 'I2C');
    I2C1.writeTo({ address: this.address, stop }, toBytes(bytes));
  }

  close(): void {
    this.closed = true;
  }
}

export const engineTimer: EngineTimer = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
  // Monotonic: setting the wall clock (setTime) moves getTime() too, so its jumps are taken out.
  now: () => getTime() * 1000 - clockJumps(),
};

export function log(line: string): void {
  console.log(line);
}
