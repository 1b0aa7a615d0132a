/** `mote image info <file> [--chip id | --board id] [--json]`: reads and checks an ESP app image or partition table. */
import { readFileSync } from 'node:fs';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { addJsonOption, printResult } from '../json.js';
import { type Chip, chipById, chipIds } from '../../lib/esp-chip/index.js';
import type { InspectedImage } from '../../lib/esp-image/index.js';

const hex = (n: number) => `0x${n.toString(16).padStart(5, '0')}`;

function describeImage(image: InspectedImage): string {
  if (image.kind === 'partition-table') {
    const lines = [`partition table, ${image.partitions.length} entries, ${image.hasMd5 ? 'MD5 ok' : 'no MD5 row'}`];
    lines.push('  label             type  subtype   offset    size');
    for (const p of image.partitions) {
      const flags = [p.encrypted ? 'encrypted' : '', p.readonly ? 'readonly' : ''].filter(Boolean).join(' ');
      lines.push(`  ${p.label.padEnd(17)} ${String(p.type).padEnd(5)} ${String(p.subtype).padEnd(9)} ${hex(p.offset).padEnd(9)} ${hex(p.size)}${flags ? ` ${flags}` : ''}`);
    }
    return lines.join('\n');
  }
  const lines = [
    `app image for the ${image.chipName} (chip id ${image.chipId}), entry 0x${image.entry.toString(16)}`,
    `  flash: ${image.flashMode}, ${image.flashSize}, frequency code 0x${image.flashFrequencyCode.toString(16)}`,
    `  ${image.segments.length} segments:`,
    ...image.segments.map((s, i) => `    ${i}  load 0x${s.loadAddress.toString(16).padStart(8, '0')}  ${String(s.length).padStart(8)} bytes  at file offset 0x${s.fileOffset.toString(16)}`),
    `  checksum 0x${image.checksum.toString(16).padStart(2, '0')} ok`,
    `  SHA-256 ${image.sha256 ? `${image.sha256} ok` : 'not appended'}`,
    `  ${image.imageSize} bytes${image.trailingBytes > 0 ? ` (+${image.trailingBytes} bytes of padding after it)` : ''}`,
  ];
  return lines.join('\n');
}

/** The chip named by --chip or by --board's definition. */
export async function chipOption(options: { chip?: string; board?: string }): Promise<Chip | undefined> {
  if (options.chip !== undefined && options.board !== undefined) throw new UsageError('give --chip or --board, not both');
  if (options.chip !== undefined) {
    if (!(chipIds as string[]).includes(options.chip)) throw new UsageError(`--chip must be one of ${chipIds.join(', ')}, got "${options.chip}"`);
    return chipById(options.chip as Chip['id']);
  }
  if (options.board !== undefined) {
    const { boardById, BoardError } = await import('../../../boards/index.js');
    try {
      return chipById(boardById(options.board).chip);
    } catch (error) {
      if (error instanceof BoardError) throw new UsageError(error.message);
      throw error;
    }
  }
  return undefined;
}

export const imageCommand: CommandModule = {
  register(program, { io }) {
    const image = program.command('image').description('ESP image tools: app images (0xE9) and partition tables');
    addJsonOption(
      image
        .command('info')
        .description('read and check an app image (header, segments, checksum, SHA-256) or a partition table (entries, MD5)')
        .argument('<file>', 'the image file')
        .option('--chip <id>', `refuse an app image built for another chip (${chipIds.join(', ')})`)
        .option('--board <id>', "refuse an app image built for another chip than the board's"),
    ).action(async (file: string, options: { chip?: string; board?: string; json?: boolean }) => {
      const chip = await chipOption(options);
      const { inspectImage, checkImageChip, checkLayout } = await import('../../lib/esp-image/index.js');
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (error) {
        throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      let inspected: InspectedImage;
      try {
        inspected = inspectImage(bytes);
        if (inspected.kind === 'app' && chip) checkImageChip(inspected, chip);
      } catch (error) {
        throw new CliError(`${file}: ${(error as Error).message}`);
      }
      if (inspected.kind === 'partition-table') {
        const problems = checkLayout(inspected.partitions);
        if (problems.length > 0) throw new CliError(`${file}: ${problems.join('; ')}`);
      }
      printResult(io, options, inspected, describeImage);
    });
  },
};
