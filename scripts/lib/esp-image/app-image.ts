/**
 * ESP app images (the format of the bootloader and of application binaries), read and checked.
 *
 * Layout: header `E9, segment count, flash mode, size<<4 | frequency, entry (u32 LE)`; extended header (16 bytes:
 * WP pin, 3 drive-strength bytes, chip id u16 LE, min revision, min/max full revision u16 each, 4 reserved,
 * hash-appended flag); segments `load address u32, length u32, data`; 0 padding so that the XOR checksum byte
 * (seeded 0xEF, over segment data only) ends a 16-byte block; then, if flagged, the SHA-256 of everything before.
 */
import { createHash } from 'node:crypto';
import { type Chip, imageChipName } from '../esp-chip/index.js';

export const IMAGE_MAGIC = 0xe9;
const HEADER = 8;
const EXTENDED_HEADER = 16;
const SEGMENT_HEADER = 8;
/** ESP-IDF's bootloader loads at most 16 segments. */
const MAX_SEGMENTS = 16;
export const CHECKSUM_SEED = 0xef;

export const flashModes = ['qio', 'qout', 'dio', 'dout'] as const;
const flashSizes = ['1MB', '2MB', '4MB', '8MB', '16MB', '32MB', '64MB', '128MB'];

export interface Segment {
  loadAddress: number;
  length: number;
  /** Where the segment's data starts in the file. */
  fileOffset: number;
}

export interface AppImage {
  chipId: number;
  chipName: string;
  flashMode: string;
  flashSize: string;
  /** The frequency nibble as stored; its meaning differs between chips. */
  flashFrequencyCode: number;
  entry: number;
  minRevisionFull: number;
  maxRevisionFull: number;
  segments: Segment[];
  checksum: number;
  /** The SHA-256 appended to the image (hex), when the header says there is one. It matched: a mismatch is an error. */
  sha256?: string;
  /** Bytes of the image proper (through the checksum and hash). */
  imageSize: number;
  /** Bytes after it in the file (padding some tools add). */
  trailingBytes: number;
}

export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** XOR of `data` into `seed`: the image checksum, and the one the ROM protocol uses for data packets. */
export function xorChecksum(data: Uint8Array, seed = CHECKSUM_SEED): number {
  let sum = seed;
  for (const byte of data) sum ^= byte;
  return sum;
}

/** Parses an app image and checks its structure, checksum and appended SHA-256. Throws ImageError. */
export function parseAppImage(bytes: Uint8Array): AppImage {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length === 0) throw new ImageError('image is empty');
  if (data[0] !== IMAGE_MAGIC) throw new ImageError(`not an ESP app image: first byte is ${hex(data[0])}, expected 0xe9`);
  if (data.length < HEADER + EXTENDED_HEADER) throw new ImageError(`image is ${data.length} bytes, shorter than its 24-byte header`);
  const count = data[1];
  if (count === 0 || count > MAX_SEGMENTS) throw new ImageError(`image claims ${count} segments (1 to ${MAX_SEGMENTS} expected)`);
  if (data[2] >= flashModes.length) throw new ImageError(`unknown flash mode ${data[2]} in the header`);
  const hashAppended = data[23];
  if (hashAppended > 1) throw new ImageError(`hash-appended flag is ${hashAppended}, expected 0 or 1`);

  const segments: Segment[] = [];
  let at = HEADER + EXTENDED_HEADER;
  let checksum = CHECKSUM_SEED;
  for (let i = 0; i < count; i++) {
    if (at + SEGMENT_HEADER > data.length) throw new ImageError(`image ends inside the header of segment ${i} (at byte ${at})`);
    const loadAddress = data.readUInt32LE(at);
    const length = data.readUInt32LE(at + 4);
    const fileOffset = at + SEGMENT_HEADER;
    if (fileOffset + length > data.length) {
      throw new ImageError(`segment ${i} (${length} bytes at byte ${fileOffset}) runs past the end of the ${data.length}-byte image`);
    }
    checksum = xorChecksum(data.subarray(fileOffset, fileOffset + length), checksum);
    segments.push({ loadAddress, length, fileOffset });
    at = fileOffset + length;
  }
  const checksumAt = at + (15 - (at % 16));
  if (checksumAt >= data.length) throw new ImageError(`image ends before its checksum byte (at byte ${checksumAt})`);
  if (data[checksumAt] !== checksum) {
    throw new ImageError(`checksum mismatch: stored ${hex(data[checksumAt])}, computed ${hex(checksum)} over the segment data`);
  }
  let imageSize = checksumAt + 1;
  let sha256: string | undefined;
  if (hashAppended === 1) {
    if (imageSize + 32 > data.length) throw new ImageError('image ends before its appended SHA-256');
    const stored = data.subarray(imageSize, imageSize + 32).toString('hex');
    const computed = createHash('sha256').update(data.subarray(0, imageSize)).digest('hex');
    if (stored !== computed) throw new ImageError(`SHA-256 mismatch: stored ${stored}, computed ${computed}`);
    sha256 = stored;
    imageSize += 32;
  }
  const chipId = data.readUInt16LE(12);
  return {
    chipId,
    chipName: imageChipName(chipId),
    flashMode: flashModes[data[2]],
    flashSize: flashSizes[data[3] >> 4] ?? `code ${data[3] >> 4}`,
    flashFrequencyCode: data[3] & 0x0f,
    entry: data.readUInt32LE(4),
    minRevisionFull: data.readUInt16LE(15),
    maxRevisionFull: data.readUInt16LE(17),
    segments,
    checksum,
    ...(sha256 !== undefined ? { sha256 } : {}),
    imageSize,
    trailingBytes: data.length - imageSize,
  };
}

/** Refuses an image built for another chip, naming both. */
export function checkImageChip(image: AppImage, chip: Chip, what = 'image'): void {
  if (image.chipId !== chip.imageChipId) {
    throw new ImageError(`${what} is built for the ${image.chipName} (chip id ${image.chipId}), not the ${chip.name} (chip id ${chip.imageChipId})`);
  }
}

export interface ImageSpec {
  chip: Chip;
  entry: number;
  segments: { loadAddress: number; data: Uint8Array }[];
  flashMode?: (typeof flashModes)[number];
  /** Index into 1MB..128MB (2 = 4MB). */
  flashSizeCode?: number;
  hashAppended?: boolean;
}

/** Writes an app image: used to make test and benchmark images, and to repair nothing. */
export function serializeAppImage(spec: ImageSpec): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(HEADER + EXTENDED_HEADER);
  header[0] = IMAGE_MAGIC;
  header[1] = spec.segments.length;
  header[2] = flashModes.indexOf(spec.flashMode ?? 'dio');
  header[3] = (spec.flashSizeCode ?? 2) << 4;
  header.writeUInt32LE(spec.entry, 4);
  header[8] = 0xee; // WP pin: not used
  header.writeUInt16LE(spec.chip.imageChipId, 12);
  header.writeUInt16LE(0xffff, 17); // any revision
  header[23] = spec.hashAppended ? 1 : 0;
  parts.push(header);
  let length = header.length;
  let checksum = CHECKSUM_SEED;
  for (const segment of spec.segments) {
    const head = Buffer.alloc(SEGMENT_HEADER);
    head.writeUInt32LE(segment.loadAddress, 0);
    head.writeUInt32LE(segment.data.length, 4);
    parts.push(head, Buffer.from(segment.data));
    length += SEGMENT_HEADER + segment.data.length;
    checksum = xorChecksum(segment.data, checksum);
  }
  const tail = Buffer.alloc(16 - (length % 16));
  tail[tail.length - 1] = checksum;
  parts.push(tail);
  const image = Buffer.concat(parts);
  return spec.hashAppended ? Buffer.concat([image, createHash('sha256').update(image).digest()]) : image;
}
