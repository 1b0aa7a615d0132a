/**
 * IEEE 754 half, single and double precision as CBOR carries them (big-endian), without
 * Math.fround or Float16Array (neither is on every engine): single and double go through a
 * DataView, half precision is computed from the single-precision bits.
 */
const scratch = new Uint8Array(8);
const view = new DataView(scratch.buffer);

/** The number in `size` (2, 4 or 8) big-endian bytes of `bytes` at `at`. */
export function readFloat(bytes: Uint8Array, at: number, size: number): number {
  if (size === 2) return halfToNumber((bytes[at]! << 8) | bytes[at + 1]!);
  for (let i = 0; i < size; i++) scratch[i] = bytes[at + i]!;
  return size === 4 ? view.getFloat32(0) : view.getFloat64(0);
}

function halfToNumber(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 31;
  const fraction = half & 1023;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * fraction * Math.pow(2, -24);
  return sign * (1024 + fraction) * Math.pow(2, exponent - 25);
}

/**
 * The shortest encoding that keeps `x` exactly: its size (2, 4 or 8) and big-endian bytes in a
 * shared scratch array (valid until the next call). NaN is the canonical half 0x7e00.
 */
export function shortestFloat(x: number): { size: number; bytes: Uint8Array } {
  const half = toHalf(x);
  if (half >= 0) {
    scratch[0] = half >> 8;
    scratch[1] = half & 0xff;
    return { size: 2, bytes: scratch };
  }
  view.setFloat32(0, x);
  if (view.getFloat32(0) === x) return { size: 4, bytes: scratch };
  view.setFloat64(0, x);
  return { size: 8, bytes: scratch };
}

/** `x` as half-precision bits, or -1 when half precision cannot hold it exactly. */
function toHalf(x: number): number {
  if (x !== x) return 0x7e00;
  view.setFloat32(0, x);
  if (view.getFloat32(0) !== x) return -1;
  const sign = (scratch[0]! & 0x80) << 8;
  const exponent = ((scratch[0]! & 0x7f) << 1) | (scratch[1]! >> 7);
  const fraction = ((scratch[1]! & 0x7f) << 16) | (scratch[2]! << 8) | scratch[3]!;
  if (exponent === 255) return fraction === 0 ? sign | 0x7c00 : -1;
  if (exponent === 0) return fraction === 0 ? sign : -1; // zero; single subnormals are far below half's range
  const e = exponent - 127;
  if (e >= -14 && e <= 15) return (fraction & 0x1fff) === 0 ? sign | ((e + 15) << 10) | (fraction >> 13) : -1;
  if (e >= -24 && e < -14) {
    // A half subnormal: the significand, leading 1 included, shifted right must lose no bit.
    const shift = 13 - 14 - e;
    const significand = fraction | 0x800000;
    return significand % Math.pow(2, shift) === 0 ? sign | (significand / Math.pow(2, shift)) : -1;
  }
  return -1;
}
