/**
 * A flashing session: connect, detect and check the chip, raise the baud rate, then for each region skip it
 * when the flash already holds it (MD5), else erase-and-write it deflated and verify its MD5; finally reset
 * into the app. Every failure is a FlashError; when one happens after writing began, `FlashSessionError.regions`
 * says which regions were written and verified, which was left half-written and which were not touched.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { type Chip, imageChipName } from '../esp-chip/index.js';
import { FlashError } from './errors.js';
import { type ResetMode, ROM_BLOCK_SIZE, RomLoader } from './loader.js';
import { Op, words } from './packet.js';
import { hardResetChip } from './reset.js';
import type { Transport } from './transport.js';

export interface FlashRegion {
  /** What the user calls it (a file name). */
  name: string;
  offset: number;
  data: Uint8Array;
}

export type RegionStatus = 'written' | 'skipped' | 'half-written' | 'not-started';

export interface RegionResult {
  name: string;
  offset: number;
  size: number;
  md5: string;
  status: RegionStatus;
  /** Deflated bytes sent (0 when skipped). */
  sentBytes: number;
  ms: number;
}

export type FlashProgress =
  | { phase: 'connecting'; port: string }
  | { phase: 'connected'; chip: string; baudRate: number; reset: ResetMode }
  | { phase: 'writing'; region: string; offset: number; done: number; total: number }
  | { phase: 'verified' | 'skipped'; region: string; offset: number; total: number }
  | { phase: 'retrying'; region: string; reason: string }
  | { phase: 'resetting' };

/** How to reach the chip: shared by flash, erase and read. */
export interface SessionOptions {
  /** The chip the board should have: anything else fails with 'wrong-chip' before a byte is written. */
  expectChip?: Chip;
  /** Names the expected chip's board in errors. */
  boardName?: string;
  flashSize: number;
  /** Baud rate for the transfer (the ROM starts at 115200). */
  baudRate?: number;
  /** Reset strategies for connecting, tried in turn (default: classic, then USB-Serial/JTAG). */
  resets?: ResetMode[];
  /** Connection attempts (default 7), each a reset and 5 SYNCs. */
  connectAttempts?: number;
  onProgress?: (progress: FlashProgress) => void;
}

export interface FlashOptions extends SessionOptions {
  regions: FlashRegion[];
  /** After writing: reset into the app (default) or stay in the loader. */
  after?: 'reset' | 'stay';
  /** Skip regions the flash already holds (default true). */
  skipIdentical?: boolean;
  /** Send the data deflated (default true; false writes it as is, FLASH_BEGIN/FLASH_DATA). */
  compress?: boolean;
  /** Writes of a region tried before giving up (default 2). */
  attempts?: number;
}

export interface Session {
  loader: RomLoader;
  chip: Chip;
  baudRate: number;
}

/**
 * Connects (reset and sync), detects the chip and refuses another than `expectChip`, raises the baud rate and
 * attaches the SPI flash. The caller closes `session.loader`.
 */
export async function openSession(transport: Transport, options: SessionOptions): Promise<Session> {
  const progress = options.onProgress ?? (() => undefined);
  const loader = new RomLoader(transport);
  try {
    progress({ phase: 'connecting', port: transport.path });
    // A reset chip talks at the ROM's rate, whatever an earlier session switched to.
    await transport.setBaudRate(115200);
    const reset = await loader.connect(options.resets ?? ['classic', 'usb-serial-jtag'], options.connectAttempts);
    const chip = await loader.detectChip();
    if (options.expectChip && chip.id !== options.expectChip.id) {
      const board = options.boardName ? `board ${options.boardName} has an ${options.expectChip.name}` : `expected an ${options.expectChip.name}`;
      throw new FlashError('wrong-chip', `wrong chip: ${board}, but the chip on ${transport.path} is an ${chip.name}; pick the right --board (or port)`);
    }
    const baudRate = options.baudRate ?? 115200;
    if (baudRate !== 115200) await loader.changeBaudRate(baudRate);
    progress({ phase: 'connected', chip: chip.name, baudRate, reset });
    await loader.attachFlash(options.flashSize);
    return { loader, chip, baudRate };
  } catch (error) {
    loader.close();
    throw error;
  }
}

export interface FlashResult {
  port: string;
  chip: string;
  baudRate: number;
  regions: RegionResult[];
  /** How the chip was restarted afterwards: 'hard' (EN pulsed), 'soft' (ROM told to run the app), or 'none'. */
  reset: 'hard' | 'soft' | 'none';
  ms: number;
}

export class FlashSessionError extends FlashError {
  constructor(
    cause: FlashError,
    readonly regions: RegionResult[],
  ) {
    super(cause.kind, `${cause.message}${describeState(regions)}`);
  }
}

function describeState(regions: RegionResult[]): string {
  const by = (s: RegionStatus) => regions.filter((r) => r.status === s).map((r) => `${r.name} at 0x${r.offset.toString(16)}`);
  const parts: string[] = [];
  if (by('half-written').length > 0) parts.push(`HALF-WRITTEN (flash again): ${by('half-written').join(', ')}`);
  const done = [...by('written'), ...by('skipped')];
  if (done.length > 0) parts.push(`written and verified: ${done.join(', ')}`);
  if (by('not-started').length > 0) parts.push(`not written: ${by('not-started').join(', ')}`);
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** Checks the regions fit the flash, start on sector boundaries and do not overlap. Throws FlashError. */
export function checkRegions(regions: readonly FlashRegion[], flashSize: number): void {
  const sorted = [...regions].sort((a, b) => a.offset - b.offset);
  sorted.forEach((r, i) => {
    if (r.offset % 0x1000 !== 0) throw new FlashError('image', `${r.name} at ${hex(r.offset)}: offset is not on a 4 KiB sector (the ROM erases whole sectors)`);
    if (r.data.length === 0) throw new FlashError('image', `${r.name} is empty`);
    if (r.offset + r.data.length > flashSize) {
      throw new FlashError('too-big', `${r.name} (${r.data.length} bytes at ${hex(r.offset)}) ends at ${hex(r.offset + r.data.length)}, past the ${flashSize / 0x100000}MB flash`);
    }
    const next = sorted[i + 1];
    if (next && r.offset + r.data.length > next.offset) throw new FlashError('image', `${r.name} (${hex(r.offset)}-${hex(r.offset + r.data.length)}) overlaps ${next.name} at ${hex(next.offset)}`);
  });
}

/** Refuses app images (0xE9) whose header names another chip than the one connected. */
function checkImageChips(regions: readonly FlashRegion[], chip: Chip): void {
  for (const r of regions) {
    if (r.data[0] !== 0xe9 || r.data.length < 24) continue;
    const id = r.data[12] | (r.data[13] << 8);
    if (id !== chip.imageChipId) {
      throw new FlashError('wrong-chip', `wrong chip: ${r.name} is built for the ${imageChipName(id)}, but the connected chip is an ${chip.name}`);
    }
  }
}

/** Pads to a multiple of 4 bytes with 0xFF, as the ROM writes words. */
function padded(data: Uint8Array): Buffer {
  const extra = (4 - (data.length % 4)) % 4;
  return Buffer.concat([Buffer.from(data), Buffer.alloc(extra, 0xff)]);
}

export async function flash(transport: Transport, options: FlashOptions): Promise<FlashResult> {
  checkRegions(options.regions, options.flashSize);
  const session = await openSession(transport, options);
  try {
    return await writeRegions(session, transport, options);
  } finally {
    session.loader.close();
  }
}

/** Writes the regions over an open session (see flash), then resets as `options.after` says. */
export async function writeRegions(session: Session, transport: Transport, options: Omit<FlashOptions, keyof SessionOptions> & Pick<SessionOptions, 'onProgress'>): Promise<FlashResult> {
  const started = performance.now();
  const { loader, chip, baudRate } = session;
  const progress = options.onProgress ?? (() => undefined);
  const regions = options.regions.map((r) => ({ ...r, data: padded(r.data) }));
  const results: RegionResult[] = regions.map((r) => ({
    name: r.name,
    offset: r.offset,
    size: r.data.length,
    md5: createHash('md5').update(r.data).digest('hex'),
    status: 'not-started' as RegionStatus,
    sentBytes: 0,
    ms: 0,
  }));
  try {
    checkImageChips(options.regions, chip);
    for (let i = 0; i < regions.length; i++) {
      await writeRegion(loader, regions[i], results[i], options, progress);
    }
    let reset: FlashResult['reset'] = 'none';
    if ((options.after ?? 'reset') === 'reset') {
      progress({ phase: 'resetting' });
      reset = await restart(loader, transport);
    }
    return { port: transport.path, chip: chip.name, baudRate, regions: results, reset, ms: Math.round(performance.now() - started) };
  } catch (error) {
    if (error instanceof FlashError && results.some((r) => r.status !== 'not-started')) throw new FlashSessionError(error, results);
    throw error;
  }
}

async function writeRegion(
  loader: RomLoader,
  region: { name: string; offset: number; data: Buffer },
  result: RegionResult,
  options: { skipIdentical?: boolean; attempts?: number; compress?: boolean },
  progress: (p: FlashProgress) => void,
): Promise<void> {
  const started = performance.now();
  const total = region.data.length;
  if ((options.skipIdentical ?? true) && (await loader.md5(region.offset, total)) === result.md5) {
    result.status = 'skipped';
    result.ms = Math.round(performance.now() - started);
    progress({ phase: 'skipped', region: region.name, offset: region.offset, total });
    return;
  }
  const compress = options.compress ?? true;
  const sent = compress ? zlib.deflateSync(region.data, { level: 9 }) : region.data;
  const attempts = options.attempts ?? 2;
  for (let attempt = 1; ; attempt++) {
    try {
      const blocks = compress ? await loader.beginCompressed(total, sent.length, region.offset) : await loader.beginPlain(total, region.offset);
      result.status = 'half-written';
      for (let seq = 0; seq < blocks; seq++) {
        const block = sent.subarray(seq * ROM_BLOCK_SIZE, (seq + 1) * ROM_BLOCK_SIZE);
        if (compress) await loader.sendCompressedBlock(block, seq, Math.min(total, ROM_BLOCK_SIZE * 8));
        else await loader.sendPlainBlock(block, seq);
        result.sentBytes += block.length;
        const done = seq + 1 === blocks ? total : Math.floor((total * (seq + 1)) / blocks);
        progress({ phase: 'writing', region: region.name, offset: region.offset, done, total });
      }
      const md5 = await loader.md5(region.offset, total);
      if (md5 !== result.md5) {
        throw new FlashError('md5-mismatch', `MD5 mismatch after writing ${region.name} at ${hex(region.offset)}: flash has ${md5}, file has ${result.md5}`);
      }
      result.status = 'written';
      result.ms = Math.round(performance.now() - started);
      progress({ phase: 'verified', region: region.name, offset: region.offset, total });
      return;
    } catch (error) {
      if (!(error instanceof FlashError) || attempt >= attempts) {
        if (error instanceof FlashError && error.kind !== 'md5-mismatch') {
          throw new FlashError(error.kind, `writing ${region.name} at ${hex(region.offset)}: ${error.message}`);
        }
        throw error;
      }
      progress({ phase: 'retrying', region: region.name, reason: error.message });
      // A lost reply can leave the ROM mid-command: let it settle, then start the region over (BEGIN erases again).
      await new Promise((resolve) => setTimeout(resolve, 100));
      loader.client.flushInput();
    }
  }
}

/** Hard reset through RTS; where the port has no modem lines, ask the ROM to run the app instead. */
export async function restart(loader: RomLoader, transport: Transport): Promise<FlashResult['reset']> {
  try {
    await hardResetChip(transport);
    return 'hard';
  } catch (error) {
    if (!(error instanceof FlashError && error.kind === 'no-modem-lines')) throw error;
  }
  // esptool's soft reset for the ROM: an empty FLASH_BEGIN, then FLASH_END with 1 (run the user code).
  await loader.erase(0, 0);
  await loader.client.command(Op.FLASH_END, words(1));
  return 'soft';
}
