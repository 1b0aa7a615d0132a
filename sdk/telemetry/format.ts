/**
 * The telemetry batch document, the same in JSON and CBOR:
 *
 *   { "seq": 17, "dropped": 0, "entries": [ { "ts": 1763812345000, "m": { "temp": 21.5, "door": "open" } }, ... ] }
 *
 * - `seq`: the batch's number since the device started (0, 1, 2, ...): a QoS 1 message
 *   delivered twice arrives with the same `seq` and entries, so the store can drop the copy.
 * - `dropped`: entries the device had to drop (its buffer full while offline) just before this
 *   batch's entries: a gap the store can show.
 * - `entries`: oldest first; `ts` is epoch milliseconds, `m` maps measurement names to a finite
 *   number, a string or a boolean.
 *
 * Entries are encoded once, when recorded, and spliced into batches as bytes: the buffer holds
 * compact bytes rather than objects (which cost far more on Espruino).
 */
import { concatBytes, utf8Decode, utf8Encode } from '../bytes.js';
import { decodeCbor, encodeCbor, encodeCborHead } from '../cbor/index.js';

export type TelemetryFormat = 'json' | 'cbor';
export type Measurement = number | string | boolean;

export interface Measurements {
  [name: string]: Measurement;
}

export interface TelemetryEntry {
  ts: number;
  m: Measurements;
}

export interface TelemetryBatch {
  seq: number;
  dropped: number;
  entries: TelemetryEntry[];
}

/** Bytes a batch document adds around its entries, at most (seq and dropped up to 2^53). */
export const BATCH_OVERHEAD = 64;

/** One entry's encoding; throws TypeError naming a measurement that is not a finite number, string or boolean. */
export function encodeEntry(format: TelemetryFormat, ts: number, m: Measurements): Uint8Array {
  const problem = entryProblem(ts, m);
  if (problem) throw new TypeError(`telemetry: ${problem}`);
  const entry = { ts, m };
  return format === 'cbor' ? encodeCbor(entry) : utf8Encode(JSON.stringify(entry));
}

function entryProblem(ts: unknown, m: unknown): string | undefined {
  if (typeof ts !== 'number' || !isFinite(ts)) return `ts must be a finite number (epoch ms), not ${String(ts)}`;
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return 'measurements must be an object of name: value';
  const names = Object.keys(m);
  if (names.length === 0) return 'an entry needs at least one measurement';
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const v = (m as Measurements)[name];
    if (name === '' || !(typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && isFinite(v)))) {
      return `measurement "${name}" must have a non-empty name and a finite number, a string or a boolean`;
    }
  }
  return undefined;
}

/** The batch document around already-encoded `entries`. */
export function encodeBatch(format: TelemetryFormat, seq: number, dropped: number, entries: Uint8Array[]): Uint8Array {
  if (format === 'json') {
    const parts: Uint8Array[] = [utf8Encode(`{"seq":${seq},"dropped":${dropped},"entries":[`)];
    for (let i = 0; i < entries.length; i++) {
      if (i > 0) parts.push(COMMA);
      parts.push(entries[i]!);
    }
    parts.push(CLOSE);
    return concatBytes(parts);
  }
  const head = [encodeCborHead(5, 3), encodeCbor('seq'), encodeCbor(seq), encodeCbor('dropped'), encodeCbor(dropped), encodeCbor('entries'), encodeCborHead(4, entries.length)];
  return concatBytes(head.concat(entries));
}

const COMMA = utf8Encode(',');
const CLOSE = utf8Encode(']}');

/**
 * Reads a batch document (for the store, and for tests), checking its shape; throws an Error
 * saying what is wrong. JSON or CBOR as given.
 */
export function decodeBatch(format: TelemetryFormat, payload: Uint8Array): TelemetryBatch {
  let doc: unknown;
  try {
    doc = format === 'cbor' ? decodeCbor(payload) : JSON.parse(utf8Decode(payload));
  } catch (error) {
    throw new Error(`telemetry batch: not ${format === 'cbor' ? 'CBOR' : 'JSON'}: ${(error as Error).message}`);
  }
  const batch = doc as TelemetryBatch;
  if (doc === null || typeof doc !== 'object') throw new Error('telemetry batch: not an object');
  if (!isCount(batch.seq)) throw new Error('telemetry batch: seq must be a non-negative integer');
  if (!isCount(batch.dropped)) throw new Error('telemetry batch: dropped must be a non-negative integer');
  if (!Array.isArray(batch.entries) || batch.entries.length === 0) throw new Error('telemetry batch: entries must be a non-empty array');
  for (let i = 0; i < batch.entries.length; i++) {
    const entry = batch.entries[i];
    const problem = entry !== null && typeof entry === 'object' ? entryProblem(entry.ts, entry.m) : 'not an object';
    if (problem) throw new Error(`telemetry batch: entries[${i}]: ${problem}`);
  }
  return batch;
}

function isCount(n: unknown): boolean {
  return typeof n === 'number' && n >= 0 && Math.floor(n) === n;
}
