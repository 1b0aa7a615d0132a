/**
 * The clock detector timers run on. The cloud uses the system's; tests pass a ManualClock and
 * move time forward themselves, so a 5-minute timer needs no 5-minute sleep.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fire` after `ms` milliseconds; the handle goes to clearTimeout. */
  setTimeout(fire: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's setTimeout takes at most 2^31-1 ms; longer waits are re-armed by whoever fires early. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fire, ms) => setTimeout(fire, Math.min(Math.max(ms, 0), MAX_TIMEOUT_MS)).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A clock that moves only when told: `advance(ms)` fires what falls due, earliest first. */
export class ManualClock implements Clock {
  private readonly pending = new Map<number, { at: number; fire: () => void }>();
  private nextId = 0;

  constructor(private time = 0) {}

  now(): number {
    return this.time;
  }

  setTimeout(fire: () => void, ms: number): number {
    const id = ++this.nextId;
    this.pending.set(id, { at: this.time + Math.max(ms, 0), fire });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fire();
    }
    this.time = until;
  }
}
