/**
 * The board definition format: one `boards/<id>.json` per board, validated by `boardSchema`.
 * Offsets and sizes are hex strings ("0x10000") as in ESP-IDF's tools; USB ids are "vid:pid" in hex.
 */
import { z } from 'zod';
import { chipById, chipIds } from '../scripts/lib/esp-chip/index.js';
import { checkLayout, subtypeCodes } from '../scripts/lib/esp-image/partition-table.js';

const hexNumber = z
  .string()
  .regex(/^0x[0-9a-fA-F]+$/, 'expected a hex number such as "0x10000"')
  .transform((s) => Number.parseInt(s, 16));

const flashSizes = ['1MB', '2MB', '4MB', '8MB', '16MB'] as const;
const gpio = z.int().min(0);

const usbId = z.string().regex(/^[0-9a-f]{4}:[0-9a-f]{4}$/, 'expected "vid:pid" in lowercase hex, such as "10c4:ea60"');

const image = z.strictObject({
  offset: hexNumber,
  /** File name inside the engine's release folder. */
  file: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected a file name without folders'),
});

const partition = z
  .strictObject({
    label: z.string().min(1).max(16),
    type: z.enum(['app', 'data']),
    subtype: z.string(),
    offset: hexNumber,
    size: hexNumber,
  })
  .superRefine((p, ctx) => {
    if (!(p.subtype in subtypeCodes[p.type])) {
      ctx.addIssue({ code: 'custom', path: ['subtype'], message: `unknown ${p.type} subtype "${p.subtype}" (known: ${Object.keys(subtypeCodes[p.type]).join(', ')})` });
    }
  })
  .transform((p) => ({ ...p, encrypted: false, readonly: false }));

export const boardSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'expected lowercase letters, digits, "." or "-"'),
    name: z.string().min(1),
    chip: z.enum(chipIds),
    flash: z.strictObject({
      size: z.enum(flashSizes),
      mode: z.enum(['qio', 'qout', 'dio', 'dout']),
    }),
    /** USB serial bridges the board is sold with, "vid:pid". */
    usb: z.array(usbId).min(1),
    pins: z.strictObject({
      /** The user LED's GPIO, null where the board has none. */
      led: gpio.nullable(),
      /** The user (BOOT) button's GPIO. */
      button: gpio,
      i2c: z.strictObject({ sda: gpio, scl: gpio }),
    }),
    /** Images of each engine's firmware release and where they are flashed. */
    engines: z
      .strictObject({ espruino: z.array(image).min(1).optional(), moddable: z.array(image).min(1).optional() })
      .refine((e) => e.espruino !== undefined || e.moddable !== undefined, 'expected at least one engine'),
    partitions: z.array(partition).min(1),
  })
  .superRefine((board, ctx) => {
    const chip = chipById(board.chip);
    const pins: [string, number | null][] = [['led', board.pins.led], ['button', board.pins.button], ['i2c.sda', board.pins.i2c.sda], ['i2c.scl', board.pins.i2c.scl]];
    const seen = new Map<number, string>();
    for (const [name, pin] of pins) {
      if (pin === null) continue;
      const path = ['pins', ...name.split('.')];
      if (pin > chip.maxGpio) ctx.addIssue({ code: 'custom', path, message: `GPIO${pin} does not exist on the ${chip.name} (GPIO0-${chip.maxGpio})` });
      const other = seen.get(pin);
      if (other !== undefined) ctx.addIssue({ code: 'custom', path, message: `GPIO${pin} is also pins.${other}` });
      seen.set(pin, name);
    }
    for (const [engine, images] of Object.entries(board.engines)) {
      if (images === undefined) continue;
      if (images[0].offset !== chip.bootloaderOffset) {
        ctx.addIssue({ code: 'custom', path: ['engines', engine, 0, 'offset'], message: `the first image (the bootloader) goes at 0x${chip.bootloaderOffset.toString(16)} on the ${chip.name}` });
      }
      images.forEach((img, i) => {
        if (img.offset % 0x1000 !== 0) ctx.addIssue({ code: 'custom', path: ['engines', engine, i, 'offset'], message: 'not aligned to a 4 KiB sector' });
      });
    }
    for (const problem of checkLayout(board.partitions, megabytes(board.flash.size))) ctx.addIssue({ code: 'custom', path: ['partitions'], message: problem });
  });

export type BoardFile = z.input<typeof boardSchema>;
export type Board = z.output<typeof boardSchema>;

/** The flash size of a board in bytes. */
export function flashBytes(board: Board): number {
  return megabytes(board.flash.size);
}

function megabytes(size: string): number {
  return Number.parseInt(size, 10) * 0x100000;
}

