/**
 * Reading HIL frames (firmware/test/frame.ts) out of a device's console stream: bytes arrive in
 * arbitrary chunks, mixed with boot noise, log lines and garbage. Each complete line is either a
 * device log line, a frame (its event), or a corrupt frame (marker present, but malformed or a
 * CRC mismatch: a link fault). Host-side.
 */
import { crc32, FRAME_MARKER, hex32 } from '../../../firmware/test/frame.js';

/** What the device sends (firmware/test/runner.ts). `n` counts frames from 0 in a run. */
export type DeviceEvent =
  | { e: 'begin'; n: number; count: number }
  | { e: 'test'; n: number; id: number; name: string }
  | { e: 'pass'; n: number; id: number; ms: number }
  | { e: 'fail'; n: number; id: number; ms: number; message: string }
  | { e: 'skip'; n: number; id: number; reason: string }
  | { e: 'signal'; n: number; id: number; name: string; data: unknown }
  | { e: 'end'; n: number; passed: number; failed: number; skipped: number };

export type ConsoleItem =
  | { kind: 'log'; text: string }
  | { kind: 'frame'; event: DeviceEvent }
  | { kind: 'corrupt'; text: string; reason: string };

const FRAME = /^([A-Za-z0-9+/]*={0,2})\*([0-9a-f]{8})\s*$/;
const KINDS = ['begin', 'test', 'pass', 'fail', 'skip', 'signal', 'end'];

/** Classifies one console line (without its newline). */
export function parseLine(line: string): ConsoleItem[] {
  const at = line.lastIndexOf(FRAME_MARKER);
  if (at < 0) return [{ kind: 'log', text: line.replace(/\r$/, '') }];
  const items: ConsoleItem[] = [];
  const noise = line.slice(0, at).replace(/\r$/, '');
  if (noise.trim() !== '') items.push({ kind: 'log', text: noise });
  items.push(parseFrame(line.slice(at + FRAME_MARKER.length)));
  return items;
}

function parseFrame(rest: string): ConsoleItem {
  const text = FRAME_MARKER + rest;
  const match = FRAME.exec(rest);
  if (!match) return { kind: 'corrupt', text, reason: 'malformed frame (expected base64, "*" and 8 hex digits)' };
  const [, body, crc] = match as unknown as [string, string, string];
  const computed = hex32(crc32(body));
  if (computed !== crc) return { kind: 'corrupt', text, reason: `CRC mismatch: frame says ${crc}, content gives ${computed}` };
  let event: unknown;
  try {
    event = JSON.parse(Buffer.from(body, 'base64').toString('utf8'));
  } catch (error) {
    return { kind: 'corrupt', text, reason: `frame content is not JSON: ${(error as Error).message}` };
  }
  const e = event as { e?: unknown; n?: unknown };
  if (typeof event !== 'object' || event === null || typeof e.e !== 'string' || !KINDS.includes(e.e) || typeof e.n !== 'number') {
    return { kind: 'corrupt', text, reason: 'frame content is not a test event' };
  }
  return { kind: 'frame', event: event as DeviceEvent };
}

/** Splits a stream of console chunks into lines (LF or CRLF) and classifies each. */
export class ConsoleReader {
  private pending = '';

  /** The items of every line `chunk` completes. */
  push(chunk: string): ConsoleItem[] {
    this.pending += chunk;
    const lines = this.pending.split('\n');
    this.pending = lines.pop()!;
    return lines.flatMap(parseLine);
  }

  /** The items of a last, unterminated line. */
  end(): ConsoleItem[] {
    const rest = this.pending;
    this.pending = '';
    return rest === '' ? [] : parseLine(rest);
  }
}
