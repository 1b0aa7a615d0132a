/**
 * Software timers (timers.h). A timer is created dormant; start/reset/stop/changePeriod/delete
 * send a command to the timer service task and return whether it was queued (false when the
 * command queue stayed full for `ticksToWait`).
 * - start/reset: expiry = the tick the command was SENT + period.
 * - changePeriod: starts a dormant timer too; expiry measured from when the command is processed.
 * - Auto-reload timers call back once per period, including periods missed; one-shot timers go
 *   dormant after their callback.
 * - Callbacks run in the service task and must not block: plain functions, or generators that
 *   make kernel calls with a zero timeout.
 * - Before the scheduler starts, and from interrupts, use the FromISR forms.
 */
import type { Kernel } from './kernel.js';
import { ListItem } from './list.js';
import type { Op } from './task.js';
import { Command, type TimerMessage } from './timer-service.js';
import { rangeError } from './errors.js';

export type TimerCallback = (timer: Timer) => void | Op<unknown>;

export class Timer {
  readonly item: ListItem<Timer>;
  /** xTimerIsTimerActive. */
  active = false;
  deleted = false;
  period: number;

  constructor(
    readonly kernel: Kernel,
    readonly name: string,
    period: number,
    readonly autoReload: boolean,
    readonly callback: TimerCallback,
    /** pvTimerID: free for the application. */
    public id: unknown = null,
  ) {
    Timer.checkPeriod(name, period);
    this.period = period;
    this.item = new ListItem<Timer>(this);
    kernel.timers.commands; // the command queue exists from the first timer on
  }

  private static checkPeriod(name: string, period: number): void {
    if (period !== Math.floor(period) || period < 1) throw rangeError(`timer "${name}": period must be a whole number of ticks above 0, got ${period}`);
  }

  /** The tick at which an active timer next expires (xTimerGetExpiryTime). */
  expiryTime(): number {
    return this.item.value;
  }

  private message(id: Command, value: number): TimerMessage {
    if (this.deleted) throw new Error(`timer "${this.name}" was deleted`);
    return { id, timer: this, value, fn: null };
  }

  private send(id: Command, value: number, ticksToWait: number): Op<boolean> {
    return this.kernel.timers.commands.send(this.message(id, value), ticksToWait);
  }

  private sendFromISR(id: Command, value: number): boolean {
    return this.kernel.timers.commands.sendFromISR(this.message(id, value));
  }

  start(ticksToWait = 0): Op<boolean> {
    return this.send(Command.Start, this.kernel.tickCount, ticksToWait);
  }

  reset(ticksToWait = 0): Op<boolean> {
    return this.send(Command.Reset, this.kernel.tickCount, ticksToWait);
  }

  stop(ticksToWait = 0): Op<boolean> {
    return this.send(Command.Stop, 0, ticksToWait);
  }

  changePeriod(period: number, ticksToWait = 0): Op<boolean> {
    Timer.checkPeriod(this.name, period);
    return this.send(Command.ChangePeriod, period, ticksToWait);
  }

  delete(ticksToWait = 0): Op<boolean> {
    return this.send(Command.Delete, 0, ticksToWait);
  }

  startFromISR(): boolean {
    return this.sendFromISR(Command.Start, this.kernel.tickCount);
  }

  resetFromISR(): boolean {
    return this.sendFromISR(Command.Reset, this.kernel.tickCount);
  }

  stopFromISR(): boolean {
    return this.sendFromISR(Command.Stop, 0);
  }

  changePeriodFromISR(period: number): boolean {
    Timer.checkPeriod(this.name, period);
    return this.sendFromISR(Command.ChangePeriod, period);
  }
}
