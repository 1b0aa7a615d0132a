/**
 * Fault injection for the simulated link: what goes wrong, on which request. Requests are counted per op
 * (the first SYNC is SYNC number 1); a fault hits occurrences nth .. nth + count - 1 of its op.
 */
export type FaultAction =
  /** The request never reaches the ROM (lost on the wire): no effect, no reply. */
  | 'lose-request'
  /** One bit of the request's last byte flips on the wire before the ROM reads it. */
  | 'corrupt-request'
  /** The ROM acts on the request but its reply is lost. */
  | 'lose-reply'
  /** One bit of the reply's first data byte flips (a status byte when there is no data). */
  | 'corrupt-reply'
  /** One byte in the middle of the reply frame is lost. */
  | 'drop-reply-byte'
  /** The reply leaves `delayMs` late. */
  | 'slow-reply';

export interface Fault {
  op: number;
  action: FaultAction;
  /** First occurrence hit, 1-based (default 1). */
  nth?: number;
  /** How many consecutive occurrences are hit (default 1; Infinity for all). */
  count?: number;
  delayMs?: number;
}

export class FaultPlan {
  private readonly seen = new Map<number, number>();
  /** Faults that fired, in order, as `OP#n action` (for tests to check what was exercised). */
  readonly fired: string[] = [];

  constructor(private readonly faults: readonly Fault[] = []) {}

  /** Counts a request of `op` and returns the faults that hit it. */
  next(op: number, opName: string): Fault[] {
    const n = (this.seen.get(op) ?? 0) + 1;
    this.seen.set(op, n);
    const hits = this.faults.filter((f) => f.op === op && n >= (f.nth ?? 1) && n < (f.nth ?? 1) + (f.count ?? 1));
    for (const f of hits) this.fired.push(`${opName}#${n} ${f.action}`);
    return hits;
  }
}

export function corruptLastByte(packet: Buffer): Buffer {
  const copy = Buffer.from(packet);
  if (copy.length > 8) copy[copy.length - 1] ^= 0x01;
  return copy;
}

export function corruptFirstDataByte(packet: Buffer): Buffer {
  const copy = Buffer.from(packet);
  if (copy.length > 8) copy[8] ^= 0x01;
  return copy;
}

export function dropMiddleByte(frame: Buffer): Buffer {
  const at = Math.floor(frame.length / 2);
  return Buffer.concat([frame.subarray(0, at), frame.subarray(at + 1)]);
}
