/**
 * CBOR encoder (RFC 8949) in preferred serialization (§4.1): definite lengths, the shortest head
 * for every integer and length, and the shortest float that keeps the value exactly (half,
 * single or double; -0 stays a float). Integers up to 2^53 in magnitude are major types 0/1;
 * beyond that a number is a float. Strings are UTF-8 text, Uint8Array a byte string, map keys
 * strings in Object.keys order.
 *
 * Throws TypeError for a value CBOR's data model here does not hold (a function, a Date, a class
 * instance, another typed array), RangeError past `maxDepth` nested arrays and maps (which also
 * stops a cycle); the message names where, as a path like `$.readings[2].t`.
 */
import { rangeError } from '../../firmware/kernel/errors.js';
import { utf8Encode } from '../bytes.js';
import { shortestFloat } from './float.js';
import { DEFAULT_MAX_DEPTH, MAX_EXACT, type CborMap, type CborValue } from './value.js';

export interface EncodeOptions {
  /** Deepest nesting of arrays and maps (default 16). */
  maxDepth?: number;
}

/** `value` as CBOR bytes. */
export function encodeCbor(value: CborValue, options?: EncodeOptions): Uint8Array {
  const writer = new Writer(options && options.maxDepth !== undefined ? options.maxDepth : DEFAULT_MAX_DEPTH);
  writer.value(value, 0);
  return writer.result();
}

/**
 * The head of an item of `major` type with argument `n` (a length or count), in the fewest
 * bytes: for writers that splice already-encoded items into an array or map (telemetry batches).
 */
export function encodeCborHead(major: number, n: number): Uint8Array {
  const writer = new Writer(0);
  writer.head(major, n);
  return writer.result();
}

const TWO_32 = 4294967296;

class Writer {
  private buf = new Uint8Array(64);
  private length = 0;
  /** Keys and indexes down to the value being written, for error messages. */
  private readonly path: (string | number)[] = [];

  constructor(private readonly maxDepth: number) {}

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  value(v: CborValue, depth: number): void {
    if (typeof v === 'number') this.number(v);
    else if (typeof v === 'string') this.bytes(3, utf8Encode(v));
    else if (typeof v === 'boolean') this.byte(v ? 0xf5 : 0xf4);
    else if (v === null) this.byte(0xf6);
    else if (v === undefined) this.byte(0xf7);
    else if (v instanceof Uint8Array) this.bytes(2, v);
    else if (Array.isArray(v)) {
      this.enter(depth);
      this.head(4, v.length);
      for (let i = 0; i < v.length; i++) this.child(i, v[i], depth);
    } else if (typeof v === 'object' && isPlainObject(v)) {
      this.enter(depth);
      const keys = Object.keys(v);
      this.head(5, keys.length);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        this.bytes(3, utf8Encode(key));
        this.child(key, (v as CborMap)[key], depth);
      }
    } else throw new TypeError(`CBOR: cannot encode ${describe(v)} at ${this.where()}`);
  }

  private child(key: string | number, v: CborValue, depth: number): void {
    this.path.push(key);
    this.value(v, depth + 1);
    this.path.pop();
  }

  private enter(depth: number): void {
    if (depth >= this.maxDepth) throw rangeError(`CBOR: nesting deeper than ${this.maxDepth} at ${this.where()}`);
  }

  private number(x: number): void {
    if (Math.floor(x) === x && x >= -MAX_EXACT && x <= MAX_EXACT && !(x === 0 && 1 / x < 0)) {
      if (x >= 0) this.head(0, x);
      else this.head(1, -1 - x);
      return;
    }
    const float = shortestFloat(x);
    this.byte(float.size === 2 ? 0xf9 : float.size === 4 ? 0xfa : 0xfb);
    this.ensure(float.size);
    for (let i = 0; i < float.size; i++) this.buf[this.length++] = float.bytes[i]!;
  }

  private bytes(major: number, data: Uint8Array): void {
    this.head(major, data.length);
    this.ensure(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  /** The initial byte and argument `n` (0 to 2^53) in the fewest bytes. */
  head(major: number, n: number): void {
    const m = major << 5;
    if (n < 24) this.byte(m | n);
    else if (n < 0x100) {
      this.byte(m | 24);
      this.byte(n);
    } else if (n < 0x10000) {
      this.byte(m | 25);
      this.byte(n >> 8);
      this.byte(n & 0xff);
    } else if (n < TWO_32) {
      this.byte(m | 26);
      this.uint32(n);
    } else {
      this.byte(m | 27);
      const high = Math.floor(n / TWO_32);
      this.uint32(high);
      this.uint32(n - high * TWO_32);
    }
  }

  /** Arithmetic, not shifts: Espruino's shifts are on signed 32-bit integers. */
  private uint32(n: number): void {
    this.byte(Math.floor(n / 16777216));
    this.byte(Math.floor(n / 65536) % 256);
    this.byte(Math.floor(n / 256) % 256);
    this.byte(n % 256);
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  private where(): string {
    let out = '$';
    for (let i = 0; i < this.path.length; i++) {
      const p = this.path[i]!;
      out += typeof p === 'number' ? `[${p}]` : `.${p}`;
    }
    return out;
  }
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (typeof v !== 'object' || v === null) return `a ${typeof v}`;
  const ctor = (v as { constructor?: { name?: string } }).constructor;
  return ctor && ctor.name ? `a ${ctor.name}` : 'an object';
}
