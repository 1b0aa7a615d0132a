/** Base64 (RFC 4648, standard alphabet, padded), engine-neutral: JSON stream blocks and bitmaps travel in it. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63);
    out += i + 1 < bytes.length ? ALPHABET.charAt((n >> 6) & 63) : '=';
    out += i + 2 < bytes.length ? ALPHABET.charAt(n & 63) : '=';
  }
  return out;
}

/** The bytes of `text`; throws on characters outside the alphabet or a length that is not a multiple of 4. */
export function base64Decode(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Error('base64: length is not a multiple of 4');
  let padding = 0;
  if (text.charAt(text.length - 1) === '=') padding++;
  if (text.charAt(text.length - 2) === '=') padding++;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let at = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text.charAt(i + j);
      const v = c === '=' && i + 4 === text.length && j >= 4 - padding ? 0 : ALPHABET.indexOf(c);
      if (v < 0) throw new Error(`base64: invalid character at ${i + j}`);
      n = (n << 6) | v;
    }
    if (at < out.length) out[at++] = (n >> 16) & 255;
    if (at < out.length) out[at++] = (n >> 8) & 255;
    if (at < out.length) out[at++] = n & 255;
  }
  return out;
}
