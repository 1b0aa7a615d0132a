/**
 * ESP-IDF partition tables: the binary at 0x8000 that the bootloader reads.
 *
 * Layout: 32-byte entries `AA 50, type, subtype, offset (u32 LE), size (u32 LE), label (16 bytes, NUL padded),
 * flags (u32 LE)`, then an MD5 row `EB EB` + 14 x FF + the MD5 of every entry before it, then 0xFF up to 0xC00.
 */
import { createHash } from 'node:crypto';

export const PARTITION_TABLE_OFFSET = 0x8000;
export const PARTITION_TABLE_MAX = 0xc00;
const ENTRY = 32;

export type PartitionType = 'app' | 'data';

const typeCodes: Record<PartitionType, number> = { app: 0x00, data: 0x01 };

const appSubtypes: Record<string, number> = { factory: 0x00, test: 0x20 };
for (let n = 0; n < 16; n++) appSubtypes[`ota_${n}`] = 0x10 + n;
const dataSubtypes: Record<string, number> = {
  ota: 0x00, phy: 0x01, nvs: 0x02, coredump: 0x03, nvs_keys: 0x04, efuse: 0x05, undefined: 0x06,
  esphttpd: 0x80, fat: 0x81, spiffs: 0x82, littlefs: 0x83,
};
/** Subtype names by partition type, as ESP-IDF's CSV format spells them. */
export const subtypeCodes: Record<PartitionType, Readonly<Record<string, number>>> = { app: appSubtypes, data: dataSubtypes };

/** App partitions must start on a 64 KiB boundary (the MMU page), data partitions on a 4 KiB sector. */
export const alignment: Record<PartitionType, number> = { app: 0x10000, data: 0x1000 };

export interface Partition {
  label: string;
  /** 'app', 'data', or the raw type number for types mote does not name. */
  type: PartitionType | number;
  /** The subtype's name where known, else its number. */
  subtype: string | number;
  offset: number;
  size: number;
  encrypted: boolean;
  readonly: boolean;
}

export interface PartitionTable {
  partitions: Partition[];
  /** Whether the table ends with an MD5 row (which then matched: a mismatch is an error). */
  hasMd5: boolean;
}

export class PartitionTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartitionTableError';
  }
}

const hex = (n: number) => `0x${n.toString(16)}`;

function typeName(code: number): PartitionType | number {
  return (Object.keys(typeCodes) as PartitionType[]).find((t) => typeCodes[t] === code) ?? code;
}

function subtypeName(type: PartitionType | number, code: number): string | number {
  if (typeof type === 'number') return code;
  return Object.entries(subtypeCodes[type]).find(([, c]) => c === code)?.[0] ?? code;
}

/**
 * Parses a partition table binary and checks it: magic of every row, the MD5 row when present,
 * nothing but 0xFF after the end. Layout rules are checked by checkLayout. Throws PartitionTableError.
 */
export function parsePartitionTable(bytes: Uint8Array): PartitionTable {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length > PARTITION_TABLE_MAX) {
    throw new PartitionTableError(`partition table is ${data.length} bytes, more than the ${PARTITION_TABLE_MAX} the bootloader reads`);
  }
  const partitions: Partition[] = [];
  let hasMd5 = false;
  let end = -1;
  for (let at = 0; at + ENTRY <= data.length; at += ENTRY) {
    const row = data.subarray(at, at + ENTRY);
    if (row[0] === 0xaa && row[1] === 0x50) {
      if (hasMd5) throw new PartitionTableError(`entry at byte ${at} follows the MD5 row`);
      const type = typeName(row[2]);
      const label = row.subarray(12, 28).toString('latin1').replace(/\0+$/, '');
      if (label.includes('\0')) throw new PartitionTableError(`entry at byte ${at}: label is not NUL padded`);
      const flags = row.readUInt32LE(28);
      partitions.push({
        label,
        type,
        subtype: subtypeName(type, row[3]),
        offset: row.readUInt32LE(4),
        size: row.readUInt32LE(8),
        encrypted: (flags & 1) !== 0,
        readonly: (flags & 2) !== 0,
      });
    } else if (row[0] === 0xeb && row[1] === 0xeb) {
      if (hasMd5) throw new PartitionTableError(`second MD5 row at byte ${at}`);
      const expected = createHash('md5').update(data.subarray(0, at)).digest();
      if (!row.subarray(16).equals(expected)) {
        throw new PartitionTableError(`MD5 row at byte ${at} does not match the entries (stored ${row.subarray(16).toString('hex')}, computed ${expected.toString('hex')})`);
      }
      hasMd5 = true;
    } else if (row.every((b) => b === 0xff)) {
      end = at;
      break;
    } else {
      throw new PartitionTableError(`row at byte ${at} starts with ${hex(row[0])} ${hex(row[1])}: not an entry (AA 50), an MD5 row (EB EB) or the end (FF)`);
    }
  }
  if (partitions.length === 0) throw new PartitionTableError('partition table has no entries (expected rows starting AA 50)');
  if (end >= 0 && !data.subarray(end).every((b) => b === 0xff)) {
    throw new PartitionTableError(`bytes after the end of the table (byte ${end}) are not all 0xFF`);
  }
  if (end < 0 && data.length % ENTRY !== 0) throw new PartitionTableError(`partition table is cut short (${data.length} bytes)`);
  return { partitions, hasMd5 };
}

/**
 * Layout problems of a list of partitions, as sentences (empty when there are none): alignment,
 * overlaps, the table itself (0x8000-0x9000), the flash size when known, duplicate labels.
 */
export function checkLayout(partitions: readonly Partition[], flashSize?: number): string[] {
  const problems: string[] = [];
  const labels = new Set<string>();
  const sorted = [...partitions].sort((a, b) => a.offset - b.offset);
  sorted.forEach((p, i) => {
    const name = `partition "${p.label}"`;
    if (labels.has(p.label)) problems.push(`${name} appears twice`);
    labels.add(p.label);
    const align = typeof p.type === 'number' ? 0x1000 : alignment[p.type];
    if (p.offset % align !== 0) problems.push(`${name} at ${hex(p.offset)} is not aligned to ${hex(align)}`);
    if (p.size === 0) problems.push(`${name} has size 0`);
    if (p.offset < PARTITION_TABLE_OFFSET + 0x1000) problems.push(`${name} at ${hex(p.offset)} overlaps the bootloader or the partition table (first free offset 0x9000)`);
    if (flashSize !== undefined && p.offset + p.size > flashSize) {
      problems.push(`${name} ends at ${hex(p.offset + p.size)}, past the end of the ${flashSize / 0x100000}MB flash`);
    }
    const next = sorted[i + 1];
    if (next && p.offset + p.size > next.offset) problems.push(`${name} (${hex(p.offset)}-${hex(p.offset + p.size)}) overlaps partition "${next.label}" at ${hex(next.offset)}`);
  });
  if (!partitions.some((p) => p.type === 'app')) problems.push('no app partition');
  return problems;
}

/** The binary form of a list of partitions, with the MD5 row, padded with 0xFF to 0xC00. */
export function serializePartitionTable(partitions: readonly Partition[]): Buffer {
  if ((partitions.length + 1) * ENTRY > PARTITION_TABLE_MAX) throw new PartitionTableError(`too many partitions (${partitions.length})`);
  const out = Buffer.alloc(PARTITION_TABLE_MAX, 0xff);
  partitions.forEach((p, i) => {
    const row = out.subarray(i * ENTRY, (i + 1) * ENTRY);
    const type = typeof p.type === 'number' ? p.type : typeCodes[p.type];
    const subtype = typeof p.subtype === 'number' ? p.subtype : typeof p.type === 'number' ? undefined : subtypeCodes[p.type][p.subtype];
    if (subtype === undefined) throw new PartitionTableError(`partition "${p.label}": unknown subtype "${p.subtype}"`);
    if (Buffer.byteLength(p.label, 'latin1') > 16) throw new PartitionTableError(`partition "${p.label}": label longer than 16 bytes`);
    row[0] = 0xaa;
    row[1] = 0x50;
    row[2] = type;
    row[3] = subtype;
    row.writeUInt32LE(p.offset, 4);
    row.writeUInt32LE(p.size, 8);
    row.fill(0, 12, 28);
    row.write(p.label, 12, 'latin1');
    row.writeUInt32LE((p.encrypted ? 1 : 0) | (p.readonly ? 2 : 0), 28);
  });
  const md5At = partitions.length * ENTRY;
  out[md5At] = 0xeb;
  out[md5At + 1] = 0xeb;
  createHash('md5').update(out.subarray(0, md5At)).digest().copy(out, md5At + 16);
  return out;
}
