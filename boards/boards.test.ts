import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packageFile } from '../scripts/lib/paths.js';
import { BoardError, boardById, boardFor, detectPorts, flashBytes, loadBoards, parseBoard } from './index.js';

const devkitc = JSON.parse(readFileSync(packageFile('boards/esp32-devkitc.json'), 'utf8')) as Record<string, any>;

/** parseBoard's error for esp32-devkitc.json changed by `edit`. */
function problems(edit: (board: Record<string, any>) => void): string[] {
  const board = structuredClone(devkitc);
  edit(board);
  try {
    parseBoard(JSON.stringify(board), 'boards/esp32-devkitc.json');
  } catch (error) {
    expect(error).toBeInstanceOf(BoardError);
    return (error as Error).message.split('\n');
  }
  return [];
}

describe('boards', () => {
  it('loads the five boards, each valid', () => {
    const boards = loadBoards();
    expect(boards.map((b) => [b.id, b.chip])).toEqual([
      ['esp32-c3-devkitm-1', 'esp32c3'],
      ['esp32-c6-devkitc-1', 'esp32c6'],
      ['esp32-devkitc', 'esp32'],
      ['esp32-s2-saola-1', 'esp32s2'],
      ['esp32-s3-devkitc-1', 'esp32s3'],
    ]);
    const s3 = boardById('esp32-s3-devkitc-1', boards);
    expect(flashBytes(s3)).toBe(8 * 1024 * 1024);
    expect(s3.engines.espruino?.map((i) => i.offset)).toEqual([0x0, 0x8000, 0x10000]);
    expect(boardById('esp32-devkitc', boards).engines.moddable?.[0]).toEqual({ offset: 0x1000, file: 'bootloader.bin' });
    expect(s3.partitions.find((p) => p.type === 'app')).toMatchObject({ label: 'factory', offset: 0x10000, size: 0x3f0000 });
    expect(() => boardById('esp8266', boards)).toThrow('unknown board "esp8266" (known: esp32-c3-devkitm-1, esp32-c6-devkitc-1, esp32-devkitc, esp32-s2-saola-1, esp32-s3-devkitc-1)');
  });

  it('rejects pins the chip lacks or that two functions share', () => {
    expect(problems((b) => (b.pins.led = 40))).toEqual(['boards/esp32-devkitc.json: pins.led: GPIO40 does not exist on the ESP32 (GPIO0-39)']);
    expect(problems((b) => (b.pins.i2c.scl = 21))).toEqual(['boards/esp32-devkitc.json: pins.i2c.scl: GPIO21 is also pins.i2c.sda']);
  });

  it('rejects a bootloader at the wrong offset for the chip and unaligned images', () => {
    expect(problems((b) => (b.engines.espruino[0].offset = '0x0'))).toEqual([
      'boards/esp32-devkitc.json: engines.espruino.0.offset: the first image (the bootloader) goes at 0x1000 on the ESP32',
    ]);
    expect(problems((b) => (b.engines.moddable[2].offset = '0x10800'))).toEqual(['boards/esp32-devkitc.json: engines.moddable.2.offset: not aligned to a 4 KiB sector']);
    expect(problems((b) => (b.engines.moddable[2].offset = '65536'))).toEqual(['boards/esp32-devkitc.json: engines.moddable.2.offset: expected a hex number such as "0x10000"']);
  });

  it('rejects partition layouts that overlap, are unaligned, or do not fit the flash', () => {
    expect(problems((b) => (b.partitions[2].offset = '0x18000'))).toEqual([
      'boards/esp32-devkitc.json: partitions: partition "factory" at 0x18000 is not aligned to 0x10000',
      'boards/esp32-devkitc.json: partitions: partition "factory" (0x18000-0x208000) overlaps partition "storage" at 0x200000',
    ]);
    expect(problems((b) => (b.flash.size = '2MB'))).toEqual(['boards/esp32-devkitc.json: partitions: partition "storage" ends at 0x400000, past the end of the 2MB flash']);
    expect(problems((b) => (b.partitions[3].subtype = 'ntfs'))).toEqual([
      'boards/esp32-devkitc.json: partitions.3.subtype: unknown data subtype "ntfs" (known: ota, phy, nvs, coredump, nvs_keys, efuse, undefined, esphttpd, fat, spiffs, littlefs)',
    ]);
  });

  it('rejects unknown keys, a bad chip, and an id that is not the file name', () => {
    expect(problems((b) => (b.chip = 'esp8266'))[0]).toMatch(/^boards\/esp32-devkitc\.json: chip: Invalid option: expected one of "esp32"\|"esp32s2"/);
    expect(problems((b) => (b.colour = 'red'))).toEqual(['boards/esp32-devkitc.json: Unrecognized key: "colour"']);
    expect(problems((b) => (b.id = 'esp32-other'))).toEqual(['boards/esp32-devkitc.json: id "esp32-other" does not match the file name (expected "esp32-devkitc")']);
    expect(() => parseBoard('{ "id": ', 'boards/x.json')).toThrow(/^boards\/x\.json: not JSON: /);
  });

  it('detects boards from the USB bridge of each port', () => {
    const boards = loadBoards();
    const ports = detectPorts(
      [
        { path: '/dev/ttyUSB0', vendorId: '10C4', productId: 'EA60', manufacturer: 'Silicon Labs' },
        { path: '/dev/ttyACM0', vendorId: '303a', productId: '1001' },
        { path: '/dev/ttyUSB1', vendorId: '1a86', productId: '7523' },
        { path: '/dev/ttyS0' },
      ],
      boards,
    );
    expect(ports).toEqual([
      { path: '/dev/ttyUSB0', usb: '10c4:ea60', bridge: 'CP210x', boards: boards.map((b) => b.id), manufacturer: 'Silicon Labs' },
      { path: '/dev/ttyACM0', usb: '303a:1001', bridge: 'Espressif USB-Serial/JTAG', boards: ['esp32-c6-devkitc-1', 'esp32-s3-devkitc-1'] },
      { path: '/dev/ttyUSB1', usb: '1a86:7523', bridge: 'CH340', boards: [] },
      { path: '/dev/ttyS0', boards: [] },
    ]);
  });

  it('names the board once the chip behind a bridge is known, when only one board fits', () => {
    const boards = loadBoards();
    expect(boardFor(boards, '10c4:ea60', 'esp32c3')?.id).toBe('esp32-c3-devkitm-1');
    expect(boardFor(boards, '303a:1001', 'esp32s3')?.id).toBe('esp32-s3-devkitc-1');
    expect(boardFor(boards, '303a:1001', 'esp32')).toBeUndefined();
    expect(boardFor(boards, '1a86:7523', 'esp32')).toBeUndefined();
    expect(boardFor(boards, undefined, 'esp32')).toBeUndefined();
  });
});
