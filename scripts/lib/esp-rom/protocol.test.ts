// The wire format (SLIP, packets) and the simulated ROM's answers, byte for byte, without a pty.
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { chipById } from '../esp-chip/index.js';
import { xorChecksum } from '../esp-image/index.js';
import { Op, SYNC_DATA, decodeRequest, decodeResponse, encodeRequest, words } from './packet.js';
import { SimulatedRom } from './sim/rom.js';
import { SlipDecoder, slipEncode } from './slip.js';

describe('SLIP', () => {
  it('escapes C0 and DB inside a frame and decodes across chunk boundaries, handing back text outside frames', () => {
    const packet = Buffer.from([0x01, 0xc0, 0x02, 0xdb, 0x03]);
    const frame = slipEncode(packet);
    expect(frame.toString('hex')).toBe('c001dbdc02dbdd03c0');
    const frames: Buffer[] = [];
    const noise: string[] = [];
    const decoder = new SlipDecoder({ frame: (f) => frames.push(f), noise: (n) => noise.push(n.toString('latin1')) });
    const stream = Buffer.concat([Buffer.from('boot text\r\n'), frame, frame]);
    for (let i = 0; i < stream.length; i += 3) decoder.push(stream.subarray(i, i + 3));
    expect(frames).toEqual([packet, packet]);
    expect(noise.join('')).toBe('boot text\r\n');
  });

  it('drops a frame with an invalid escape and resynchronises on the next one', () => {
    const frames: Buffer[] = [];
    const decoder = new SlipDecoder({ frame: (f) => frames.push(f) });
    decoder.push(Buffer.from([0xc0, 0x01, 0xdb, 0x99, 0x02, 0xc0, 0xc0, 0x07, 0xc0]));
    expect(frames).toEqual([Buffer.from([0x07])]);
  });
});

describe('packets', () => {
  it('lays out requests and responses as the ROM does', () => {
    expect(encodeRequest(Op.READ_REG, words(0x40001000)).toString('hex')).toBe('000a04000000000000100040');
    expect(decodeRequest(Buffer.from('000a0400000000000010004000', 'hex'))).toBe('request length field says 4 bytes, packet carries 5');
    expect(decodeResponse(Buffer.from('010a0400831df00000000000', 'hex'))).toEqual({ op: 0x0a, value: 0x00f01d83, data: Buffer.alloc(4) });
    expect(decodeResponse(Buffer.from('000a0000', 'hex'))).toBeUndefined();
  });
});

/** The ROM's reply packets to one request. */
async function ask(rom: SimulatedRom, op: number, data: Uint8Array, checksum = 0): Promise<string[]> {
  const { replies } = await rom.handle({ op, data: Buffer.from(data), checksum });
  return replies.map((r) => r.toString('hex'));
}

describe('the simulated ROM', () => {
  it('answers SYNC 8 times with a non-zero value and 4 status bytes', async () => {
    const rom = new SimulatedRom({ chip: chipById('esp32') });
    const replies = await ask(rom, Op.SYNC, SYNC_DATA);
    expect(replies).toEqual(Array(8).fill('010804000707122000000000'));
    expect(await ask(rom, Op.SYNC, SYNC_DATA.subarray(1))).toEqual(['010804000000000001050000']);
  });

  it('reads and writes registers with a mask; the magic register names the chip', async () => {
    const rom = new SimulatedRom({ chip: chipById('esp32c6') });
    expect(await ask(rom, Op.READ_REG, words(0x40001000))).toEqual(['010a04006f80e02c00000000']);
    await ask(rom, Op.WRITE_REG, words(0x60000000, 0xffffffff, 0x0000ff00, 0));
    expect(await ask(rom, Op.READ_REG, words(0x60000000))).toEqual(['010a040000ff000000000000']);
  });

  it('reports security info per chip: 20 bytes with the chip id, 12 on the ESP32-S2, unsupported on the ESP32', async () => {
    const c3 = await ask(new SimulatedRom({ chip: chipById('esp32c3') }), Op.GET_SECURITY_INFO, Buffer.alloc(0));
    // Header (op 14, 24 bytes, value 0), flags, crypt count, 7 key purposes, chip id 5, API version, status.
    expect(c3).toEqual(['01141800' + '00000000' + '00000000' + '00' + '00'.repeat(7) + '05000000' + '00000000' + '00000000']);
    const s2 = await ask(new SimulatedRom({ chip: chipById('esp32s2') }), Op.GET_SECURITY_INFO, Buffer.alloc(0));
    expect(s2[0].slice(4, 8)).toBe('1000');
    const esp32 = await ask(new SimulatedRom({ chip: chipById('esp32') }), Op.GET_SECURITY_INFO, Buffer.alloc(0));
    expect(esp32).toEqual(Array(8).fill('010004000000000001050000'));
  });

  it('erases at FLASH_BEGIN, writes FLASH_DATA at offset + seq x block size, checks the checksum', async () => {
    const rom = new SimulatedRom({ chip: chipById('esp32'), flashSize: 0x100000, flash: Buffer.alloc(0x100000, 0x00) });
    expect(await ask(rom, Op.FLASH_BEGIN, words(0x800, 2, 0x400, 0x2000))).toEqual(['010204000000000000000000']);
    // Whole sectors are erased: 0x2000-0x3000.
    expect(rom.flash.subarray(0x2000, 0x3000).every((b) => b === 0xff)).toBe(true);
    expect(rom.flash[0x1fff]).toBe(0x00);
    expect(rom.flash[0x3000]).toBe(0x00);
    const block = Buffer.alloc(0x400, 0xa5);
    expect(await ask(rom, Op.FLASH_DATA, Buffer.concat([words(0x400, 1, 0, 0), block]), xorChecksum(block) ^ 1)).toEqual(['010304000000000001070000']);
    expect(await ask(rom, Op.FLASH_DATA, Buffer.concat([words(0x400, 1, 0, 0), block]), xorChecksum(block))).toEqual(['010304000000000000000000']);
    expect(rom.flash.subarray(0x2400, 0x2800).equals(block)).toBe(true);
    expect(rom.flash[0x23ff]).toBe(0xff);
    // NOR flash: writing over written bytes can only clear bits.
    const other = Buffer.alloc(0x400, 0x5a);
    await ask(rom, Op.FLASH_DATA, Buffer.concat([words(0x400, 1, 0, 0), other]), xorChecksum(other));
    expect(rom.flash[0x2400]).toBe(0xa5 & 0x5a);
    expect(await ask(rom, Op.FLASH_BEGIN, words(0x1000, 4, 0x400, 0x100800))).toEqual(['010204000000000001060000']);
  });

  it('inflates FLASH_DEFL_DATA in order, reports a corrupt stream as a deflate error, and answers MD5 in hex', async () => {
    const rom = new SimulatedRom({ chip: chipById('esp32c3'), flashSize: 0x100000 });
    const data = Buffer.concat([Buffer.alloc(5000, 1), Buffer.from('mote')]);
    const deflated = zlib.deflateSync(data);
    await ask(rom, Op.FLASH_DEFL_BEGIN, words(0x1400, 1, 0x400, 0x10000, 0));
    expect(await ask(rom, Op.FLASH_DEFL_DATA, Buffer.concat([words(deflated.length, 0, 0, 0), deflated]), xorChecksum(deflated))).toEqual(['011104000000000000000000']);
    expect(rom.flash.subarray(0x10000, 0x10000 + data.length).equals(data)).toBe(true);
    const md5 = createHash('md5').update(data).digest('hex');
    expect(await ask(rom, Op.SPI_FLASH_MD5, words(0x10000, data.length, 0, 0))).toEqual([`01132400000000${'00'}${Buffer.from(md5).toString('hex')}00000000`]);

    await ask(rom, Op.FLASH_DEFL_BEGIN, words(0x1400, 1, 0x400, 0x20000, 0));
    const garbage = Buffer.from('not a zlib stream at all');
    expect(await ask(rom, Op.FLASH_DEFL_DATA, Buffer.concat([words(garbage.length, 0, 0, 0), garbage]), xorChecksum(garbage))).toEqual(['0111040000000000010b0000']);
  });

  it('reads flash 64 bytes at a time and switches baud after replying', async () => {
    const flash = Buffer.alloc(0x100000, 0xff);
    flash.write('hello', 0x3000);
    const rom = new SimulatedRom({ chip: chipById('esp32'), flashSize: 0x100000, flash });
    const [reply] = await ask(rom, Op.READ_FLASH_SLOW, words(0x3000, 5));
    expect(reply.length / 2).toBe(8 + 64 + 4);
    expect(Buffer.from(reply, 'hex').subarray(8, 13).toString()).toBe('hello');
    expect(await ask(rom, Op.READ_FLASH_SLOW, words(0x3000, 65))).toEqual(['010e040000000000010a0000']);
    const result = await rom.handle({ op: Op.CHANGE_BAUDRATE, data: words(921600, 0), checksum: 0 });
    expect(result.newBaudRate).toBe(921600);
    expect(result.replies.map((r) => r.toString('hex'))).toEqual(['010f04000000000000000000']);
  });
});
