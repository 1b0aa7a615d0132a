/**
 * Bytes and text, engine-neutral: Espruino has no TextEncoder/TextDecoder, so the SDK encodes
 * UTF-8 itself. Strings are UTF-16 in; lone surrogates become U+FFFD, as TextEncoder does.
 */

/** UTF-8 bytes of `text`. */
export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

/** The text of UTF-8 `bytes` (`start` to `end`); malformed sequences become U+FFFD. */
export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let text = '';
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    let c = 0xfffd;
    let n = 1;
    if (b < 0x80) c = b;
    else if (b >= 0xc2 && b < 0xe0 && i + 1 < end && (bytes[i + 1]! & 0xc0) === 0x80) {
      c = ((b & 31) << 6) | (bytes[i + 1]! & 63);
      n = 2;
    } else if (b >= 0xe0 && b < 0xf0 && i + 2 < end && (bytes[i + 1]! & 0xc0) === 0x80 && (bytes[i + 2]! & 0xc0) === 0x80) {
      const v = ((b & 15) << 12) | ((bytes[i + 1]! & 63) << 6) | (bytes[i + 2]! & 63);
      if (v >= 0x800 && (v < 0xd800 || v > 0xdfff)) c = v;
      n = 3;
    } else if (b >= 0xf0 && b < 0xf5 && i + 3 < end && (bytes[i + 1]! & 0xc0) === 0x80 && (bytes[i + 2]! & 0xc0) === 0x80 && (bytes[i + 3]! & 0xc0) === 0x80) {
      const v = ((b & 7) << 18) | ((bytes[i + 1]! & 63) << 12) | ((bytes[i + 2]! & 63) << 6) | (bytes[i + 3]! & 63);
      if (v >= 0x10000 && v <= 0x10ffff) c = v;
      n = 4;
    }
    if (c >= 0x10000) {
      c -= 0x10000;
      text += String.fromCharCode(0xd800 + (c >> 10), 0xdc00 + (c & 1023));
    } else text += String.fromCharCode(c);
    i += n;
  }
  return text;
}

/** `payload` as bytes: a string is UTF-8 encoded. */
export function toBytes(payload: Uint8Array | string): Uint8Array {
  return typeof payload === 'string' ? utf8Encode(payload) : payload;
}

/** One Uint8Array holding `parts` in order. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
