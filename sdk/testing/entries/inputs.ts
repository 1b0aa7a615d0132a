/** Deterministic test inputs shared by engine entries and the host side that checks them (tests only). */

/** Bytes from a seeded xorshift32 generator (32-bit integer steps: the same on every engine). */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}

/** Lengths around SHA-256's 55/56/64-byte edges, and a few larger ones. */
export const SHA256_LENGTHS = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 4099];

export function sha256Inputs(): Uint8Array[] {
  return SHA256_LENGTHS.map((n, i) => seededBytes(n, i + 1));
}
