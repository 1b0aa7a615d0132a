/** Host-side tools for the images flashed to ESP chips: app images (bootloader, engine, app) and partition tables. */
import { type AppImage, IMAGE_MAGIC, ImageError, parseAppImage } from './app-image.js';
import { type PartitionTable, parsePartitionTable } from './partition-table.js';

export * from './app-image.js';
export * from './partition-table.js';

export type InspectedImage = ({ kind: 'app' } & AppImage) | ({ kind: 'partition-table' } & PartitionTable);

/** Parses and checks a file as whatever its first bytes say it is. Throws ImageError or PartitionTableError. */
export function inspectImage(bytes: Uint8Array): InspectedImage {
  if (bytes[0] === 0xaa && bytes[1] === 0x50) return { kind: 'partition-table', ...parsePartitionTable(bytes) };
  if (bytes[0] === IMAGE_MAGIC || bytes.length === 0) return { kind: 'app', ...parseAppImage(bytes) };
  const first = Array.from(bytes.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new ImageError(`not an ESP image: starts with ${first}, expected e9 (app image) or aa 50 (partition table)`);
}
