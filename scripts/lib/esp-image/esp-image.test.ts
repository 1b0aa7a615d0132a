import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chipById } from '../esp-chip/index.js';
import {
  ImageError,
  PartitionTableError,
  type Partition,
  checkImageChip,
  checkLayout,
  inspectImage,
  parseAppImage,
  parsePartitionTable,
  serializeAppImage,
  serializePartitionTable,
} from './index.js';

const c3 = chipById('esp32c3');
const segments = [
  { loadAddress: 0x3c000020, data: Buffer.from('0123456789abcdef0123', 'latin1') },
  { loadAddress: 0x40380000, data: Buffer.alloc(100, 0x5a) },
];

describe('app images', () => {
  it('reads back what it writes, checksum and SHA-256 included', () => {
    const bytes = serializeAppImage({ chip: c3, entry: 0x40380080, segments, hashAppended: true });
    const image = parseAppImage(bytes);
    expect(image).toMatchObject({ chipId: 5, chipName: 'ESP32-C3', flashMode: 'dio', flashSize: '4MB', entry: 0x40380080, trailingBytes: 0 });
    expect(image.segments).toEqual([
      { loadAddress: 0x3c000020, length: 20, fileOffset: 32 },
      { loadAddress: 0x40380000, length: 100, fileOffset: 60 },
    ]);
    // 160 bytes of header and segments: padding to 175, the checksum byte, then 32 bytes of hash.
    expect(image.imageSize).toBe(176 + 32);
    expect(bytes[175]).toBe(image.checksum);
    expect(image.sha256).toBe(createHash('sha256').update(bytes.subarray(0, 176)).digest('hex'));
    // The checksum is the XOR of the segment data seeded 0xEF: the 0x5a run cancels out (even count).
    let expected = 0xef;
    for (const b of segments[0].data) expected ^= b;
    expect(image.checksum).toBe(expected);
  });

  it('rejects a wrong magic, truncation, a bad checksum and a bad SHA-256 precisely', () => {
    const bytes = serializeAppImage({ chip: c3, entry: 0, segments, hashAppended: true });
    const changed = (at: number, value: number) => {
      const copy = Buffer.from(bytes);
      copy[at] = value;
      return copy;
    };
    expect(() => parseAppImage(changed(0, 0xe8))).toThrow('not an ESP app image: first byte is 0xe8, expected 0xe9');
    expect(() => parseAppImage(changed(1, 0))).toThrow('image claims 0 segments (1 to 16 expected)');
    expect(() => parseAppImage(changed(2, 7))).toThrow('unknown flash mode 7 in the header');
    expect(() => parseAppImage(bytes.subarray(0, 100))).toThrow('segment 1 (100 bytes at byte 60) runs past the end of the 100-byte image');
    expect(() => parseAppImage(bytes.subarray(0, 170))).toThrow('image ends before its checksum byte (at byte 175)');
    expect(() => parseAppImage(changed(70, 0x5b))).toThrow(/^checksum mismatch: stored 0x[0-9a-f]+, computed 0x[0-9a-f]+ over the segment data$/);
    expect(() => parseAppImage(changed(200, bytes[200] ^ 1))).toThrow(/^SHA-256 mismatch: stored [0-9a-f]{64}, computed [0-9a-f]{64}$/);
    expect(() => parseAppImage(bytes.subarray(0, 190))).toThrow('image ends before its appended SHA-256');
    expect(() => parseAppImage(new Uint8Array())).toThrow(ImageError);
  });

  it('refuses an image built for another chip', () => {
    const image = parseAppImage(serializeAppImage({ chip: c3, entry: 0, segments }));
    expect(() => checkImageChip(image, c3)).not.toThrow();
    expect(() => checkImageChip(image, chipById('esp32'), 'firmware.bin')).toThrow('firmware.bin is built for the ESP32-C3 (chip id 5), not the ESP32 (chip id 0)');
    const h2 = serializeAppImage({ chip: c3, entry: 0, segments });
    h2.writeUInt16LE(16, 12);
    expect(parseAppImage(h2).chipName).toBe('ESP32-H2');
  });
});

const layout: Partition[] = [
  { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x6000, encrypted: false, readonly: false },
  { label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000, encrypted: false, readonly: false },
  { label: 'storage', type: 'data', subtype: 'spiffs', offset: 0x110000, size: 0xf0000, encrypted: true, readonly: true },
];

describe('partition tables', () => {
  it('reads back what it writes, byte for byte as ESP-IDF lays it out', () => {
    const bytes = serializePartitionTable(layout);
    expect(bytes.length).toBe(0xc00);
    expect(bytes.subarray(32, 64).toString('hex')).toBe('aa500000' + '00000100' + '00001000' + '666163746f7279' + '00'.repeat(9) + '00000000');
    expect(bytes.subarray(96, 112).toString('hex')).toBe('ebeb' + 'ff'.repeat(14));
    expect(bytes.subarray(112, 128)).toEqual(createHash('md5').update(bytes.subarray(0, 96)).digest());
    expect(parsePartitionTable(bytes)).toEqual({ partitions: layout, hasMd5: true });
    expect(inspectImage(bytes)).toMatchObject({ kind: 'partition-table', hasMd5: true });
  });

  it('rejects a bad MD5, garbage rows and bytes after the end', () => {
    const bytes = serializePartitionTable(layout);
    const md5 = Buffer.from(bytes);
    md5[120] ^= 1;
    expect(() => parsePartitionTable(md5)).toThrow(/^MD5 row at byte 96 does not match the entries \(stored [0-9a-f]{32}, computed [0-9a-f]{32}\)$/);
    const garbage = Buffer.from(bytes);
    garbage[64] = 0x12;
    expect(() => parsePartitionTable(garbage)).toThrow('row at byte 64 starts with 0x12 0x50: not an entry (AA 50), an MD5 row (EB EB) or the end (FF)');
    const tail = Buffer.from(bytes);
    tail[0xbff] = 0;
    expect(() => parsePartitionTable(tail)).toThrow('bytes after the end of the table (byte 128) are not all 0xFF');
    expect(() => parsePartitionTable(Buffer.alloc(0xc01, 0xff))).toThrow(PartitionTableError);
    expect(() => inspectImage(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))).toThrow('not an ESP image: starts with 7f 45, expected e9 (app image) or aa 50 (partition table)');
  });

  it('checks the layout', () => {
    expect(checkLayout(layout, 0x200000)).toEqual([]);
    expect(checkLayout(layout, 0x100000)).toEqual([
      'partition "factory" ends at 0x110000, past the end of the 1MB flash',
      'partition "storage" ends at 0x200000, past the end of the 1MB flash',
    ]);
    const bad = [{ ...layout[0], offset: 0x8000 }, { ...layout[1], offset: 0x10000, size: 0x101000 }, layout[2], { ...layout[2], type: 'data' as const }];
    expect(checkLayout(bad)).toEqual([
      'partition "nvs" at 0x8000 overlaps the bootloader or the partition table (first free offset 0x9000)',
      'partition "factory" (0x10000-0x111000) overlaps partition "storage" at 0x110000',
      'partition "storage" (0x110000-0x200000) overlaps partition "storage" at 0x110000',
      'partition "storage" appears twice',
    ]);
  });
});
