/**
 * HIL suites on disk: `<dir>/<suite>/suite.json` says what the suite needs, and each device of
 * the suite has an entry module (default `main.ts`) that declares tests with `mote/test`.
 *
 * ```json
 * { "description": "…", "targets": ["espruino", "moddable"], "cloud": true, "timeoutMs": 60000,
 *   "board": { "stimuli": [{ "at": 500, "pin": 0, "level": 0 }] },
 *   "devices": [{ "name": "publisher", "entry": "publisher.ts" }, { "name": "subscriber", "entry": "subscriber.ts" }],
 *   "images": { "v2": "v2.ts" } }
 * ```
 * Host-side.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { BoardSpec } from '../../../firmware/hal/sim/board.js';

export const hilTargets = ['espruino', 'moddable'] as const;
export type HilTarget = (typeof hilTargets)[number];

const ms = z.number().nonnegative();
const level = z.union([z.literal(0), z.literal(1)]);
const board = z.strictObject({
  stimuli: z.array(z.strictObject({ at: ms, pin: z.int().min(0).max(63), level })).optional(),
  i2c: z
    .array(z.strictObject({ kind: z.literal('tmp102'), address: z.int().min(0x08).max(0x77), celsius: z.array(z.strictObject({ at: ms, value: z.number() })).min(1) }))
    .optional(),
  uart: z.array(z.strictObject({ at: ms, port: z.int().min(1).max(2), data: z.union([z.string(), z.array(z.int().min(0).max(255))]) })).optional(),
  wifi: z
    .array(
      z.strictObject({
        ssid: z.string().min(1),
        password: z.string().optional(),
        ip: z.string().optional(),
        joinMs: ms.optional(),
        outages: z.array(z.strictObject({ at: ms, until: ms })).optional(),
      }),
    )
    .optional(),
});

const name = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'expected lowercase letters, digits and "-" (at most 32)');
const entry = z.string().regex(/^[A-Za-z0-9._-]+\.ts$/, 'expected a .ts file in the suite folder');
const device = z.strictObject({
  name,
  entry,
  board: board.optional(),
});

const suiteFile = z.strictObject({
  description: z.string().optional(),
  targets: z.array(z.enum(hilTargets)).min(1).optional(),
  cloud: z.boolean().optional(),
  board: board.optional(),
  devices: z
    .array(device)
    .min(1)
    .refine((list) => new Set(list.map((d) => d.name)).size === list.length, 'device names must differ')
    .optional(),
  timeoutMs: z.number().positive().optional(),
  boots: z.int().min(1).max(10).optional(),
  images: z.record(name, entry).optional(),
});

export interface SuiteDevice {
  name: string;
  /** The entry module, absolute. */
  entry: string;
  board: BoardSpec;
}

export interface Suite {
  name: string;
  dir: string;
  description: string;
  targets: HilTarget[];
  cloud: boolean;
  devices: SuiteDevice[];
  /** Wall-clock limit of one run of the suite (every device's tests), ms. */
  timeoutMs: number;
  /** How many times each device boots: after its end frame it restarts with the flash it left (a reset). */
  boots: number;
  /** Apps built for the suite's target but not run: images the host deploys (OTA), by name → entry module, absolute. */
  images: Record<string, string>;
}

export class SuiteError extends Error {
  override name = 'SuiteError';
}

/** The suite in `dir` (its folder name is the suite's name); a bad suite.json throws a SuiteError naming each problem. */
export function loadSuite(dir: string): Suite {
  const suiteName = path.basename(dir);
  const file = path.join(dir, 'suite.json');
  if (!existsSync(file)) throw new SuiteError(`suite ${suiteName}: no suite.json in ${dir}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SuiteError(`suite ${suiteName}: suite.json is not JSON: ${(error as Error).message}`);
  }
  const parsed = suiteFile.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw new SuiteError(`suite ${suiteName}: suite.json: ${issues}`);
  }
  const spec = parsed.data;
  const devices = (spec.devices ?? [{ name: 'device', entry: 'main.ts' }]).map((d) => ({
    name: d.name,
    entry: path.join(dir, d.entry),
    board: (d.board ?? spec.board ?? {}) as BoardSpec,
  }));
  for (const d of devices) if (!existsSync(d.entry)) throw new SuiteError(`suite ${suiteName}: device ${d.name}: ${path.basename(d.entry)} not found`);
  const images = Object.fromEntries(Object.entries(spec.images ?? {}).map(([image, file]) => [image, path.join(dir, file)]));
  for (const [image, file] of Object.entries(images)) if (!existsSync(file)) throw new SuiteError(`suite ${suiteName}: image ${image}: ${path.basename(file)} not found`);
  return {
    name: suiteName,
    dir,
    description: spec.description ?? '',
    targets: spec.targets ?? [...hilTargets],
    cloud: spec.cloud ?? false,
    devices,
    timeoutMs: spec.timeoutMs ?? 60_000,
    boots: spec.boots ?? 1,
    images,
  };
}

/** The suites in `root` (every folder holding a suite.json), by name; `names` picks some (each must exist). */
export function findSuites(root: string, names: readonly string[] = []): Suite[] {
  if (!existsSync(root)) throw new SuiteError(`no suites folder ${root}`);
  const all = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(root, entry.name, 'suite.json')))
    .map((entry) => entry.name)
    .sort();
  for (const wanted of names) if (!all.includes(wanted)) throw new SuiteError(`no suite "${wanted}" in ${root} (suites: ${all.join(', ') || 'none'})`);
  return (names.length > 0 ? names : all).map((n) => loadSuite(path.join(root, n)));
}
