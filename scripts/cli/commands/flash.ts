/**
 * `mote flash [offset file]... [--engine name --engine-dir dir] [--partition-table] [--port p] [--board id] [--baud n]
 *  [--before auto|classic|usb-serial-jtag|no-reset] [--after reset|stay] [--force] [--json]`:
 * writes images to a board through its ROM bootloader, verifying each region's MD5, skipping regions
 * the flash already holds. The port and board are found from the USB bridge when not given.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { addJsonOption, printResult } from '../json.js';
import type { Board } from '../../../boards/index.js';
import type { FlashProgress, FlashRegion, FlashResult, Session } from '../../lib/esp-rom/flasher.js';
import type { Transport } from '../../lib/esp-rom/transport.js';
import type { ResetMode } from '../../lib/esp-rom/loader.js';

interface FlashOptions extends SessionCliOptions {
  engine?: string;
  engineDir?: string;
  partitionTable?: boolean;
  force?: boolean;
  compress: boolean;
}

const befores: Record<string, ResetMode[]> = {
  auto: ['classic', 'usb-serial-jtag'],
  classic: ['classic'],
  'usb-serial-jtag': ['usb-serial-jtag'],
  'no-reset': ['none'],
};

function parseOffset(text: string): number {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw new UsageError(`expected a flash offset such as 0x10000, got "${text}"`);
  return Number(text);
}

function readImage(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The regions to write: `offset file` pairs, the engine's images and the partition table from the board definition. */
async function regionsFrom(pairs: string[], options: FlashOptions, board: Board | undefined): Promise<FlashRegion[]> {
  if (pairs.length % 2 !== 0) throw new UsageError('give images as pairs: <offset> <file> ...');
  const regions: FlashRegion[] = [];
  for (let i = 0; i < pairs.length; i += 2) regions.push({ offset: parseOffset(pairs[i]), name: pairs[i + 1], data: readImage(pairs[i + 1]) });
  if (options.engine !== undefined || options.engineDir !== undefined) {
    if (options.engine === undefined || options.engineDir === undefined) throw new UsageError('--engine and --engine-dir go together');
    if (options.engine !== 'espruino' && options.engine !== 'moddable') throw new UsageError(`--engine must be espruino or moddable, got "${options.engine}"`);
    if (board === undefined) throw new UsageError('--engine needs --board (its definition lists the images and their offsets)');
    const images = board.engines[options.engine];
    if (images === undefined) throw new CliError(`board ${board.id} has no ${options.engine} images (engines: ${Object.keys(board.engines).join(', ')})`);
    for (const image of images) {
      const file = path.join(options.engineDir, image.file);
      regions.push({ offset: image.offset, name: file, data: readImage(file) });
    }
  }
  if (options.partitionTable) {
    if (board === undefined) throw new UsageError('--partition-table needs --board (its definition holds the layout)');
    const { serializePartitionTable, PARTITION_TABLE_OFFSET } = await import('../../lib/esp-image/index.js');
    regions.push({ offset: PARTITION_TABLE_OFFSET, name: `partition table of ${board.id}`, data: serializePartitionTable(board.partitions) });
  }
  if (regions.length === 0) throw new UsageError('nothing to flash: give <offset> <file> pairs, --engine with --engine-dir, or --partition-table');
  return regions;
}

/** Checks every app image (0xE9) and partition table among the regions before touching the board. */
async function checkImages(regions: FlashRegion[], board: Board | undefined): Promise<void> {
  const { parseAppImage, checkImageChip, parsePartitionTable, checkLayout, PARTITION_TABLE_OFFSET } = await import('../../lib/esp-image/index.js');
  const { chipById } = await import('../../lib/esp-chip/index.js');
  const { flashBytes } = await import('../../../boards/index.js');
  for (const region of regions) {
    try {
      if (region.offset === PARTITION_TABLE_OFFSET) {
        const problems = checkLayout(parsePartitionTable(region.data).partitions, board ? flashBytes(board) : undefined);
        if (problems.length > 0) throw new Error(problems.join('; '));
      } else if (region.data[0] === 0xe9) {
        const image = parseAppImage(region.data);
        if (board) checkImageChip(image, chipById(board.chip));
      }
    } catch (error) {
      throw new CliError(`${region.name}: ${(error as Error).message}`);
    }
  }
}

/** The port to use: --port, else the one USB serial port whose bridge an ESP board uses (the board's, if given); with its "vid:pid" when known. */
export async function choosePort(port: string | undefined, board: Board | undefined): Promise<{ path: string; usb?: string }> {
  const { listPorts } = await import('../../lib/esp-serial/ports.js');
  const { detectPorts, loadBoards } = await import('../../../boards/index.js');
  const { ports: found, note } = await listPorts();
  const detected = detectPorts(found, loadBoards());
  if (port !== undefined) {
    const usb = detected.find((p) => p.path === port)?.usb;
    return usb === undefined ? { path: port } : { path: port, usb };
  }
  const candidates = detected.filter((p) => p.bridge !== undefined && (board === undefined || p.boards.includes(board.id)));
  if (candidates.length === 1) return { path: candidates[0].path, usb: candidates[0].usb! };
  if (candidates.length === 0) {
    const what = board ? `board ${board.id}` : 'an ESP board';
    throw new CliError(`no port: found no USB serial port for ${what}${note ? ` (${note})` : ''}; pass --port`);
  }
  throw new UsageError(`several ports could be the board (${candidates.map((p) => `${p.path} ${p.bridge}`).join(', ')}): pass --port`);
}

/** The USB-Serial/JTAG controller (303a:1001) wants its own reset sequence first, as esptool does. */
function resetOrder(before: string, resets: ResetMode[], usb: string | undefined): ResetMode[] {
  return before === 'auto' && usb === '303a:1001' ? ['usb-serial-jtag', 'classic'] : resets;
}

/** --board, else "board" in mote.config.json, else none. */
export async function chooseBoard(id: string | undefined): Promise<Board | undefined> {
  const { boardById, BoardError } = await import('../../../boards/index.js');
  let wanted = id;
  if (wanted === undefined) {
    const { loadConfig } = await import('../../../firmware/build/config.js');
    wanted = (await loadConfig(process.cwd()).catch(() => ({ board: undefined }))).board;
    if (wanted === undefined) return undefined;
  }
  try {
    return boardById(wanted);
  } catch (error) {
    if (error instanceof BoardError) throw new UsageError(error.message);
    throw error;
  }
}

/** Progress on stderr: a redrawn bar on a terminal, a line per region and per quarter otherwise. */
export function progressPrinter(io: CliIO, tty: boolean): (p: FlashProgress) => void {
  let regionStart = 0;
  let lastQuarter = -1;
  const kb = (bytesPerSecond: number) => `${(bytesPerSecond / 1024).toFixed(1)} KiB/s`;
  return (p) => {
    switch (p.phase) {
      case 'connecting':
        io.err(`connecting to ${p.port}...\n`);
        break;
      case 'connected':
        io.err(`connected: ${p.chip}, ${p.baudRate} baud${p.reset === 'none' ? ' (no reset: the board was already in download mode)' : ''}\n`);
        break;
      case 'writing': {
        if (regionStart === 0 || p.done <= 0) regionStart = Date.now();
        const seconds = Math.max((Date.now() - regionStart) / 1000, 0.001);
        const rate = p.done / seconds;
        const eta = rate > 0 ? Math.ceil((p.total - p.done) / rate) : 0;
        const fraction = p.done / p.total;
        if (tty) {
          const filled = Math.round(fraction * 30);
          io.err(`\r${p.region} [${'#'.repeat(filled)}${'-'.repeat(30 - filled)}] ${Math.floor(fraction * 100)}% ${kb(rate)} ETA ${eta}s   `);
        } else {
          const quarter = Math.floor(fraction * 4);
          if (quarter > lastQuarter) io.err(`${p.region} at 0x${p.offset.toString(16)}: ${p.done}/${p.total} bytes (${Math.floor(fraction * 100)}%), ${kb(rate)}, ETA ${eta}s\n`);
          lastQuarter = quarter;
        }
        break;
      }
      case 'verified':
        io.err(`${tty ? '\n' : ''}${p.region} at 0x${p.offset.toString(16)}: ${p.total} bytes written, MD5 verified\n`);
        regionStart = 0;
        lastQuarter = -1;
        break;
      case 'skipped':
        io.err(`${p.region} at 0x${p.offset.toString(16)}: already in flash (MD5 matches), skipped\n`);
        break;
      case 'retrying':
        io.err(`${tty ? '\n' : ''}${p.region}: ${p.reason}; writing it again\n`);
        regionStart = 0;
        lastQuarter = -1;
        break;
      case 'resetting':
        io.err('resetting into the app\n');
        break;
    }
  };
}

function describeResult(r: FlashResult): string {
  const lines = r.regions.map((x) => `  0x${x.offset.toString(16).padStart(6, '0')}  ${x.status.padEnd(8)} ${String(x.size).padStart(9)} bytes  ${x.md5}  ${x.name}`);
  const reset = r.reset === 'hard' ? 'reset into the app' : r.reset === 'soft' ? 'started the app (no modem lines for a hard reset)' : 'left in the bootloader';
  return [`flashed ${r.chip} on ${r.port} at ${r.baudRate} baud in ${(r.ms / 1000).toFixed(1)} s; ${reset}`, ...lines].join('\n');
}

export function addConnectionOptions(command: Command): Command {
  return command
    .option('--port <path>', 'serial port (default: the one ESP board found on USB)')
    .option('--board <id>', 'board definition (default: "board" in mote.config.json); see mote boards')
    .option('--baud <n>', 'baud rate for the transfer (the ROM starts at 115200)', '460800')
    .option('--before <reset>', 'how to enter download mode: auto, classic, usb-serial-jtag or no-reset', 'auto');
}

export function parseConnection(options: { baud: string; before: string }): { baudRate: number; resets: ResetMode[] } {
  const baudRate = Number(options.baud);
  if (!Number.isInteger(baudRate) || baudRate < 9600 || baudRate > 5_000_000) throw new UsageError(`--baud must be a whole number from 9600 to 5000000, got "${options.baud}"`);
  const resets = befores[options.before];
  if (resets === undefined) throw new UsageError(`--before must be one of ${Object.keys(befores).join(', ')}, got "${options.before}"`);
  return { baudRate, resets };
}

interface SessionCliOptions {
  port?: string;
  board?: string;
  baud: string;
  before: string;
  after: string;
  json?: boolean;
}

/** Opens the port, connects to the chip of --board (if any) and runs `work`; FlashErrors become CliErrors. */
async function withSession<T>(io: CliIO, options: SessionCliOptions, board: Board | undefined, work: (session: Session, transport: Transport) => Promise<T>): Promise<T> {
  const { baudRate, resets } = parseConnection(options);
  if (options.after !== 'reset' && options.after !== 'stay') throw new UsageError(`--after must be reset or stay, got "${options.after}"`);
  const { openSession } = await import('../../lib/esp-rom/flasher.js');
  const { chipById } = await import('../../lib/esp-chip/index.js');
  const { flashBytes } = await import('../../../boards/index.js');
  const { FlashError } = await import('../../lib/esp-rom/errors.js');
  const { openSerialTransport } = await import('../../lib/esp-rom/transport.js');
  try {
    const port = await choosePort(options.port, board);
    const transport = await openSerialTransport(port.path, 115200);
    try {
      const session = await openSession(transport, {
        flashSize: board ? flashBytes(board) : DEFAULT_FLASH_SIZE,
        baudRate,
        resets: resetOrder(options.before, resets, port.usb),
        ...(board ? { expectChip: chipById(board.chip), boardName: board.id } : {}),
        onProgress: progressPrinter(io, process.stderr.isTTY === true && !options.json),
      });
      if (board === undefined) {
        const { boardFor, loadBoards } = await import('../../../boards/index.js');
        const detected = boardFor(loadBoards(), port.usb, session.chip.id);
        if (detected) io.err(`board: ${detected.id} (the only board with this USB bridge and an ${session.chip.name}; pass --board to check images against it)\n`);
      }
      try {
        return await work(session, transport);
      } finally {
        session.loader.close();
      }
    } finally {
      await transport.close();
    }
  } catch (error) {
    if (error instanceof FlashError) throw new CliError(error.message);
    throw error;
  }
}

const DEFAULT_FLASH_SIZE = 4 * 0x100000;

function parseSize(text: string): number {
  const match = /^(0x[0-9a-f]+|\d+)([kKmM]?)$/.exec(text);
  if (!match) throw new UsageError(`expected a size such as 0x1000, 4096 or 64k, got "${text}"`);
  const unit = match[2].toLowerCase() === 'k' ? 1024 : match[2].toLowerCase() === 'm' ? 0x100000 : 1;
  return Number(match[1]) * unit;
}

export const flashCommand: CommandModule = {
  register(program, { io }) {
    addJsonOption(
      addConnectionOptions(
        program
          .command('flash')
          .description('write images to a board through its ROM bootloader; each region is verified by MD5 and skipped if already there')
          .argument('[images...]', 'pairs of <offset> <file>, e.g. 0x10000 app.bin'),
      )
        .option('--engine <name>', "also write an engine's images (espruino or moddable) at the board's offsets")
        .option('--engine-dir <dir>', "folder holding the engine release's images")
        .option('--partition-table', "also write the board's partition layout as a partition table at 0x8000")
        .option('--after <what>', 'after writing: reset (into the app) or stay (in the bootloader)', 'reset')
        .option('--force', 'write every region even where the flash already holds it')
        .option('--no-compress', 'send the images as they are instead of deflated (slower; for ROMs whose inflater fails)'),
    ).action(async (pairs: string[], options: FlashOptions) => {
      parseConnection(options);
      const board = await chooseBoard(options.board);
      const regions = await regionsFrom(pairs, options, board);
      await checkImages(regions, board);
      const { writeRegions, checkRegions } = await import('../../lib/esp-rom/flasher.js');
      const { FlashError } = await import('../../lib/esp-rom/errors.js');
      const flashSize = board ? (await import('../../../boards/index.js')).flashBytes(board) : DEFAULT_FLASH_SIZE;
      try {
        checkRegions(regions, flashSize);
      } catch (error) {
        if (error instanceof FlashError) throw new CliError(error.message);
        throw error;
      }
      const result = await withSession(io, options, board, (session, transport) =>
        writeRegions(session, transport, {
          regions,
          after: options.after as 'reset' | 'stay',
          skipIdentical: !options.force,
          compress: options.compress,
          onProgress: progressPrinter(io, process.stderr.isTTY === true && !options.json),
        }),
      );
      printResult(io, options, result, describeResult);
    });

    addJsonOption(
      addConnectionOptions(
        program
          .command('erase')
          .description('erase flash through the ROM bootloader: a region, or all of it')
          .argument('[offset]', 'start of the region (a 4 KiB sector boundary); default: the whole flash')
          .argument('[size]', 'bytes to erase, rounded up to whole sectors (e.g. 0x4000 or 64k)'),
      ).option('--after <what>', 'afterwards: reset (into the app) or stay (in the bootloader)', 'reset'),
    ).action(async (offsetText: string | undefined, sizeText: string | undefined, options: SessionCliOptions) => {
      if ((offsetText === undefined) !== (sizeText === undefined)) throw new UsageError('give both <offset> and <size>, or neither to erase the whole flash');
      const board = await chooseBoard(options.board);
      const { restart } = await import('../../lib/esp-rom/flasher.js');
      const result = await withSession(io, options, board, async (session, transport) => {
        const flashSize = board ? (await import('../../../boards/index.js')).flashBytes(board) : DEFAULT_FLASH_SIZE;
        const offset = offsetText === undefined ? 0 : parseOffset(offsetText);
        const size = sizeText === undefined ? flashSize : parseSize(sizeText);
        if (offset % 0x1000 !== 0) throw new UsageError(`offset 0x${offset.toString(16)} is not on a 4 KiB sector`);
        if (offset + size > flashSize) throw new CliError(`0x${offset.toString(16)} + 0x${size.toString(16)} is past the end of the ${flashSize / 0x100000}MB flash`);
        io.err(`erasing 0x${size.toString(16)} bytes at 0x${offset.toString(16)}...\n`);
        const started = Date.now();
        await session.loader.erase(offset, size);
        const reset = options.after === 'reset' ? await restart(session.loader, transport) : 'none';
        return { port: transport.path, chip: session.chip.name, offset, size, ms: Date.now() - started, reset };
      });
      printResult(io, options, result, (r) => `erased 0x${r.size.toString(16)} bytes at 0x${r.offset.toString(16)} on the ${r.chip} in ${(r.ms / 1000).toFixed(1)} s`);
    });

    addJsonOption(
      addConnectionOptions(
        program
          .command('read-flash')
          .description('read flash back into a file through the ROM bootloader (64 bytes a command: slow)')
          .argument('<offset>', 'where to start, e.g. 0x10000')
          .argument('<size>', 'bytes to read, e.g. 0x1000 or 64k')
          .argument('<file>', 'file to write'),
      ).option('--after <what>', 'afterwards: reset (into the app) or stay (in the bootloader)', 'reset'),
    ).action(async (offsetText: string, sizeText: string, file: string, options: SessionCliOptions) => {
      const offset = parseOffset(offsetText);
      const size = parseSize(sizeText);
      if (size === 0) throw new UsageError('size must be more than 0');
      const board = await chooseBoard(options.board);
      const { restart } = await import('../../lib/esp-rom/flasher.js');
      const { writeFileSync } = await import('node:fs');
      const { createHash } = await import('node:crypto');
      const result = await withSession(io, options, board, async (session, transport) => {
        const started = Date.now();
        let lastPercent = -1;
        const data = await session.loader.read(offset, size, (done) => {
          const percent = Math.floor((done * 10) / size) * 10;
          if (percent > lastPercent) io.err(`read ${done}/${size} bytes (${percent}%)\n`);
          lastPercent = percent;
        });
        // The ROM's reads are not checksummed: compare with the ROM's own MD5 of the region.
        const md5 = createHash('md5').update(data).digest('hex');
        const flashMd5 = await session.loader.md5(offset, size);
        if (md5 !== flashMd5) throw new CliError(`read-back MD5 mismatch: read ${md5}, the chip computes ${flashMd5}; nothing written to ${file}`);
        try {
          writeFileSync(file, data);
        } catch (error) {
          throw new CliError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
        const reset = options.after === 'reset' ? await restart(session.loader, transport) : 'none';
        return { port: transport.path, chip: session.chip.name, offset, size, file, md5, ms: Date.now() - started, reset };
      });
      printResult(io, options, result, (r) => `read 0x${r.size.toString(16)} bytes at 0x${r.offset.toString(16)} from the ${r.chip} into ${r.file} (MD5 ${r.md5} verified) in ${(r.ms / 1000).toFixed(1)} s`);
    });
  },
};
