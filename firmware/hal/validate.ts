/**
 * Option checks every port runs before it touches hardware, so a bad options object fails the
 * same way on every engine: RangeError for a value out of range, TypeError for a wrong type.
 * Returns a normalised copy; the caller's object is not kept.
 */
import { rangeError } from '../kernel/errors.js';
import { DigitalModes, type DigitalOptions } from './contract/digital.js';
import type { I2COptions } from './contract/i2c.js';
import type { SerialOptions } from './contract/serial.js';
import { MAX_STORAGE_VALUE } from './contract/storage.js';
import type { TCPOptions } from './contract/tcp.js';
import type { WiFiOptions } from './contract/wifi.js';

/** GPIO numbers any ESP32 family chip can have; a port may refuse pins its chip lacks. */
export const MAX_PIN = 63;

const MODES: readonly number[] = [0, 1, 2, 3, 8, 9];

export function checkPin(what: string, pin: unknown): number {
  if (typeof pin !== 'number') throw new TypeError(`${what}: pin must be a number, got ${typeof pin}`);
  if (pin !== Math.floor(pin) || pin < 0 || pin > MAX_PIN) throw rangeError(`${what}: pin ${pin} is not a GPIO number (0-${MAX_PIN})`);
  return pin;
}

export function checkDigitalOptions(options: DigitalOptions): DigitalOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('Digital: options must be an object');
  const pin = checkPin('Digital', options.pin);
  const { mode, edge, onReadable, onError } = options;
  if (MODES.indexOf(mode) < 0) throw rangeError(`Digital: mode ${String(mode)} is not one of Digital.Input, InputPullUp, InputPullDown, InputPullUpDown, Output, OutputOpenDrain`);
  if (edge !== undefined) {
    if (mode === DigitalModes.Output || mode === DigitalModes.OutputOpenDrain) throw rangeError('Digital: edge is for input modes only');
    if (edge !== 1 && edge !== 2 && edge !== 3) throw rangeError(`Digital: edge ${String(edge)} must be Digital.Rising, Digital.Falling or both`);
    if (typeof onReadable !== 'function') throw new TypeError('Digital: edge needs an onReadable callback');
  } else if (onReadable !== undefined) {
    throw rangeError('Digital: onReadable needs an edge');
  }
  if (onError !== undefined && typeof onError !== 'function') throw new TypeError('Digital: onError must be a function');
  return { pin, mode, edge, onReadable, onError };
}

export function isOutput(mode: number): boolean {
  return mode === DigitalModes.Output || mode === DigitalModes.OutputOpenDrain;
}

export function checkI2COptions(options: I2COptions): Required<I2COptions> {
  if (typeof options !== 'object' || options === null) throw new TypeError('I2C: options must be an object');
  const data = checkPin('I2C data', options.data);
  const clock = checkPin('I2C clock', options.clock);
  if (data === clock) throw rangeError(`I2C: data and clock are both pin ${data}`);
  const { address, hz = 100000 } = options;
  if (typeof address !== 'number' || address !== Math.floor(address) || address < 0x08 || address > 0x77) {
    throw rangeError(`I2C: address ${String(address)} is not a 7-bit target address (0x08-0x77)`);
  }
  if (typeof hz !== 'number' || !(hz >= 1000 && hz <= 1000000)) throw rangeError(`I2C: hz ${String(hz)} must be 1000-1000000`);
  return { data, clock, address, hz };
}

/** Bytes to send, as a Uint8Array; every array element must be a byte. `what` names the caller in errors. */
export function toBytes(bytes: Uint8Array | readonly number[], what = 'I2C'): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (!Array.isArray(bytes)) throw new TypeError(`${what}: write takes a Uint8Array or an array of bytes`);
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (typeof b !== 'number' || b !== (b & 0xff)) throw rangeError(`${what}: byte ${i} (${String(b)}) is not 0-255`);
    out[i] = b;
  }
  return out;
}

export function checkCount(count: unknown): number {
  if (typeof count !== 'number' || count !== Math.floor(count) || count < 1 || count > 4096) throw rangeError(`I2C: read count ${String(count)} must be 1-4096`);
  return count;
}

/** Throws if a closed object is used. */
export function checkOpen(closed: boolean, what: string): void {
  if (closed) throw new Error(`${what}: closed`);
}

export function checkTCPOptions(options: TCPOptions): TCPOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('TCP: options must be an object');
  if (typeof options.host !== 'string' || options.host.length === 0) throw new TypeError('TCP: host must be a non-empty string');
  const port = options.port;
  if (typeof port !== 'number' || port !== Math.floor(port) || port < 1 || port > 65535) throw rangeError(`TCP: port ${String(port)} must be 1-65535`);
  checkCallbacks('TCP', options, ['onReadable', 'onWritable', 'onError']);
  return options;
}

const STORAGE_NAME = /^[A-Za-z0-9_-]+$/;

export function checkStorageName(what: 'domain' | 'key', name: unknown): string {
  const max = what === 'domain' ? 8 : 15;
  if (typeof name !== 'string') throw new TypeError(`Storage: ${what} must be a string`);
  if (name.length < 1 || name.length > max || !STORAGE_NAME.test(name)) throw rangeError(`Storage: ${what} "${name}" must be 1-${max} letters, digits, '_' or '-'`);
  return name;
}

export function checkStorageValue(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError('Storage: values are Uint8Arrays');
  if (value.length > MAX_STORAGE_VALUE) throw rangeError(`Storage: value of ${value.length} bytes is over ${MAX_STORAGE_VALUE}`);
  return value;
}

function checkCallbacks(what: string, options: object, names: readonly string[]): void {
  for (let i = 0; i < names.length; i++) {
    const value = (options as { [name: string]: unknown })[names[i]!];
    if (value !== undefined && typeof value !== 'function') throw new TypeError(`${what}: ${names[i]} must be a function`);
  }
}

/** The UARTs an app may open: UART 0 is the console on both engines. */
export const SERIAL_PORTS: readonly number[] = [1, 2];

export function checkSerialOptions(options: SerialOptions): SerialOptions & { port: number } {
  if (typeof options !== 'object' || options === null) throw new TypeError('Serial: options must be an object');
  const receive = checkPin('Serial receive', options.receive);
  const transmit = checkPin('Serial transmit', options.transmit);
  if (receive === transmit) throw rangeError(`Serial: receive and transmit are both pin ${receive}`);
  const { port = 1, baud } = options;
  if (SERIAL_PORTS.indexOf(port) < 0) throw rangeError(`Serial: port ${String(port)} must be 1 or 2 (UART 0 is the console)`);
  if (typeof baud !== 'number' || baud !== Math.floor(baud) || baud < 300 || baud > 5000000) throw rangeError(`Serial: baud ${String(baud)} must be 300-5000000`);
  checkCallbacks('Serial', options, ['onReadable', 'onWritable', 'onError']);
  return { port, baud, receive, transmit, onReadable: options.onReadable, onWritable: options.onWritable, onError: options.onError };
}

/** SSIDs are 1-32 bytes, WPA passphrases 8-63 characters (IEEE 802.11; both engines refuse longer). */
export function checkWiFiOptions(options: WiFiOptions): WiFiOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('WiFi: options must be an object');
  const { ssid, password, onChange } = options;
  if (typeof ssid !== 'string') throw new TypeError('WiFi: ssid must be a string');
  if (ssid.length < 1 || ssid.length > 32) throw rangeError(`WiFi: ssid "${ssid}" must be 1-32 characters`);
  if (password !== undefined) {
    if (typeof password !== 'string') throw new TypeError('WiFi: password must be a string');
    if (password.length < 8 || password.length > 63) throw rangeError(`WiFi: a password must be 8-63 characters, got ${password.length}`);
  }
  checkCallbacks('WiFi', options, ['onChange']);
  return { ssid, password, onChange };
}

/** A wall-clock time to set: ms since 1970, not negative. */
export function checkEpochMs(ms: unknown): number {
  if (typeof ms !== 'number') throw new TypeError(`clock: set takes ms since 1970, got ${typeof ms}`);
  if (!(ms >= 0 && ms < 8.64e15)) throw rangeError(`clock: ${ms} is not a time (ms since 1970)`);
  return ms;
}
