/**
 * HIL frames: how test events leave the device on its console. One event per line:
 *
 *     ~mote:<base64 of the UTF-8 JSON event>*<CRC-32 of the base64 text, 8 lowercase hex digits>
 *
 * The marker may follow boot noise on the same line; the host takes the last marker of a line,
 * checks the CRC (a corrupted frame is a link fault, not a test result) and the event's `n`
 * sequence number (a gap means a frame was lost). Base64 keeps the frame to printable ASCII, so
 * no console escaping or UTF-8 splitting can change it. See docs/hil.md. Engine-neutral.
 */
import { base64Encode } from '../../sdk/ota/base64.js';
import { utf8Encode } from '../../sdk/bytes.js';

export const FRAME_MARKER = '~mote:';

let table: number[] | undefined;

/** CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of the character codes of an ASCII string. */
export function crc32(text: string): number {
  if (!table) {
    table = [];
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table.push(c >>> 0);
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = table[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** 8 lowercase hex digits. */
export function hex32(value: number): string {
  const digits = (value >>> 0).toString(16);
  return '00000000'.slice(digits.length) + digits;
}

/** The console line carrying `event`. */
export function encodeFrame(event: object): string {
  const body = base64Encode(utf8Encode(JSON.stringify(event)));
  return FRAME_MARKER + body + '*' + hex32(crc32(body));
}
