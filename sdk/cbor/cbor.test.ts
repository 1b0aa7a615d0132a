import { Decoder, encode as cborxEncode } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { checkFixtures, edgeFixtures, fromHex, rfcFixtures, sameValue, toHex } from './fixtures.js';
import { decodeCbor, encodeCbor, isCborError, type CborValue } from './index.js';

/** cbor-x as plain JSON-like data: numbers for 8-byte integer heads (it gives BigInts by default), maps as objects. */
const cborxOptions = { int64AsNumber: true, mapsAsObjects: true }; // int64AsNumber is missing from cbor-x's types
const cborx = new Decoder(cborxOptions);
const cborxDecode = (data: Uint8Array): unknown => cborx.decode(data);

/** A seeded generator (mulberry32), so every run checks the same values. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const numbers = [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53, -1, -24, -25, -256, -257, -(2 ** 32), -(2 ** 53), 1.5, -4.1, 0.1, 65504, 1e300, -1e-300, 3.4028234663852886e38, 2 ** -24, 2 ** -149, Infinity, -Infinity, NaN, 2 ** 60];
const strings = ['', 'a', 'temp', 'ü', '水', '𐅑 and more', 'x'.repeat(23), 'y'.repeat(24), 'z'.repeat(300), 'quote " and \\ and \n'];

function generate(next: () => number, depth: number): CborValue {
  const pick = Math.floor(next() * (depth >= 3 ? 6 : 9));
  if (pick === 0) return numbers[Math.floor(next() * numbers.length)]!;
  if (pick === 1) return Math.floor((next() - 0.5) * 2 ** (next() * 54));
  if (pick === 2) return strings[Math.floor(next() * strings.length)]!;
  if (pick === 3) return [true, false, null, undefined][Math.floor(next() * 4)]!;
  if (pick === 4) return new Uint8Array(Math.floor(next() * 40)).map(() => Math.floor(next() * 256));
  if (pick === 5) return next() * 1000 - 500;
  const size = Math.floor(next() * 8);
  if (pick === 6 || pick === 7) {
    const map: { [key: string]: CborValue } = {};
    for (let i = 0; i < size; i++) map[strings[Math.floor(next() * strings.length)]! + i] = generate(next, depth + 1);
    return map;
  }
  const array: CborValue[] = [];
  for (let i = 0; i < size; i++) array.push(generate(next, depth + 1));
  return array;
}

function values(seed: number, count: number): CborValue[] {
  const next = random(seed);
  const out: CborValue[] = [];
  for (let i = 0; i < count; i++) out.push(generate(next, 0));
  return out;
}

/** cbor-x writes -0 as the integer 0; the comparison after its encoding goes through the same. */
function withoutNegativeZero(v: CborValue): CborValue {
  if (typeof v === 'number') return v === 0 ? 0 : v;
  if (Array.isArray(v)) return v.map(withoutNegativeZero);
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v;
  const out: { [key: string]: CborValue } = {};
  for (const k of Object.keys(v)) out[k] = withoutNegativeZero(v[k]);
  return out;
}

describe('CBOR byte fixtures', () => {
  it('decodes every RFC 8949 Appendix A example, encodes the preferred ones byte for byte, and refuses what is out of range', () => {
    expect(checkFixtures(rfcFixtures)).toEqual({ passed: rfcFixtures.length, failures: [] });
    expect(rfcFixtures.length).toBe(81);
  });

  it('decodes range edges exactly and fails malformed input with the byte it found it at', () => {
    expect(checkFixtures(edgeFixtures)).toEqual({ passed: edgeFixtures.length, failures: [] });
  });

  it('the fixture checker itself notices a wrong value, a wrong encoding and a wrong error', () => {
    const result = checkFixtures([
      { hex: '01', value: 2 },
      { hex: '1801', value: 1, encodes: true },
      { hex: '18', error: 'something else' },
      { hex: '01', error: 'truncated' },
    ]);
    expect(result.passed).toBe(0);
    expect(result.failures).toEqual([
      '01: decoded 1, expected 2',
      '1801: encoded as 01',
      '18: threw "CBOR: truncated input (1 bytes needed, 0 left) at byte 0", expected "CBOR: something else"',
      '01: decoded, expected error "truncated"',
    ]);
  });
});

describe('CBOR round trips with cbor-x (an independent implementation)', () => {
  it('cbor-x decodes what encodeCbor writes to the same values', () => {
    for (const value of values(1, 300)) {
      const decoded = cborxDecode(encodeCbor(value)) as unknown;
      if (!sameValue(decoded, value)) expect(decoded).toEqual(value);
    }
  });

  it('decodeCbor reads what cbor-x writes (its tag 64 byte arrays, non-shortest heads, float64 integers)', () => {
    for (const value of values(2, 300)) {
      const decoded = decodeCbor(cborxEncode(value));
      const expected = withoutNegativeZero(value);
      if (!sameValue(decoded, expected)) expect(decoded).toEqual(expected);
    }
  });

  it('cbor-x agrees on -0, NaN and the infinities as encodeCbor writes them', () => {
    const special = [-0, NaN, Infinity, -Infinity];
    const decoded = cborxDecode(encodeCbor(special)) as number[];
    expect(decoded.map((x) => Object.is(x, -0) ? '-0' : String(x))).toEqual(['-0', 'NaN', 'Infinity', '-Infinity']);
  });

  it('writes the shortest exact form: never longer than cbor-x for the same value', () => {
    for (const value of values(3, 200)) expect(encodeCbor(value).length).toBeLessThanOrEqual(cborxEncode(value).length);
  });
});

describe('CBOR decoder on damaged input', () => {
  it('every proper prefix of a valid encoding fails with a CborError, never a value', () => {
    for (const value of values(4, 20)) {
      const full = encodeCbor(value);
      for (let end = 0; end < full.length; end++) {
        let outcome = 'value';
        try {
          decodeCbor(full.subarray(0, end));
        } catch (error) {
          outcome = isCborError(error) ? 'error' : `foreign ${String(error)}`;
        }
        expect(outcome, `${toHex(full)} cut at ${end}`).toBe('error');
      }
    }
  });

  it('random byte damage gives a value or a CborError, never another exception or a hang', () => {
    const next = random(5);
    let errors = 0;
    for (const value of values(6, 60)) {
      const data = encodeCbor(value);
      for (let trial = 0; trial < 20; trial++) {
        const damaged = data.slice();
        damaged[Math.floor(next() * damaged.length)] = Math.floor(next() * 256);
        try {
          decodeCbor(damaged);
        } catch (error) {
          expect(isCborError(error), String(error)).toBe(true);
          errors++;
        }
      }
    }
    expect(errors).toBeGreaterThan(100);
  });

  it('names the offset of the problem on the error', () => {
    let caught: unknown;
    try {
      decodeCbor(fromHex('a2616101616101'));
    } catch (error) {
      caught = error;
    }
    expect(isCborError(caught)).toBe(true);
    expect(caught).toMatchObject({ name: 'CborError', offset: 4, message: 'CBOR: duplicate map key "a" at byte 4' });
  });

  it('byte strings are copies: changing the input later does not change the value', () => {
    const input = fromHex('a1617043010203');
    const map = decodeCbor(input) as { p: Uint8Array };
    input[4] = 9;
    expect(Array.from(map.p)).toEqual([1, 2, 3]);
  });

  it('honours a custom maxDepth', () => {
    expect(() => decodeCbor(fromHex('818100'), { maxDepth: 1 })).toThrow('CBOR: nesting deeper than 1 at byte 1');
    expect(decodeCbor(fromHex('818100'), { maxDepth: 2 })).toEqual([[0]]);
  });
});

describe('CBOR encoder refusals', () => {
  it('names what it cannot encode and where', () => {
    expect(() => encodeCbor({ a: [1, (() => 1) as unknown as CborValue] })).toThrow(new TypeError('CBOR: cannot encode a function at $.a[1]'));
    expect(() => encodeCbor({ when: new Date(0) as unknown as CborValue })).toThrow(new TypeError('CBOR: cannot encode a Date at $.when'));
    expect(() => encodeCbor([new Int16Array(2) as unknown as CborValue])).toThrow(new TypeError('CBOR: cannot encode a Int16Array at $[0]'));
    expect(() => encodeCbor(10n as unknown as CborValue)).toThrow(new TypeError('CBOR: cannot encode a bigint at $'));
  });

  it('stops at maxDepth, which also ends a cycle', () => {
    const cycle: { [key: string]: CborValue } = {};
    cycle.self = cycle;
    expect(() => encodeCbor(cycle)).toThrow(new RangeError('CBOR: nesting deeper than 16 at $.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self'));
    expect(() => encodeCbor([[[]]], { maxDepth: 2 })).toThrow('CBOR: nesting deeper than 2 at $[0][0]');
    expect(toHex(encodeCbor([[[]]], { maxDepth: 3 }))).toBe('818180');
  });

  it('encodes maps with a null prototype and keys in insertion order', () => {
    const map = Object.create(null) as { [key: string]: CborValue };
    map.b = 1;
    map.a = 2;
    expect(toHex(encodeCbor(map))).toBe('a2616201616102');
  });

  it('grows its buffer for large values', () => {
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
    const out = decodeCbor(encodeCbor({ big, text: 'é'.repeat(70_000) })) as { big: Uint8Array; text: string };
    expect(sameValue(out.big, big)).toBe(true);
    expect(out.text).toBe('é'.repeat(70_000));
  });
});
