// SHA-256 against node:crypto: random inputs fed whole and in random pieces, the padding edges,
// and FIPS 180-4's own examples. The same code on Espruino and XS: sdk/testing/engines.test.ts.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../bytes.js';
import { sha256, Sha256, toHex } from './sha256.js';

const node = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('Sha256', () => {
  it("gives FIPS 180-4's example digests", () => {
    expect(toHex(sha256(utf8Encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256(utf8Encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(toHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('matches node:crypto on every length 0..200 and on 300 random inputs fed in random pieces', () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = randomBytes(n);
      expect(toHex(sha256(bytes)), `length ${n}`).toBe(node(bytes));
    }
    for (let round = 0; round < 300; round++) {
      const bytes = randomBytes(Math.floor(Math.random() * 20_000));
      const hash = new Sha256();
      for (let at = 0; at < bytes.length; ) {
        const end = Math.min(bytes.length, at + Math.floor(Math.random() * 300));
        hash.update(bytes, at, end);
        at = end;
      }
      expect(toHex(hash.digest())).toBe(node(bytes));
    }
  });

  it('hashes a megabyte as node does (the 64-bit length field)', () => {
    const bytes = randomBytes(1 << 20);
    expect(toHex(sha256(bytes))).toBe(node(bytes));
  });

  it('refuses to be used after digest', () => {
    const hash = new Sha256().update(new Uint8Array(3));
    hash.digest();
    expect(() => hash.update(new Uint8Array(1))).toThrow(/after digest/);
    expect(() => hash.digest()).toThrow(/twice/);
  });
});
