/**
 * The ROM loader's command and response packets (inside SLIP frames).
 * Request: `00, op, length u16 LE, checksum u32 LE, data`. Response: `01, op, length u16 LE, value u32 LE, data`,
 * where data ends in status bytes: 4 from the ESP32-and-later ROM (status, error, 2 reserved). Status 0 is success.
 */
export const Op = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  READ_FLASH_SLOW: 0x0e,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  GET_SECURITY_INFO: 0x14,
} as const;

export const opNames: Record<number, string> = Object.fromEntries(Object.entries(Op).map(([name, op]) => [op, name]));

/** Error codes the ROM puts after a failed status. */
export const RomErrorCode = {
  INVALID_MESSAGE: 0x05,
  FAILED_TO_ACT: 0x06,
  INVALID_CRC: 0x07,
  FLASH_WRITE_ERROR: 0x08,
  FLASH_READ_ERROR: 0x09,
  FLASH_READ_LENGTH_ERROR: 0x0a,
  DEFLATE_ERROR: 0x0b,
} as const;

export const romErrorNames: Record<number, string> = {
  0x05: 'invalid message',
  0x06: 'failed to act',
  0x07: 'checksum (CRC) error',
  0x08: 'flash write error',
  0x09: 'flash read error',
  0x0a: 'flash read length error',
  0x0b: 'deflate error',
};

/** Status bytes at the end of every ROM response. */
export const ROM_STATUS_BYTES = 4;

/** SYNC's payload: 07 07 12 20 and 32 x 0x55 (lets the ROM measure the baud rate). */
export const SYNC_DATA = Buffer.concat([Buffer.from([0x07, 0x07, 0x12, 0x20]), Buffer.alloc(32, 0x55)]);

export interface Request {
  op: number;
  data: Buffer;
  checksum: number;
}

export interface Response {
  op: number;
  value: number;
  /** The data, status bytes included. */
  data: Buffer;
}

/** direction (0 request, 1 response), op, data length, then a word: the checksum or the value. */
function packet(direction: number, op: number, word: number, data: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header[0] = direction;
  header[1] = op;
  header.writeUInt16LE(data.length, 2);
  header.writeUInt32LE(word >>> 0, 4);
  return Buffer.concat([header, data]);
}

export function encodeRequest(op: number, data: Uint8Array, checksum = 0): Buffer {
  return packet(0x00, op, checksum, data);
}

/** A request packet, or a sentence saying why it is not one. */
export function decodeRequest(packet: Buffer): Request | string {
  if (packet.length < 8) return `request of ${packet.length} bytes is shorter than its 8-byte header`;
  if (packet[0] !== 0x00) return `request direction byte is 0x${packet[0].toString(16)}, expected 0x00`;
  const length = packet.readUInt16LE(2);
  if (packet.length - 8 !== length) return `request length field says ${length} bytes, packet carries ${packet.length - 8}`;
  return { op: packet[1], data: packet.subarray(8), checksum: packet.readUInt32LE(4) };
}

export function encodeResponse(op: number, value: number, data: Uint8Array): Buffer {
  return packet(0x01, op, value, data);
}

/** A response packet, or undefined for anything else (a client skips those and keeps reading). */
export function decodeResponse(packet: Buffer): Response | undefined {
  if (packet.length < 8 || packet[0] !== 0x01) return undefined;
  const length = packet.readUInt16LE(2);
  if (packet.length - 8 !== length) return undefined;
  return { op: packet[1], value: packet.readUInt32LE(4), data: packet.subarray(8) };
}

/** Little-endian u32 words, the shape of most command payloads. */
export function words(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeUInt32LE(v >>> 0, i * 4));
  return out;
}
