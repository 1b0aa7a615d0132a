/**
 * VirtualTime: an engine's timers in simulated milliseconds, for the sim port and the XS device
 * host. Time stands still while code runs and jumps to the next due timer; timers due at the
 * same time run in the order they were set. Engine-neutral.
 */
interface Entry {
  id: number;
  due: number;
  interval: number | undefined;
  fn: () => void;
  order: number;
}

export class VirtualTime {
  now = 0;
  private timers: Entry[] = [];
  private nextId = 1;
  private order = 0;

  /** Runs `fn` after `ms`, then every `interval` ms if one is given; returns the timer's id. */
  set(fn: () => void, ms: number, interval?: number): number {
    const id = this.nextId++;
    const every = interval === undefined ? undefined : Math.max(1, interval);
    this.timers.push({ id, due: this.now + (ms > 0 ? ms : 0), interval: every, fn, order: this.order++ });
    return id;
  }

  clear(id: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Clears every timer (a restart stops what was running). */
  clearAll(): void {
    this.timers = [];
  }

  /** When the earliest timer is due (ms), or undefined when none is set. */
  get nextDue(): number | undefined {
    let due: number | undefined;
    for (const t of this.timers) if (due === undefined || t.due < due) due = t.due;
    return due;
  }

  /** Runs every timer due up to `until` (ms), in due order, then sets the time to `until`. */
  runUntil(until: number): void {
    for (;;) {
      let next: Entry | undefined;
      for (const t of this.timers) if (t.due <= until && (!next || t.due < next.due || (t.due === next.due && t.order < next.order))) next = t;
      if (!next) break;
      this.now = next.due;
      if (next.interval === undefined) this.clear(next.id);
      else {
        next.due += next.interval;
        next.order = this.order++;
      }
      next.fn();
    }
    this.now = until;
  }
}
