/** The ESP chip targets mote flashes, one module each, and lookups by the numbers the ROM and images use. */
import { esp32 } from './esp32.js';
import { esp32c3 } from './esp32c3.js';
import { esp32c6 } from './esp32c6.js';
import { esp32s2 } from './esp32s2.js';
import { esp32s3 } from './esp32s3.js';
import type { Chip, ChipId } from './types.js';

export type { Chip, ChipId } from './types.js';

export const chips: readonly Chip[] = [esp32, esp32s2, esp32s3, esp32c3, esp32c6];

export const chipIds = chips.map((c) => c.id) as [ChipId, ...ChipId[]];

/** The magic register read for chip detection. */
export const CHIP_MAGIC_REGISTER = 0x40001000;

export function chipById(id: ChipId): Chip {
  return chips.find((c) => c.id === id)!;
}

export function chipByMagic(value: number): Chip | undefined {
  return chips.find((c) => c.magicValues.includes(value >>> 0));
}

export function chipBySecurityId(id: number): Chip | undefined {
  return chips.find((c) => c.securityChipId === id);
}

export function chipByImageId(id: number): Chip | undefined {
  return chips.find((c) => c.imageChipId === id);
}

/** Image chip ids of chips mote does not flash, so a refusal can still name them (ESP32-C2, -H2, -P4). */
const otherImageChips: Record<number, string> = { 12: 'ESP32-C2', 16: 'ESP32-H2', 18: 'ESP32-P4' };

/** A readable name for an image chip id, known to mote or not. */
export function imageChipName(id: number): string {
  return chipByImageId(id)?.name ?? otherImageChips[id] ?? `unknown chip (id ${id})`;
}
