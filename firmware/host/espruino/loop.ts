/**
 * The Espruino-dialect host's event loop, in simulated time. Espruino's idle loop runs, over and
 * over: every timer due now (in due order), then every queued event (promise settlements and
 * reactions, which Espruino queues with jsiQueueEvents), including events queued while those run.
 * Timers and events never interleave within one pass, which gives the order the table measured
 * (row 'promise reaction vs due timers'):
 *
 * - a `.then` on a promise resolved inside a timer callback runs after the other timers due at
 *   the same moment (Node runs it first, as a microtask);
 * - a `setTimeout(f, 0)` made in a timer callback runs after the promise reactions that callback
 *   queued, since a new timer is only looked at in the next pass.
 *
 * Time does not pass while code runs: a callback starts at its timer's due time. Timers due
 * later than `until` (ms of simulated time) never run; the loop then ends, as does a loop with
 * nothing left to do. Intervals are at least MIN_INTERVAL_MS apart, so that time advances.
 * Host-side code.
 */

/** A callback to run: `fn.apply(self, args)` in the guest. */
export interface Job {
  fn: Function;
  self: unknown;
  args: readonly unknown[];
}

interface Timer {
  id: number;
  due: number;
  interval?: number;
  job: Job;
  /** Creation (or re-arming) order: breaks ties between timers due at the same time. */
  order: number;
}

export const MIN_INTERVAL_MS = 1;

export class EventLoop {
  private time = 0;
  private events: (Job | undefined)[] = [];
  private eventHead = 0;
  private readonly timers = new Map<number, Timer>();
  private pass: Timer[] = [];
  private passHead = 0;
  private nextId = 1;
  private order = 0;

  /**
   * `until`: the last simulated moment (ms) at which timers may run. With `clock` (a live
   * device), time is real: `clock()` ms since start; next() runs only what is due by then and
   * returns null rather than jumping ahead, and `nextDue` says when to come back.
   */
  constructor(
    private readonly until: number,
    private readonly clock?: () => number,
  ) {}

  /** Time, ms since the script started: simulated, or with a clock, real. */
  get now(): number {
    return this.clock ? Math.max(this.time, this.clock()) : this.time;
  }

  set now(value: number) {
    this.time = value;
  }

  /** When the earliest armed timer is due (ms), or Infinity. */
  get nextDue(): number {
    let due = Number.POSITIVE_INFINITY;
    for (const timer of this.timers.values()) due = Math.min(due, timer.due);
    return due;
  }

  /** Queues an event (runs after the current timer pass, in queue order). */
  queue(fn: Function, args: readonly unknown[] = []): void {
    this.events.push({ fn, self: undefined, args });
  }

  /** setTimeout (repeat false) or setInterval (repeat true); returns the timer's id. */
  setTimer(fn: Function, ms: number, repeat: boolean, args: readonly unknown[]): number {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const interval = repeat ? Math.max(MIN_INTERVAL_MS, delay) : undefined;
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.now + (interval ?? delay), interval, job: { fn, self: undefined, args }, order: this.order++ });
    return id;
  }

  /** clearTimeout/clearInterval: an unknown id is ignored. */
  clearTimer(id: unknown): void {
    if (typeof id === 'number') this.timers.delete(id);
  }

  /** clearTimeout() with no argument: every timer. */
  clearAll(): void {
    this.timers.clear();
  }

  /** How many timers are still armed. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** The next job to run, or null when there is nothing left before `until`. */
  next(): Job | null {
    for (;;) {
      while (this.passHead < this.pass.length) {
        const timer = this.pass[this.passHead++]!;
        if (this.timers.get(timer.id) !== timer) continue; // cleared by an earlier callback
        if (timer.interval === undefined) {
          this.timers.delete(timer.id);
        } else {
          timer.due += timer.interval;
          timer.order = this.order++;
        }
        return timer.job;
      }
      if (this.eventHead < this.events.length) {
        const job = this.events[this.eventHead]!;
        this.events[this.eventHead++] = undefined;
        if (this.eventHead === this.events.length) {
          this.events = [];
          this.eventHead = 0;
        }
        return job;
      }
      if (this.timers.size === 0) return null;
      const due = this.nextDue;
      if (due > this.until) return null;
      if (this.clock) {
        this.now = this.now;
        if (due > this.now) return null;
      } else this.now = Math.max(this.now, due);
      this.pass = [...this.timers.values()].filter((timer) => timer.due <= this.now).sort((a, b) => a.due - b.due || a.order - b.order);
      this.passHead = 0;
    }
  }
}
