/**
 * The simulated ROM bootloader: one ESP chip's download mode as the serial protocol sees it. It takes decoded
 * request packets and returns response packets, keeping flash contents, registers and the state of a
 * write in progress. Framing, line rate, resets and faults are the link's business (link.ts).
 *
 * Behaviour follows the ROM as esptool documents it: 4 status bytes; SYNC answered 8 times; FLASH_BEGIN and
 * FLASH_DEFL_BEGIN erase the region at once; FLASH_DATA is written at offset + seq x block size; deflated data is
 * inflated as it arrives and written in order; SPI_FLASH_MD5 answers 32 lowercase hex characters;
 * READ_FLASH_SLOW answers 64 bytes; the ESP32 does not support GET_SECURITY_INFO (see unsupported()).
 * NOR flash semantics: erase sets bytes to 0xFF, writes can only clear bits.
 */
import { createHash } from 'node:crypto';
import { CHIP_MAGIC_REGISTER, type Chip } from '../../esp-chip/index.js';
import { xorChecksum } from '../../esp-image/app-image.js';
import { Op, RomErrorCode, SYNC_DATA, type Request, encodeResponse } from '../packet.js';
import { BlockInflater } from './inflater.js';

const SECTOR = 0x1000;
/** The value the ROM puts in its SYNC replies (a stub puts 0). */
const SYNC_VALUE = 0x20120707;

export interface RomOptions {
  chip: Chip;
  /** Flash size in bytes (default 4 MiB). */
  flashSize?: number;
  /** Initial flash contents (default: erased, all 0xFF). */
  flash?: Uint8Array;
}

interface Write {
  compressed: boolean;
  offset: number;
  /** Bytes erased at BEGIN; writes must stay inside. */
  size: number;
  blockSize: number;
  inflater?: BlockInflater;
  /** Bytes written so far by a compressed write. */
  written: number;
}

/** What handling one request produced: the response packets, and the baud rate to switch to after sending them. */
export interface RomResult {
  replies: Buffer[];
  newBaudRate?: number;
  /** The ROM left download mode (FLASH_END / FLASH_DEFL_END asking to reboot or run the app). */
  leave?: boolean;
}

export class SimulatedRom {
  readonly chip: Chip;
  readonly flash: Buffer;
  private readonly registers = new Map<number, number>();
  private write: Write | undefined;
  /** Requests handled, by op, for tests to observe. */
  readonly counts = new Map<number, number>();

  constructor(options: RomOptions) {
    this.chip = options.chip;
    this.flash = Buffer.alloc(options.flashSize ?? 4 * 0x100000, 0xff);
    if (options.flash) Buffer.from(options.flash).copy(this.flash);
    this.registers.set(CHIP_MAGIC_REGISTER, options.chip.magicValues[0]);
  }

  /** A reset: whatever write was in progress is abandoned. */
  reset(): void {
    this.write?.inflater?.close();
    this.write = undefined;
  }

  async handle(request: Request): Promise<RomResult> {
    this.counts.set(request.op, (this.counts.get(request.op) ?? 0) + 1);
    const ok = (value = 0, data: Uint8Array = Buffer.alloc(0)) => ({ replies: [this.reply(request.op, value, data, 0)] });
    const fail = (code: number) => ({ replies: [this.reply(request.op, 0, Buffer.alloc(0), code)] });
    const { op, data } = request;
    const u32 = (i: number) => data.readUInt32LE(i * 4);
    const needs = (...lengths: number[]) => lengths.includes(data.length);

    switch (op) {
      case Op.SYNC: {
        if (!data.equals(SYNC_DATA)) return fail(RomErrorCode.INVALID_MESSAGE);
        const reply = this.reply(op, SYNC_VALUE, Buffer.alloc(0), 0);
        return { replies: Array.from({ length: 8 }, () => reply) };
      }
      case Op.READ_REG:
        if (!needs(4)) return fail(RomErrorCode.INVALID_MESSAGE);
        return ok(this.registers.get(u32(0)) ?? 0);
      case Op.WRITE_REG: {
        if (!needs(16)) return fail(RomErrorCode.INVALID_MESSAGE);
        const [address, value, mask] = [u32(0), u32(1), u32(2)];
        const old = this.registers.get(address) ?? 0;
        this.registers.set(address, ((old & ~mask) | (value & mask)) >>> 0);
        return ok();
      }
      case Op.GET_SECURITY_INFO:
        return this.securityInfo(ok);
      case Op.SPI_ATTACH:
        return needs(4, 8) ? ok() : fail(RomErrorCode.INVALID_MESSAGE);
      case Op.SPI_SET_PARAMS:
        return needs(24) ? ok() : fail(RomErrorCode.INVALID_MESSAGE);
      case Op.CHANGE_BAUDRATE: {
        if (!needs(8) || u32(0) === 0) return fail(RomErrorCode.INVALID_MESSAGE);
        return { ...ok(), newBaudRate: u32(0) };
      }
      case Op.FLASH_BEGIN:
      case Op.FLASH_DEFL_BEGIN: {
        if (!needs(16, 20)) return fail(RomErrorCode.INVALID_MESSAGE);
        const [size, , blockSize, offset] = [u32(0), u32(1), u32(2), u32(3)];
        if (offset % SECTOR !== 0 || offset + size > this.flash.length || blockSize === 0) return fail(RomErrorCode.FAILED_TO_ACT);
        this.reset();
        const end = Math.min(this.flash.length, Math.ceil((offset + size) / SECTOR) * SECTOR);
        this.flash.fill(0xff, offset, end);
        const compressed = op === Op.FLASH_DEFL_BEGIN;
        this.write = { compressed, offset, size, blockSize, written: 0, ...(compressed ? { inflater: new BlockInflater() } : {}) };
        return ok();
      }
      case Op.FLASH_DATA:
      case Op.FLASH_DEFL_DATA:
        return this.flashData(request, ok, fail);
      case Op.FLASH_END:
      case Op.FLASH_DEFL_END: {
        if (!needs(4)) return fail(RomErrorCode.INVALID_MESSAGE);
        if (this.write === undefined || this.write.compressed !== (op === Op.FLASH_DEFL_END)) return fail(RomErrorCode.FAILED_TO_ACT);
        this.reset();
        // 0 reboots, 1 runs the user code: either way the loader is left (after replying).
        return { ...ok(), leave: true };
      }
      case Op.SPI_FLASH_MD5: {
        if (!needs(16)) return fail(RomErrorCode.INVALID_MESSAGE);
        const [address, size] = [u32(0), u32(1)];
        if (address + size > this.flash.length) return fail(RomErrorCode.FLASH_READ_ERROR);
        const digest = createHash('md5').update(this.flash.subarray(address, address + size)).digest('hex');
        return ok(0, Buffer.from(digest, 'latin1'));
      }
      case Op.READ_FLASH_SLOW: {
        if (!needs(8)) return fail(RomErrorCode.INVALID_MESSAGE);
        const [address, length] = [u32(0), u32(1)];
        if (length > 64) return fail(RomErrorCode.FLASH_READ_LENGTH_ERROR);
        if (address + length > this.flash.length) return fail(RomErrorCode.FLASH_READ_ERROR);
        const block = Buffer.alloc(64, 0);
        this.flash.copy(block, 0, address, address + length);
        return ok(0, block);
      }
      default:
        return this.unsupported();
    }
  }

  /**
   * A command this ROM does not have: a failed status with error 0x05 under another op than the request's,
   * sent 8 times (what esptool and esptool-js expect; the op byte, 0 here, is mote's assumption).
   */
  private unsupported(): RomResult {
    const reply = this.reply(0x00, 0, Buffer.alloc(0), RomErrorCode.INVALID_MESSAGE);
    return { replies: Array.from({ length: 8 }, () => reply) };
  }

  private securityInfo(ok: (value?: number, data?: Uint8Array) => RomResult): RomResult {
    if (this.chip.id === 'esp32') return this.unsupported();
    // flags u32, flash_crypt_cnt u8, 7 key purposes, then (not on the ESP32-S2) chip_id u32 and api_version u32.
    const info = Buffer.alloc(this.chip.securityChipId === undefined ? 12 : 20, 0);
    if (this.chip.securityChipId !== undefined) info.writeUInt32LE(this.chip.securityChipId, 12);
    return ok(0, info);
  }

  private async flashData(request: Request, ok: () => RomResult, fail: (code: number) => RomResult): Promise<RomResult> {
    const { op, data } = request;
    const write = this.write;
    if (data.length < 16) return fail(RomErrorCode.INVALID_MESSAGE);
    const length = data.readUInt32LE(0);
    const seq = data.readUInt32LE(4);
    const payload = data.subarray(16);
    if (length !== payload.length) return fail(RomErrorCode.INVALID_MESSAGE);
    if (xorChecksum(payload) !== request.checksum) return fail(RomErrorCode.INVALID_CRC);
    if (write === undefined || write.compressed !== (op === Op.FLASH_DEFL_DATA) || length > write.blockSize) return fail(RomErrorCode.FAILED_TO_ACT);
    if (!write.compressed) {
      const at = seq * write.blockSize;
      if (at + length > write.size + write.blockSize) return fail(RomErrorCode.FLASH_WRITE_ERROR);
      this.program(write.offset + at, payload);
      return ok();
    }
    let output: Buffer;
    try {
      output = await write.inflater!.push(payload);
    } catch {
      this.reset();
      return fail(RomErrorCode.DEFLATE_ERROR);
    }
    if (write.written + output.length > write.size) {
      this.reset();
      return fail(RomErrorCode.FLASH_WRITE_ERROR);
    }
    this.program(write.offset + write.written, output);
    write.written += output.length;
    return ok();
  }

  /** NOR flash programming: bits can only go from 1 to 0. */
  private program(address: number, bytes: Uint8Array): void {
    const end = Math.min(this.flash.length, address + bytes.length);
    for (let i = address; i < end; i++) this.flash[i] &= bytes[i - address];
  }

  /** A response: value, data, then the 4 status bytes (status, error, 0, 0). */
  private reply(op: number, value: number, data: Uint8Array, error: number): Buffer {
    const status = Buffer.from([error === 0 ? 0 : 1, error, 0, 0]);
    return encodeResponse(op, value, Buffer.concat([data, status]));
  }
}

