/**
 * Where ticks come from.
 * - VirtualClock: time moves only when told (`advance`), so tests and simulations are exact.
 * - RealClock: the engine's timer drives the tick at `tickRateHz`. The engine's timer functions
 *   are passed in, so the kernel imports no engine or host API.
 */
import type { Kernel, TimeSource } from './kernel.js';

export class VirtualClock {
  constructor(readonly kernel: Kernel) {}

  /** Starts the scheduler on this clock (tick 0) and runs tasks until the CPU idles. */
  start(): void {
    this.kernel.start(null);
  }

  /** Delivers `ticks` ticks, one by one, running tasks after each until the CPU idles. */
  advance(ticks = 1): void {
    for (let i = 0; i < ticks; i++) this.kernel.tick(1);
  }
}

/** The engine timer API RealClock needs (setTimeout/clearTimeout and a millisecond clock). */
export interface EngineTimer {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export class RealClock implements TimeSource {
  private readonly period: number;
  private nextTickAt = 0;
  private handle: unknown = null;
  private readonly origin: number;

  constructor(
    readonly kernel: Kernel,
    private readonly timer: EngineTimer,
  ) {
    this.period = 1000 / kernel.config.tickRateHz;
    this.origin = timer.now();
  }

  start(): void {
    this.nextTickAt = this.timer.now() + this.period;
    this.kernel.start(this);
    this.schedule();
  }

  stop(): void {
    if (this.handle !== null) this.timer.clearTimeout(this.handle);
    this.handle = null;
  }

  due(): boolean {
    return this.timer.now() >= this.nextTickAt;
  }

  /** Microseconds since the clock was made. */
  runTimeCounter(): number {
    return Math.floor((this.timer.now() - this.origin) * 1000);
  }

  private schedule(): void {
    const wait = Math.max(0, this.nextTickAt - this.timer.now());
    this.handle = this.timer.setTimeout(() => this.onTimer(), wait);
  }

  private onTimer(): void {
    let ticks = 0;
    const now = this.timer.now();
    while (now >= this.nextTickAt) {
      ticks++;
      this.nextTickAt += this.period;
    }
    try {
      if (ticks > 0) this.kernel.tick(ticks);
    } finally {
      this.schedule();
    }
  }
}
