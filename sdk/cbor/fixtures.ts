/**
 * Byte fixtures for the CBOR codec, engine-neutral so the same checks run on Node, XS and the
 * Espruino host (see engine-entry.ts): every example of RFC 8949 Appendix A, then malformed and
 * out-of-range inputs with the error each must raise. Test support, not part of `mote/sdk`.
 */
import { decodeCbor, isCborError } from './decode.js';
import { encodeCbor } from './encode.js';
import type { CborValue } from './value.js';

export interface Fixture {
  hex: string;
  /** What decoding must give (compared with `sameValue`). */
  value?: CborValue;
  /** encodeCbor(value) must give exactly `hex` (the RFC bytes are preferred serialization). */
  encodes?: boolean;
  /** Decoding must throw a CborError whose message contains this. */
  error?: string;
}

const bytes = (...b: number[]) => new Uint8Array(b);
const upTo25: number[] = [];
for (let i = 1; i <= 25; i++) upTo25.push(i);

/** RFC 8949 Appendix A, in its order. Values outside the SDK's model must fail precisely. */
export const rfcFixtures: Fixture[] = [
  { hex: '00', value: 0, encodes: true },
  { hex: '01', value: 1, encodes: true },
  { hex: '0a', value: 10, encodes: true },
  { hex: '17', value: 23, encodes: true },
  { hex: '1818', value: 24, encodes: true },
  { hex: '1819', value: 25, encodes: true },
  { hex: '1864', value: 100, encodes: true },
  { hex: '1903e8', value: 1000, encodes: true },
  { hex: '1a000f4240', value: 1000000, encodes: true },
  { hex: '1b000000e8d4a51000', value: 1000000000000, encodes: true },
  { hex: '1bffffffffffffffff', error: 'integer or length beyond 2^53 at byte 0' },
  { hex: 'c249010000000000000000', error: 'bignum beyond 2^53 at byte 0' },
  { hex: '3bffffffffffffffff', error: 'integer or length beyond 2^53 at byte 0' },
  { hex: 'c349010000000000000000', error: 'bignum beyond 2^53 at byte 0' },
  { hex: '20', value: -1, encodes: true },
  { hex: '29', value: -10, encodes: true },
  { hex: '3863', value: -100, encodes: true },
  { hex: '3903e7', value: -1000, encodes: true },
  { hex: 'f90000', value: 0 },
  { hex: 'f98000', value: -0, encodes: true },
  { hex: 'f93c00', value: 1 },
  { hex: 'fb3ff199999999999a', value: 1.1, encodes: true },
  { hex: 'f93e00', value: 1.5, encodes: true },
  { hex: 'f97bff', value: 65504 },
  { hex: 'fa47c35000', value: 100000 },
  { hex: 'fa7f7fffff', value: 3.4028234663852886e38, encodes: true },
  { hex: 'fb7e37e43c8800759c', value: 1.0e300, encodes: true },
  { hex: 'f90001', value: 5.960464477539063e-8, encodes: true },
  { hex: 'f90400', value: 0.00006103515625, encodes: true },
  { hex: 'f9c400', value: -4 },
  { hex: 'fbc010666666666666', value: -4.1, encodes: true },
  { hex: 'f97c00', value: Infinity, encodes: true },
  { hex: 'f97e00', value: NaN, encodes: true },
  { hex: 'f9fc00', value: -Infinity, encodes: true },
  { hex: 'fa7f800000', value: Infinity },
  { hex: 'fa7fc00000', value: NaN },
  { hex: 'faff800000', value: -Infinity },
  { hex: 'fb7ff0000000000000', value: Infinity },
  { hex: 'fb7ff8000000000000', value: NaN },
  { hex: 'fbfff0000000000000', value: -Infinity },
  { hex: 'f4', value: false, encodes: true },
  { hex: 'f5', value: true, encodes: true },
  { hex: 'f6', value: null, encodes: true },
  { hex: 'f7', value: undefined, encodes: true },
  { hex: 'f0', error: 'unassigned simple value 16 at byte 0' },
  { hex: 'f8ff', error: 'unassigned simple value 255 at byte 0' },
  { hex: 'c074323031332d30332d32315432303a30343a30305a', value: '2013-03-21T20:04:00Z' },
  { hex: 'c11a514b67b0', value: 1363896240 },
  { hex: 'c1fb41d452d9ec200000', value: 1363896240.5 },
  { hex: 'd74401020304', value: bytes(1, 2, 3, 4) },
  { hex: 'd818456449455446', value: bytes(0x64, 0x49, 0x45, 0x54, 0x46) },
  { hex: 'd82076687474703a2f2f7777772e6578616d706c652e636f6d', value: 'http://www.example.com' },
  { hex: '40', value: bytes(), encodes: true },
  { hex: '4401020304', value: bytes(1, 2, 3, 4), encodes: true },
  { hex: '60', value: '', encodes: true },
  { hex: '6161', value: 'a', encodes: true },
  { hex: '6449455446', value: 'IETF', encodes: true },
  { hex: '62225c', value: '"\\', encodes: true },
  { hex: '62c3bc', value: '\u00fc', encodes: true },
  { hex: '63e6b0b4', value: '\u6c34', encodes: true },
  { hex: '64f0908591', value: '\ud800\udd51', encodes: true },
  { hex: '80', value: [], encodes: true },
  { hex: '83010203', value: [1, 2, 3], encodes: true },
  { hex: '8301820203820405', value: [1, [2, 3], [4, 5]], encodes: true },
  { hex: '98190102030405060708090a0b0c0d0e0f101112131415161718181819', value: upTo25, encodes: true },
  { hex: 'a0', value: {}, encodes: true },
  { hex: 'a201020304', value: { '1': 2, '3': 4 } },
  { hex: 'a26161016162820203', value: { a: 1, b: [2, 3] }, encodes: true },
  { hex: '826161a161626163', value: ['a', { b: 'c' }], encodes: true },
  { hex: 'a56161614161626142616361436164614461656145', value: { a: 'A', b: 'B', c: 'C', d: 'D', e: 'E' }, encodes: true },
  { hex: '5f42010243030405ff', value: bytes(1, 2, 3, 4, 5) },
  { hex: '7f657374726561646d696e67ff', value: 'streaming' },
  { hex: '9fff', value: [] },
  { hex: '9f018202039f0405ffff', value: [1, [2, 3], [4, 5]] },
  { hex: '9f01820203820405ff', value: [1, [2, 3], [4, 5]] },
  { hex: '83018202039f0405ff', value: [1, [2, 3], [4, 5]] },
  { hex: '83019f0203ff820405', value: [1, [2, 3], [4, 5]] },
  { hex: '9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff', value: upTo25 },
  { hex: 'bf61610161629f0203ffff', value: { a: 1, b: [2, 3] } },
  { hex: '826161bf61626163ff', value: ['a', { b: 'c' }] },
  { hex: 'bf6346756ef563416d7421ff', value: { Fun: true, Amt: -2 } },
];

/** Edges of the SDK's range, and malformed input: each must decode exactly or fail precisely. */
export const edgeFixtures: Fixture[] = [
  { hex: '1b0020000000000000', value: 9007199254740992, encodes: true },
  { hex: '3b001fffffffffffff', value: -9007199254740992, encodes: true },
  { hex: '3b0020000000000000', error: 'negative integer beyond -2^53 at byte 0' },
  { hex: '1b0020000000000001', error: 'integer or length beyond 2^53 at byte 0' },
  { hex: 'fb4340000000000001', value: 9007199254740994, encodes: true },
  { hex: 'c2420100', value: 256 },
  { hex: 'c34100', value: -1 },
  { hex: 'c201', error: 'tag 2 (bignum) must hold a byte string at byte 1' },
  { hex: 'd84044deadbeef', value: bytes(0xde, 0xad, 0xbe, 0xef) },
  { hex: 'f9fe00', value: NaN },
  { hex: 'f93555', value: 0.333251953125, encodes: true },
  { hex: 'fa2e800000', value: Math.pow(2, -34), encodes: true },
  { hex: '', error: 'truncated input (1 bytes needed, 0 left) at byte 0' },
  { hex: '18', error: 'truncated input (1 bytes needed, 0 left) at byte 0' },
  { hex: '1a0001', error: 'truncated input (4 bytes needed, 2 left) at byte 0' },
  { hex: '8301', error: 'truncated input (3 items announced, 1 bytes left) at byte 0' },
  { hex: '830102', error: 'truncated input (3 items announced, 2 bytes left) at byte 0' },
  { hex: '8301021a00', error: 'truncated input (4 bytes needed, 1 left) at byte 3' },
  { hex: '9b00000000ffffffff', error: 'truncated input (4294967295 items announced, 0 bytes left) at byte 0' },
  { hex: '9bffffffffffffffff', error: 'integer or length beyond 2^53 at byte 0' },
  { hex: 'bb0000000100000000', error: 'truncated input (8589934592 items announced, 0 bytes left) at byte 0' },
  { hex: '5a0000ffff00', error: 'truncated input (65535 bytes needed, 1 left) at byte 0' },
  { hex: '9f0102', error: 'truncated input (missing break or item) at byte 3' },
  { hex: '5f4101', error: 'truncated input (missing break or item) at byte 3' },
  { hex: '1c', error: 'reserved additional information 28 at byte 0' },
  { hex: '5e', error: 'reserved additional information 30 at byte 0' },
  { hex: 'fd', error: 'reserved additional information 29 at byte 0' },
  { hex: '1f', error: 'indefinite length is not allowed for major type 0 at byte 0' },
  { hex: '3f', error: 'indefinite length is not allowed for major type 1 at byte 0' },
  { hex: 'df00', error: 'indefinite length is not allowed for major type 6 at byte 0' },
  { hex: 'ff', error: 'break outside an indefinite-length item at byte 0' },
  { hex: '8201ff', error: 'break outside an indefinite-length item at byte 2' },
  { hex: 'bf6161ff', error: 'break outside an indefinite-length item at byte 3' },
  { hex: '5f6161ff', error: 'a chunk of an indefinite-length byte string must be a definite one of the same type at byte 1' },
  { hex: '7f7f6161ffff', error: 'a chunk of an indefinite-length text string must be a definite one of the same type at byte 1' },
  { hex: 'f818', error: 'two-byte simple value 24 is malformed (must be 32 or more) at byte 0' },
  { hex: 'f3', error: 'unassigned simple value 19 at byte 0' },
  { hex: '62c328', error: 'invalid UTF-8 in a text string at byte 0' },
  { hex: '63eda080', error: 'invalid UTF-8 in a text string at byte 0' },
  { hex: '62c0af', error: 'invalid UTF-8 in a text string at byte 0' },
  { hex: '7f62c3bc61c3ff', error: 'invalid UTF-8 in a text string at byte 4' },
  { hex: 'a201020103', error: 'duplicate map key "1" at byte 3' },
  { hex: 'a2613101613102', error: 'duplicate map key "1" at byte 4' },
  { hex: 'a20102613103', error: 'duplicate map key "1" at byte 3' },
  { hex: 'a18001', error: 'a map key must be a text string or an integer at byte 1' },
  { hex: 'a1f401', error: 'a map key must be a text string or an integer at byte 1' },
  { hex: 'a1', error: 'truncated input (2 items announced, 0 bytes left) at byte 0' },
  { hex: '0000', error: '1 bytes after the data item at byte 1' },
  { hex: '8181818181818181818181818181818100', value: [[[[[[[[[[[[[[[[0]]]]]]]]]]]]]]]] },
  { hex: '818181818181818181818181818181818100', error: 'nesting deeper than 16 at byte 16' },
  { hex: '9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f', error: 'nesting deeper than 16 at byte 16' },
  { hex: 'c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c100', error: 'nesting deeper than 16 at byte 16' },
  { hex: 'a1695f5f70726f746f5f5f01', value: JSON.parse('{"__proto__":1}') as CborValue },
];

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

export function toHex(data: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < data.length; i++) hex += (data[i]! < 16 ? '0' : '') + data[i]!.toString(16);
  return hex;
}

/** Deep equality that tells NaN equal to NaN and -0 from 0, and compares bytes by content. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? a !== 0 || 1 / a === 1 / b : a !== a && b !== b;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (let i = 0; i < ka.length; i++) {
      const k = ka[i]!;
      if (!Object.prototype.hasOwnProperty.call(b, k) || !sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
    }
    return true;
  }
  return a === b;
}

/** Runs `fixtures` through the codec: how many passed, and a line per failure. */
export function checkFixtures(fixtures: Fixture[]): { passed: number; failures: string[] } {
  const failures: string[] = [];
  let passed = 0;
  for (let i = 0; i < fixtures.length; i++) {
    const f = fixtures[i]!;
    const problem = checkOne(f);
    if (problem) failures.push(`${f.hex || '(empty)'}: ${problem}`);
    else passed++;
  }
  return { passed, failures };
}

function checkOne(f: Fixture): string | undefined {
  let decoded: CborValue;
  try {
    decoded = decodeCbor(fromHex(f.hex));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (f.error === undefined) return `threw ${message}`;
    if (!isCborError(error) || message !== `CBOR: ${f.error}`) return `threw "${message}", expected "CBOR: ${f.error}"`;
    return undefined;
  }
  if (f.error !== undefined) return `decoded, expected error "${f.error}"`;
  if (!sameValue(decoded, f.value)) return `decoded ${show(decoded)}, expected ${show(f.value)}`;
  if (f.encodes) {
    const hex = toHex(encodeCbor(f.value));
    if (hex !== f.hex) return `encoded as ${hex}`;
  }
  return undefined;
}

function show(v: CborValue): string {
  if (v instanceof Uint8Array) return `h'${toHex(v)}'`;
  if (typeof v === 'number' || v === undefined) return String(v);
  return JSON.stringify(v);
}
