/**
 * CBOR decoder (RFC 8949) for one data item that fills the input.
 *
 * Accepts every head width, definite and indefinite lengths, half/single/double floats, text and
 * byte strings (each byte string a copy, not a view of the input), maps with text or integer
 * keys (an integer key becomes its decimal string, so 1 and "1" collide as duplicates), and
 * tags: bignums (2, 3) become numbers when exact, any other tag yields its content (tag 64's
 * bytes, tag 1's epoch seconds).
 *
 * Everything else throws an Error named 'CborError' whose message says what and where
 * ("CBOR: truncated input (4 bytes needed, 2 left) at byte 7"), with the byte offset as
 * `offset`: truncated input, reserved or malformed heads, a break outside an indefinite item,
 * invalid UTF-8, integers beyond 2^53 in magnitude (never a rounded value), unassigned simple
 * values, map keys of other types, duplicate keys, nesting past `maxDepth`, trailing bytes.
 * Lengths are checked against the bytes left before anything is allocated or looped over.
 */
import { concatBytes, utf8Decode, utf8Encode } from '../bytes.js';
import { readFloat } from './float.js';
import { DEFAULT_MAX_DEPTH, MAX_EXACT, type CborMap, type CborValue } from './value.js';

export interface DecodeOptions {
  /** Deepest nesting of arrays, maps and tags (default 16). */
  maxDepth?: number;
}

/** A decoding failure: `offset` is the byte the problem was found at. */
export interface CborError extends Error {
  name: 'CborError';
  offset: number;
}

export function isCborError(error: unknown): error is CborError {
  return error instanceof Error && error.name === 'CborError';
}

/** The data item `bytes` holds. Throws a CborError (see above) for anything else. */
export function decodeCbor(bytes: Uint8Array, options?: DecodeOptions): CborValue {
  const reader = new Reader(bytes, options && options.maxDepth !== undefined ? options.maxDepth : DEFAULT_MAX_DEPTH);
  const value = reader.item(0);
  if (reader.pos !== bytes.length) throw fail(`${bytes.length - reader.pos} bytes after the data item`, reader.pos);
  return value;
}

function fail(message: string, offset: number): CborError {
  const error = new Error(`CBOR: ${message} at byte ${offset}`) as CborError;
  error.name = 'CborError';
  error.offset = offset;
  return error;
}

const BREAK = 0xff;

class Reader {
  pos = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxDepth: number,
  ) {}

  /** The item at `pos`, `depth` containers deep. */
  item(depth: number): CborValue {
    const start = this.pos;
    const initial = this.byte();
    const major = initial >> 5;
    const info = initial & 31;
    if (major === 7) return this.simple(info, start);
    if (info === 31) return this.indefinite(major, depth, start);
    const n = this.argument(info, start);
    if (major === 0) return n;
    if (major === 1) return this.negative(n, start);
    if (major === 2) return this.bytes.slice(this.take(n, start), this.pos);
    if (major === 3) return this.text(n, start);
    if (major === 4) {
      this.enter(depth, start);
      this.fits(n, start);
      const array: CborValue[] = [];
      for (let i = 0; i < n; i++) array.push(this.item(depth + 1));
      return array;
    }
    if (major === 5) {
      this.enter(depth, start);
      this.fits(2 * n, start);
      const map: CborMap = {};
      for (let i = 0; i < n; i++) this.entry(map, depth);
      return map;
    }
    this.enter(depth, start);
    return n === 2 || n === 3 ? this.bignum(n, depth, start) : this.item(depth + 1);
  }

  private indefinite(major: number, depth: number, start: number): CborValue {
    if (major === 2 || major === 3) {
      const chunks: Uint8Array[] = [];
      let text = '';
      while (this.peek() !== BREAK) {
        const at = this.pos;
        const initial = this.byte();
        if (initial >> 5 !== major || (initial & 31) === 31) throw fail(`a chunk of an indefinite-length ${major === 2 ? 'byte' : 'text'} string must be a definite one of the same type`, at);
        const n = this.argument(initial & 31, at);
        if (major === 3) text += this.text(n, at);
        else chunks.push(this.bytes.subarray(this.take(n, at), this.pos));
      }
      this.pos++;
      return major === 3 ? text : concatBytes(chunks);
    }
    if (major === 4) {
      this.enter(depth, start);
      const array: CborValue[] = [];
      while (this.peek() !== BREAK) array.push(this.item(depth + 1));
      this.pos++;
      return array;
    }
    if (major === 5) {
      this.enter(depth, start);
      const map: CborMap = {};
      while (this.peek() !== BREAK) this.entry(map, depth);
      this.pos++;
      return map;
    }
    throw fail(`indefinite length is not allowed for major type ${major}`, start);
  }

  private entry(map: CborMap, depth: number): void {
    const at = this.pos;
    const keyMajor = this.peek() >> 5;
    if (keyMajor !== 0 && keyMajor !== 1 && keyMajor !== 3) throw fail('a map key must be a text string or an integer', at);
    const key = String(this.item(depth + 1));
    if (Object.prototype.hasOwnProperty.call(map, key)) throw fail(`duplicate map key "${key}"`, at);
    const value = this.item(depth + 1);
    // Defined, not assigned: assigning "__proto__" would replace the map's prototype.
    if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
    else map[key] = value;
  }

  private simple(info: number, start: number): CborValue {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info === 23) return undefined;
    if (info >= 25 && info <= 27) {
      const size = info === 25 ? 2 : info === 26 ? 4 : 8;
      return readFloat(this.bytes, this.take(size, start), size);
    }
    if (info === 24) {
      const value = this.byte();
      throw fail(value < 32 ? `two-byte simple value ${value} is malformed (must be 32 or more)` : `unassigned simple value ${value}`, start);
    }
    if (info === 31) throw fail('break outside an indefinite-length item', start);
    throw fail(info < 20 ? `unassigned simple value ${info}` : `reserved additional information ${info}`, start);
  }

  /** The argument that follows an initial byte with additional information `info`. */
  private argument(info: number, start: number): number {
    if (info < 24) return info;
    if (info > 27) throw fail(`reserved additional information ${info}`, start);
    const size = 1 << (info - 24);
    const at = this.take(size, start);
    const b = this.bytes;
    if (size === 1) return b[at]!;
    if (size === 2) return b[at]! * 256 + b[at + 1]!;
    const high = size === 4 ? 0 : uint32(b, at);
    const low = uint32(b, at + size - 4);
    if (high > 0x200000 || (high === 0x200000 && low > 0)) throw fail('integer or length beyond 2^53', start);
    return high * 4294967296 + low;
  }

  private negative(n: number, start: number): number {
    if (n >= MAX_EXACT) throw fail('negative integer beyond -2^53', start);
    return -1 - n;
  }

  /** Tag 2 (positive) or 3 (negative) bignum: a byte string, big-endian. */
  private bignum(tag: number, depth: number, start: number): number {
    if (this.peek() >> 5 !== 2) throw fail(`tag ${tag} (bignum) must hold a byte string`, this.pos);
    const digits = this.item(depth + 1) as Uint8Array;
    let n = 0;
    for (let i = 0; i < digits.length; i++) {
      n = n * 256 + digits[i]!;
      if (n > MAX_EXACT) throw fail('bignum beyond 2^53', start);
    }
    return tag === 2 ? n : this.negative(n, start);
  }

  private text(n: number, start: number): string {
    const from = this.take(n, start);
    const text = utf8Decode(this.bytes, from, this.pos);
    let ascii = true;
    for (let i = from; i < this.pos && ascii; i++) ascii = this.bytes[i]! < 0x80;
    // Well-formed UTF-8 is exactly what survives a decode/encode round trip unchanged.
    if (!ascii && !sameBytes(utf8Encode(text), this.bytes, from, n)) throw fail('invalid UTF-8 in a text string', start);
    return text;
  }

  private enter(depth: number, start: number): void {
    if (depth >= this.maxDepth) throw fail(`nesting deeper than ${this.maxDepth}`, start);
  }

  /** Checks that `count` more bytes could follow (each item takes at least one). */
  private fits(count: number, start: number): void {
    const left = this.bytes.length - this.pos;
    if (count > left) throw fail(`truncated input (${count} items announced, ${left} bytes left)`, start);
  }

  /** Skips `n` bytes, returning where they start. */
  private take(n: number, start: number): number {
    const left = this.bytes.length - this.pos;
    if (n > left) throw fail(`truncated input (${n} bytes needed, ${left} left)`, start);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private byte(): number {
    return this.bytes[this.take(1, this.pos)]!;
  }

  private peek(): number {
    if (this.pos >= this.bytes.length) throw fail('truncated input (missing break or item)', this.pos);
    return this.bytes[this.pos]!;
  }
}

function uint32(b: Uint8Array, at: number): number {
  return b[at]! * 16777216 + b[at + 1]! * 65536 + b[at + 2]! * 256 + b[at + 3]!;
}

function sameBytes(a: Uint8Array, b: Uint8Array, from: number, n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[from + i]) return false;
  return true;
}
