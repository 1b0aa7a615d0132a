/**
 * The ROM loader's operations on top of RomClient: connect (reset + sync), chip detection, baud change, SPI
 * flash set-up, compressed writes, MD5, slow reads and erases. Timeouts follow esptool's: SYNC 0.1 s, MD5 8 s/MB,
 * erase and write 40 s/MB, 3 s at least.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CHIP_MAGIC_REGISTER, type Chip, chipByMagic, chipBySecurityId } from '../esp-chip/index.js';
import { xorChecksum } from '../esp-image/app-image.js';
import { DEFAULT_TIMEOUT_MS, RomClient, RomCommandError } from './client.js';
import { FlashError } from './errors.js';
import { Op, RomErrorCode, SYNC_DATA, words } from './packet.js';
import { type ResetStrategyName, resetIntoDownload } from './reset.js';
import type { Transport } from './transport.js';

/** The ROM writes in blocks of 0x400 bytes. */
export const ROM_BLOCK_SIZE = 0x400;
const SYNC_TIMEOUT_MS = 100;
const MB = 0x100000;

function perMegabyte(secondsPerMb: number, bytes: number): number {
  return Math.max(DEFAULT_TIMEOUT_MS, Math.ceil((secondsPerMb * 1000 * bytes) / MB));
}

export type ResetMode = ResetStrategyName | 'none';

export class RomLoader {
  readonly client: RomClient;
  chip: Chip | undefined;

  constructor(readonly transport: Transport) {
    this.client = new RomClient(transport);
  }

  /** One SYNC: true when the ROM answered. */
  async sync(): Promise<boolean> {
    try {
      await this.client.command(Op.SYNC, SYNC_DATA, { timeoutMs: SYNC_TIMEOUT_MS });
    } catch (error) {
      if (error instanceof FlashError && error.kind !== 'timeout' && error.kind !== 'bad-reply' && error.kind !== 'rom-error') throw error;
      return false;
    }
    // The ROM answers SYNC 8 times; let the extra replies arrive, then drop them.
    await this.client.drain();
    return true;
  }

  /**
   * Resets the chip into download mode (each attempt with the next strategy in `resets`, cycling) and syncs:
   * up to `attempts` attempts of 5 SYNCs. `none` skips the reset: the board must already wait for download.
   * Returns the reset that worked ('none' also when the port has no modem lines to reset with).
   */
  async connect(resets: readonly ResetMode[], attempts = 7): Promise<ResetMode> {
    let lastText = '';
    let noLines: FlashError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const reset = noLines ? 'none' : resets[attempt % resets.length];
      if (reset !== 'none') {
        try {
          await resetIntoDownload(this.transport, reset);
        } catch (error) {
          // A port without modem lines (a pty, some adapters): the board may already wait for download.
          if (!(error instanceof FlashError && error.kind === 'no-modem-lines')) throw error;
          noLines = error;
        }
      }
      for (let i = 0; i < 5; i++) {
        if (await this.sync()) return noLines ? 'none' : reset;
      }
      lastText += this.client.takeText();
    }
    const hint = noLines ? `${noLines.message}: put it in download mode by hand (hold BOOT, press EN)` : undefined;
    throw new FlashError('no-sync', noSyncMessage(this.transport.path, attempts, noLines ? ['none'] : resets, lastText, hint));
  }

  /** Reads a register. */
  async readRegister(address: number): Promise<number> {
    return (await this.client.retried(Op.READ_REG, words(address))).value;
  }

  /** Which chip this is: GET_SECURITY_INFO's chip id where the ROM reports one, else the magic register. */
  async detectChip(): Promise<Chip> {
    try {
      const info = await this.client.retried(Op.GET_SECURITY_INFO, Buffer.alloc(0));
      if (info.data.length >= 20) {
        const id = info.data.readUInt32LE(12);
        const chip = chipBySecurityId(id);
        if (chip === undefined) throw new FlashError('unknown-chip', `the chip reports chip id ${id}, which mote does not support`);
        return (this.chip = chip);
      }
    } catch (error) {
      // ESP32: GET_SECURITY_INFO is an invalid message; fall back to the magic register.
      if (!(error instanceof RomCommandError && error.code === RomErrorCode.INVALID_MESSAGE)) throw error;
    }
    const magic = await this.readRegister(CHIP_MAGIC_REGISTER);
    const chip = chipByMagic(magic);
    if (chip === undefined) throw new FlashError('unknown-chip', `unknown chip: magic register 0x40001000 reads 0x${magic.toString(16).padStart(8, '0')}`);
    return (this.chip = chip);
  }

  /** Switches both ends to `rate`: the ROM replies at the old rate, then both switch. */
  async changeBaudRate(rate: number): Promise<void> {
    await this.client.command(Op.CHANGE_BAUDRATE, words(rate, 0));
    await this.transport.setBaudRate(rate);
    await sleep(50);
    this.client.flushInput();
  }

  /** SPI_ATTACH to the default flash pins, then SPI_SET_PARAMS for a flash of `flashSize` bytes. */
  async attachFlash(flashSize: number): Promise<void> {
    await this.client.retried(Op.SPI_ATTACH, Buffer.alloc(8));
    await this.client.retried(Op.SPI_SET_PARAMS, words(0, flashSize, 64 * 1024, 4 * 1024, 256, 0xffff));
  }

  /** Starts a compressed write of `size` bytes (`compressedSize` once deflated) at `offset`; erases at once. */
  async beginCompressed(size: number, compressedSize: number, offset: number): Promise<number> {
    const blocks = Math.ceil(compressedSize / ROM_BLOCK_SIZE);
    // The ROM takes the size rounded up to whole blocks, and erases it.
    const eraseSize = Math.ceil(size / ROM_BLOCK_SIZE) * ROM_BLOCK_SIZE;
    await this.client.command(Op.FLASH_DEFL_BEGIN, this.beginArgs(eraseSize, blocks, offset), { timeoutMs: perMegabyte(40, eraseSize) });
    return blocks;
  }

  /** Sends block `seq` of a compressed write; the ROM inflates and writes it before replying. */
  async sendCompressedBlock(block: Uint8Array, seq: number, uncompressedGuess: number): Promise<void> {
    const data = Buffer.concat([words(block.length, seq, 0, 0), block]);
    await this.client.command(Op.FLASH_DEFL_DATA, data, { checksum: xorChecksum(block), timeoutMs: perMegabyte(40, uncompressedGuess) });
  }

  /** Starts a plain write of `size` bytes at `offset` in 1 KiB blocks; erases at once. */
  async beginPlain(size: number, offset: number): Promise<number> {
    const blocks = Math.ceil(size / ROM_BLOCK_SIZE);
    await this.client.command(Op.FLASH_BEGIN, this.beginArgs(size, blocks, offset), { timeoutMs: perMegabyte(40, size) });
    return blocks;
  }

  /** Sends block `seq` of a plain write, padded to a whole block with 0xFF; the ROM writes it before replying. */
  async sendPlainBlock(data: Uint8Array, seq: number): Promise<void> {
    const block = Buffer.alloc(ROM_BLOCK_SIZE, 0xff);
    block.set(data);
    await this.client.command(Op.FLASH_DATA, Buffer.concat([words(block.length, seq, 0, 0), block]), { checksum: xorChecksum(block), timeoutMs: perMegabyte(40, ROM_BLOCK_SIZE) });
  }

  /** Erases `size` bytes at `offset` (whole sectors): the ROM has no erase command, but FLASH_BEGIN erases. */
  async erase(offset: number, size: number): Promise<void> {
    await this.client.command(Op.FLASH_BEGIN, this.beginArgs(size, 0, offset), { timeoutMs: perMegabyte(40, size) });
  }

  /** The MD5 of a flash region, as 32 lowercase hex characters. */
  async md5(offset: number, size: number): Promise<string> {
    const reply = await this.client.retried(Op.SPI_FLASH_MD5, words(offset, size, 0, 0), { timeoutMs: perMegabyte(8, size) });
    const text = reply.data.toString('latin1');
    if (!/^[0-9a-f]{32}$/.test(text)) throw new FlashError('bad-reply', `SPI_FLASH_MD5 answered ${JSON.stringify(text)}, not 32 hex characters`);
    return text;
  }

  /** Reads flash 64 bytes at a time (READ_FLASH_SLOW, the ROM's only read). */
  async read(offset: number, size: number, onProgress?: (done: number) => void): Promise<Buffer> {
    const out = Buffer.alloc(size);
    for (let done = 0; done < size; ) {
      const length = Math.min(64, size - done);
      const reply = await this.client.retried(Op.READ_FLASH_SLOW, words(offset + done, length));
      if (reply.data.length < length) throw new FlashError('bad-reply', `READ_FLASH_SLOW answered ${reply.data.length} bytes, asked for ${length}`);
      reply.data.copy(out, done, 0, length);
      done += length;
      onProgress?.(done);
    }
    return out;
  }

  /** FLASH_BEGIN / FLASH_DEFL_BEGIN arguments: the ESP32 ROM takes 4 words, later ROMs a 5th (encrypted: 0). */
  private beginArgs(size: number, blocks: number, offset: number): Buffer {
    return this.chip?.id === 'esp32' ? words(size, blocks, ROM_BLOCK_SIZE, offset) : words(size, blocks, ROM_BLOCK_SIZE, offset, 0);
  }

  close(): void {
    this.client.close();
  }
}

function noSyncMessage(path: string, attempts: number, resets: readonly ResetMode[], text: string, noLines?: string): string {
  const how = resets.includes('none') && resets.length === 1 ? 'without a reset' : `after ${resets.join(' / ')} resets`;
  let hint = 'check the port, hold BOOT while pressing EN (RESET) to enter download mode, or lower --baud';
  if (/boot:0x[0-9a-f]+ \(SPI_FAST_FLASH_BOOT\)/i.test(text)) hint = 'the chip booted its app instead of the download mode: hold BOOT while pressing EN (RESET)';
  else if (/waiting for download/.test(text)) hint = 'the chip says it waits for download but does not answer: check the wiring and the baud rate';
  else if (noLines) hint = noLines;
  return `no sync with the ROM bootloader on ${path} (${attempts} attempts ${how}): ${hint}`;
}
