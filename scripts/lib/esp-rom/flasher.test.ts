// The flasher against the simulated ROM bootloader, over a real pseudo-terminal pair opened by serialport.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { chipById } from '../esp-chip/index.js';
import { serializeAppImage } from '../esp-image/index.js';
import { FlashError } from './errors.js';
import { type FlashOptions, type FlashProgress, FlashSessionError, flash } from './flasher.js';
import { Op } from './packet.js';
import { type Fault, SimulatedEsp, type SimulatedEspOptions, wireLines } from './sim/index.js';
import { openSerialTransport, type Transport } from './transport.js';

const MB = 0x100000;
const open: { esp: SimulatedEsp; transport: Transport }[] = [];

afterEach(async () => {
  for (const { esp, transport } of open.splice(0)) {
    await transport.close();
    await esp.close();
  }
});

async function board(options: Partial<SimulatedEspOptions> & { faults?: Fault[] } = {}) {
  const esp = await SimulatedEsp.start({ chip: chipById('esp32'), ...options });
  const transport = wireLines(await openSerialTransport(esp.path, 115200), esp);
  open.push({ esp, transport });
  return { esp, transport };
}

/** Bytes that look random but are the same every run (so the MD5 a fault corrupts is always the same). */
function noise(length: number, seed: string): Buffer {
  const blocks = Array.from({ length: Math.ceil(length / 32) }, (_, i) => createHash('sha256').update(`${seed}${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
}

// Its MD5 starts with 0-9 or b-e, which the 'corrupt-reply' fault's flipped low bit keeps a hex digit.
const bootloader = serializeAppImage({ chip: chipById('esp32'), entry: 0x40080000, segments: [{ loadAddress: 0x3fff0000, data: noise(6 * 1024, 'boot') }] });
const app = Buffer.concat([Buffer.alloc(40 * 1024, 0x11), noise(8 * 1024, 'app'), Buffer.from('end')]);
const regions = [
  { name: 'bootloader.bin', offset: 0x1000, data: bootloader },
  { name: 'app.bin', offset: 0x10000, data: app },
];
const base: FlashOptions = { regions, flashSize: 4 * MB, baudRate: 921600, resets: ['classic'] };

function holds(esp: SimulatedEsp, offset: number, data: Uint8Array): boolean {
  return esp.flash.subarray(offset, offset + data.length).equals(data);
}

const count = (esp: SimulatedEsp, op: number) => esp.rom.counts.get(op) ?? 0;

describe('flash over a pty to the simulated ROM', () => {
  it('resets (classic), syncs, detects, raises the baud rate, writes deflated, verifies and resets into the app', async () => {
    const { esp, transport } = await board();
    const events: FlashProgress[] = [];
    const result = await flash(transport, { ...base, expectChip: chipById('esp32'), onProgress: (p) => events.push(p) });
    expect(result).toMatchObject({ chip: 'ESP32', baudRate: 921600, reset: 'hard' });
    expect(result.regions.map((r) => [r.name, r.status, r.size])).toEqual([
      ['bootloader.bin', 'written', 6192],
      ['app.bin', 'written', 49155 + 1],
    ]);
    // Padded to whole words with 0xFF, and the MD5 reported is the one of what is in flash.
    expect(holds(esp, 0x1000, bootloader)).toBe(true);
    expect(holds(esp, 0x10000, app)).toBe(true);
    expect(esp.flash.subarray(0x10000 + app.length, 0x10000 + app.length + 2)).toEqual(Buffer.from([0xff, 0xff]));
    expect(result.regions[1].md5).toBe(createHash('md5').update(esp.flash.subarray(0x10000, 0x10000 + 49156)).digest('hex'));
    // The compressible app went over the line in far fewer bytes than it has.
    expect(result.regions[1].sentBytes).toBeLessThan(app.length / 4);
    await new Promise((resolve) => setTimeout(resolve, 50)); // EN rises a moment after RTS is released
    expect(esp.events).toEqual(['reset', 'boot download', 'baud 921600', 'reset', 'boot app']);
    expect(esp.state).toBe('app');
    expect(events[0]).toEqual({ phase: 'connecting', port: esp.path });
    expect(events[1]).toEqual({ phase: 'connected', chip: 'ESP32', baudRate: 921600, reset: 'classic' });
    const writes = events.filter((e) => e.phase === 'writing' && e.region === 'app.bin');
    expect(writes.at(-1)).toMatchObject({ done: 49156, total: 49156 });
    expect(events.at(-1)).toEqual({ phase: 'resetting' });
  });

  it('has test images of known MD5s', () => {
    expect(createHash('md5').update(bootloader).digest('hex')).toMatch(/^[0-9b-e]/);
  });

  it('writes uncompressed with FLASH_BEGIN / FLASH_DATA when asked', async () => {
    const { esp, transport } = await board();
    const result = await flash(transport, { ...base, compress: false, after: 'stay' });
    expect(result.regions.map((r) => r.status)).toEqual(['written', 'written']);
    expect(holds(esp, 0x1000, bootloader) && holds(esp, 0x10000, app)).toBe(true);
    expect(count(esp, Op.FLASH_DATA)).toBe(Math.ceil(bootloader.length / 0x400) + Math.ceil(49156 / 0x400));
    expect(count(esp, Op.FLASH_DEFL_DATA)).toBe(0);
    // The last block is padded with 0xFF, which leaves the erased flash after the image as it was.
    expect(esp.flash.subarray(0x10000 + 49156, 0x10000 + 50 * 1024).every((b) => b === 0xff)).toBe(true);
  });

  it('skips regions the flash already holds', async () => {
    const { esp, transport } = await board();
    await flash(transport, { ...base, after: 'stay' });
    const written = count(esp, Op.FLASH_DEFL_DATA);
    const changed = Buffer.from(app);
    changed[100] ^= 0xff;
    const again = await flash(transport, { ...base, regions: [regions[0], { ...regions[1], data: changed }] });
    expect(again.regions.map((r) => r.status)).toEqual(['skipped', 'written']);
    expect(holds(esp, 0x10000, changed)).toBe(true);
    expect(count(esp, Op.FLASH_DEFL_DATA) - written).toBe(Math.ceil(again.regions[1].sentBytes / 0x400));
  });

  it('resets a USB-Serial/JTAG chip with its own sequence, after the classic one fails, and tells the chip by its security info', async () => {
    const { esp, transport } = await board({ chip: chipById('esp32c3'), circuit: 'usb-serial-jtag' });
    const result = await flash(transport, { ...base, regions: [regions[1]], resets: ['classic', 'usb-serial-jtag'], after: 'stay' });
    expect(result.chip).toBe('ESP32-C3');
    expect(esp.events.slice(0, 4)).toEqual(['reset', 'boot app', 'reset', 'boot download']);
    expect(count(esp, Op.GET_SECURITY_INFO)).toBe(1);
    expect(count(esp, Op.READ_REG)).toBe(0);
    expect(holds(esp, 0x10000, app)).toBe(true);
  });

  it('tells an ESP32-S2 by its magic register (its security info has no chip id)', async () => {
    const { transport } = await board({ chip: chipById('esp32s2') });
    const result = await flash(transport, { ...base, regions: [regions[1]], after: 'stay' });
    expect(result.chip).toBe('ESP32-S2');
  });

  it('refuses the wrong chip before writing anything', async () => {
    const { esp, transport } = await board({ chip: chipById('esp32c6') });
    const error = await flash(transport, { ...base, expectChip: chipById('esp32'), boardName: 'esp32-devkitc' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlashError);
    expect((error as FlashError).kind).toBe('wrong-chip');
    expect((error as Error).message).toBe(`wrong chip: board esp32-devkitc has an ESP32, but the chip on ${esp.path} is an ESP32-C6; pick the right --board (or port)`);
    expect(count(esp, Op.FLASH_DEFL_BEGIN)).toBe(0);
    expect(esp.flash.every((b) => b === 0xff)).toBe(true);
  });

  it('reports no sync when nothing answers, and when the chip boots its app', async () => {
    const mute = await board({ mute: true });
    const error = await flash(mute.transport, { ...base, connectAttempts: 2 }).catch((e: unknown) => e as FlashError);
    expect(error).toMatchObject({ kind: 'no-sync' });
    expect((error as Error).message).toMatch(/^no sync with the ROM bootloader on \/dev\/pts\/\d+ \(2 attempts after classic resets\): check the port, hold BOOT/);

    const wrongSequence = await board({ circuit: 'usb-serial-jtag' });
    const booted = await flash(wrongSequence.transport, { ...base, resets: ['classic'], connectAttempts: 2 }).catch((e: unknown) => e as FlashError);
    expect((booted as Error).message).toMatch(/the chip booted its app instead of the download mode: hold BOOT while pressing EN \(RESET\)$/);
  }, 20_000);

  it('refuses an app image built for another chip than the one connected', async () => {
    const { esp, transport } = await board({ chip: chipById('esp32c3') });
    const error = await flash(transport, base).catch((e: unknown) => e as FlashError);
    expect(error).toMatchObject({ kind: 'wrong-chip', message: 'wrong chip: bootloader.bin is built for the ESP32, but the connected chip is an ESP32-C3' });
    expect(count(esp, Op.FLASH_DEFL_BEGIN)).toBe(0);
  });

  it('rejects regions that do not fit or overlap before connecting', async () => {
    const { esp, transport } = await board();
    await expect(flash(transport, { ...base, flashSize: 0x10000 })).rejects.toThrow('app.bin (49155 bytes at 0x10000) ends at 0x1c003, past the 0.0625MB flash');
    await expect(flash(transport, { ...base, regions: [{ ...regions[0], data: Buffer.alloc(0x10000) }, regions[1]] })).rejects.toThrow('bootloader.bin (0x1000-0x11000) overlaps app.bin at 0x10000');
    await expect(flash(transport, { ...base, regions: [{ ...regions[0], offset: 0x1800 }] })).rejects.toThrow('bootloader.bin at 0x1800: offset is not on a 4 KiB sector (the ROM erases whole sectors)');
    expect(esp.events).toEqual([]);
  });
});

describe('fault injection', () => {
  async function flashWith(faults: Fault[], options: Partial<FlashOptions> = {}) {
    const { esp, transport } = await board({ faults });
    const events: FlashProgress[] = [];
    const result = await flash(transport, { ...base, after: 'stay', onProgress: (p) => events.push(p), ...options }).catch((e: unknown) => e as FlashError);
    return { esp, result, retries: events.filter((e) => e.phase === 'retrying') };
  }

  it('recovers from a lost, a corrupted and a cut reply, and from a corrupted request', async () => {
    const cases: [Fault, RegExp][] = [
      [{ op: Op.FLASH_DEFL_DATA, nth: 3, action: 'lose-reply' }, /no reply to FLASH_DEFL_DATA within \d+ ms/],
      [{ op: Op.FLASH_DEFL_DATA, nth: 2, action: 'corrupt-request' }, /FLASH_DEFL_DATA failed: ROM error 0x07 \(checksum \(CRC\) error\)/],
      [{ op: Op.FLASH_DEFL_DATA, nth: 4, action: 'drop-reply-byte' }, /no reply to FLASH_DEFL_DATA within/],
      // MD5 #1 is the skip check of the bootloader, #2 verifies it: a flipped digest reads as a mismatch.
      [{ op: Op.SPI_FLASH_MD5, nth: 2, action: 'corrupt-reply' }, /^MD5 mismatch after writing bootloader\.bin at 0x1000/],
    ];
    for (const [fault, reason] of cases) {
      const { esp, result, retries } = await flashWith([fault]);
      expect(result, String(result)).not.toBeInstanceOf(Error);
      expect(esp.faults.fired).toHaveLength(1);
      expect(result).not.toBeInstanceOf(Error);
      expect(retries).toHaveLength(1);
      expect(retries[0].phase === 'retrying' && retries[0].reason).toMatch(reason);
      expect(holds(esp, 0x1000, bootloader) && holds(esp, 0x10000, app)).toBe(true);
    }
  }, 30_000);

  it('rides out repeated command replies that are lost, cut or slow', async () => {
    const { esp, result } = await flashWith([
      { op: Op.SYNC, nth: 1, count: 3, action: 'lose-request' },
      { op: Op.READ_REG, action: 'drop-reply-byte' },
      { op: Op.SPI_ATTACH, action: 'lose-reply' },
      { op: Op.SPI_FLASH_MD5, nth: 3, action: 'slow-reply', delayMs: 500 },
    ]);
    expect(result).not.toBeInstanceOf(Error);
    expect(esp.faults.fired).toEqual(['SYNC#1 lose-request', 'SYNC#2 lose-request', 'SYNC#3 lose-request', 'READ_REG#1 drop-reply-byte', 'SPI_ATTACH#1 lose-reply', 'SPI_FLASH_MD5#3 slow-reply']);
    expect(holds(esp, 0x10000, app)).toBe(true);
  }, 20_000);

  it('reports a region left half-written, with what was done and what was not', async () => {
    const { esp, result } = await flashWith([{ op: Op.FLASH_DEFL_DATA, nth: 10, count: Infinity, action: 'lose-reply' }]);
    expect(result).toBeInstanceOf(FlashSessionError);
    const error = result as FlashSessionError;
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(
      /^writing app\.bin at 0x10000: no reply to FLASH_DEFL_DATA within \d+ ms; HALF-WRITTEN \(flash again\): app\.bin at 0x10000; written and verified: bootloader\.bin at 0x1000$/,
    );
    expect(error.regions.map((r) => r.status)).toEqual(['written', 'half-written']);
    expect(holds(esp, 0x10000, app)).toBe(false);
  }, 30_000);

  it('gives up with the ROM error when every data block arrives corrupted', async () => {
    const { esp, result } = await flashWith([{ op: Op.FLASH_DEFL_DATA, count: Infinity, action: 'corrupt-request' }], { regions: [regions[1]] });
    expect(result).toBeInstanceOf(FlashSessionError);
    expect((result as FlashError).kind).toBe('rom-error');
    expect((result as Error).message).toBe(
      'writing app.bin at 0x10000: FLASH_DEFL_DATA failed: ROM error 0x07 (checksum (CRC) error); HALF-WRITTEN (flash again): app.bin at 0x10000',
    );
    // Two attempts, each stopped at its first block.
    expect(esp.faults.fired).toEqual(['FLASH_DEFL_DATA#1 corrupt-request', 'FLASH_DEFL_DATA#2 corrupt-request']);
  }, 20_000);

  it('gives up with an MD5 mismatch when every verification disagrees', async () => {
    const { result } = await flashWith([{ op: Op.SPI_FLASH_MD5, nth: 2, count: Infinity, action: 'corrupt-reply' }], { regions: [regions[0]] });
    expect(result).toBeInstanceOf(FlashSessionError);
    expect((result as FlashError).kind).toBe('md5-mismatch');
    expect((result as Error).message).toMatch(/^MD5 mismatch after writing bootloader\.bin at 0x1000: flash has [0-9a-f]{32}, file has [0-9a-f]{32}; HALF-WRITTEN \(flash again\): bootloader\.bin at 0x1000$/);
  }, 20_000);
});
