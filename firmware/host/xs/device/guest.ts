/**
 * The simulated Moddable device, inside XS: the modules a Moddable app imports from the engine
 * (`embedded:io/digital`, `embedded:io/i2c`, `embedded:io/serial`, `timer`, `time`, `wifi`,
 * `net`, `preference`, `ota` and `flash` (ota.ts), the `trace` global, Date.now as the wall clock)
 * over the sim port's VirtualBoard and VirtualTime; the device's flash comes in and goes back out
 * as binary strings (name → one character per byte), so a run can boot from the last one's. runModdableOnXS (../device.ts) bundles this file as one
 * module and maps each engine module name onto its exports.
 */
import { createDevice, type SimDevice } from '../../../hal/sim/device.js';
import type { BoardSpec } from '../../../hal/sim/board.js';
import { SimDigital } from '../../../hal/sim/digital.js';
import { SimI2C } from '../../../hal/sim/i2c.js';
import { SimSerial } from '../../../hal/sim/serial.js';
import { SimStorage } from '../../../hal/sim/storage.js';
import { bootPartitions } from './ota.js';

export { Flash, OTA } from './ota.js';

declare function hostResult(value: unknown): void;

let device: SimDevice | undefined;
let partial = '';

const now = () => (device ? device.time.now : 0);

/** Moddable's `timer`: set(callback, delay[, interval]), repeat(callback, interval), clear(id). */
export const Timer = {
  set: (callback: () => void, delay: number, interval?: number) => device!.time.set(callback, delay, interval),
  repeat: (callback: () => void, interval: number) => device!.time.set(callback, interval, interval),
  clear: (id: unknown) => device!.time.clear(id),
};

/** Moddable's `time`: `ticks`, milliseconds since start; set(seconds) sets the wall clock (Date.now). */
export const Time = {
  get ticks() {
    return now();
  },
  set(seconds: number) {
    device!.clockOffset = seconds * 1000 - now();
  },
};

/** ECMA-419 I2C's read returns an ArrayBuffer. */
export class I2C extends SimI2C {
  override read(count: number): Uint8Array {
    return super.read(count).slice().buffer as unknown as Uint8Array;
  }
}

export { SimDigital as Digital };

/** ECMA-419 Serial with format 'buffer': read() returns an ArrayBuffer of what is waiting (undefined when nothing is), write() takes one. */
export class Serial extends SimSerial {
  override read(): Uint8Array {
    const bytes = super.read();
    return (bytes.length > 0 ? bytes.buffer : undefined) as unknown as Uint8Array;
  }

  override write(buffer: Uint8Array | readonly number[]): void {
    super.write(new Uint8Array(buffer as unknown as ArrayBuffer));
  }
}

let address: string | undefined;

/**
 * Moddable's `wifi`: new WiFi({ ssid, password }, callback) joins; the callback gets 'connect'
 * and 'gotIP', or 'disconnect' with -1 for a refused password (0 otherwise); close() stops the
 * callback without leaving; WiFi.disconnect() leaves.
 */
export class WiFi {
  private callback: ((message: string, value?: number) => void) | undefined;

  constructor(options: { ssid: string; password?: string }, callback?: (message: string, value?: number) => void) {
    this.callback = callback;
    address = undefined;
    device!.board.radio.connect(options.ssid, options.password, (event) => {
      if (event.kind === 'joined') {
        address = event.ip;
        this.notify('connect');
        this.notify('gotIP');
      } else {
        address = undefined;
        this.notify('disconnect', event.kind === 'failed' && event.reason === 'wrong-password' ? -1 : 0);
      }
    });
  }

  close(): void {
    this.callback = undefined;
  }

  static disconnect(): void {
    address = undefined;
    device!.board.radio.disconnect();
  }

  private notify(message: string, value?: number): void {
    if (this.callback) this.callback(message, value);
  }
}

/** Moddable's `net`: Net.get('IP') while joined. */
export const Net = {
  get: (property: string) => (property === 'IP' ? address : undefined),
};

/** Moddable's `preference`, over the device's simulated flash. */
/**
 * Moddable's `preference`, over the device's simulated flash. Values keep their type, as on the
 * device (boolean, integer, string, ArrayBuffer): an ArrayBuffer is stored as its bytes (what the
 * Storage port writes, and what a host seeds), other types as text with their type noted beside.
 */
const typeOf = (domain: string, key: string) => `#type:${domain}.${key}`;

export const Preference = {
  get: (domain: string, key: string): boolean | number | string | ArrayBuffer | undefined => {
    const value = new SimStorage({ domain }).get(key);
    if (!value) return undefined;
    const type = device!.flash[typeOf(domain, key)];
    const text = () => new TextDecoder().decode(value);
    if (!type) return value.buffer as ArrayBuffer;
    if (type[0] === 0x62) return text() === 'true';
    if (type[0] === 0x69) return Number(text());
    return text();
  },
  set: (domain: string, key: string, value: boolean | number | string | ArrayBuffer) => {
    const storage = new SimStorage({ domain });
    if (value instanceof ArrayBuffer) {
      storage.set(key, new Uint8Array(value));
      delete device!.flash[typeOf(domain, key)];
      return;
    }
    const type = typeof value === 'boolean' ? 'b' : typeof value === 'number' ? 'i' : 's';
    if (type === 'i' && !Number.isInteger(value)) throw new TypeError('preference: numbers must be integers');
    storage.set(key, new TextEncoder().encode(String(value)));
    device!.flash[typeOf(domain, key)] = new TextEncoder().encode(type);
  },
  delete: (domain: string, key: string) => {
    new SimStorage({ domain }).delete(key);
    delete device!.flash[typeOf(domain, key)];
  },
  keys: (domain: string) => new SimStorage({ domain }).keys(),
};

/** Moddable's `socket`: the simulated device has no network yet. */
export class Socket {
  constructor() {
    throw new Error('socket: the simulated device has no network');
  }
}

/** Makes the device before the app's modules run; `trace` collects whole lines. */
export function setup(spec: BoardSpec, flash: { [name: string]: string } = {}): void {
  const stored: { [name: string]: Uint8Array } = {};
  for (const name in flash) stored[name] = Uint8Array.from(flash[name]!, (c) => c.charCodeAt(0) & 255);
  device = createDevice(spec, stored);
  bootPartitions();
  address = undefined;
  // Date is the wall clock: simulated time plus what Time.set moved it by.
  Date.now = () => now() + (device ? device.clockOffset : 0);
  const lines = device.output;
  (globalThis as { trace?: (text: string) => void }).trace = (text: string) => {
    const parts = (partial + String(text)).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  };
}

/** Runs the device's timers until `untilMs`, then reports its console and pins to the host. */
export function finish(untilMs: number): void {
  device!.time.runUntil(untilMs);
  if (partial) device!.output.push(partial);
  const flash: { [name: string]: string } = {};
  for (const name in device!.flash) {
    const bytes = device!.flash[name]!;
    let text = '';
    for (let i = 0; i < bytes.length; i += 256) text += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 256)));
    flash[name] = text;
  }
  hostResult({ output: device!.output, pins: device!.board.changes, uart: device!.board.uart.sent, flash });
}
