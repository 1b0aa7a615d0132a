/**
 * The timer service task (timers.c's daemon): runs software timer callbacks and functions
 * pended from interrupts, fed by a command queue. Commands carry the tick they were sent at,
 * so a timer started at tick t with period p expires at t + p however late the task reads it.
 */
import type { Kernel } from './kernel.js';
import { MAX_DELAY } from './config.js';
import { List, removeItem } from './list.js';
import { Queue } from './queue.js';
import type { Op, Task, TaskBody } from './task.js';
import { Token } from './task.js';
import type { Timer } from './timer.js';

export const Command = {
  PendFunction: -1,
  Start: 1,
  Reset: 2,
  Stop: 3,
  ChangePeriod: 4,
  Delete: 5,
} as const;
export type Command = (typeof Command)[keyof typeof Command];

/** A callback may be plain, or a generator that makes non-blocking kernel calls. */
export type Callback = () => void | Op<unknown>;

export interface TimerMessage {
  id: Command;
  timer: Timer | null;
  /** Start/Reset: the tick the command was sent; ChangePeriod: the new period. */
  value: number;
  fn: Callback | null;
}

/** Runs a callback in the service task; one that throws is reported, and the task goes on. */
function* run(kernel: Kernel, callback: Callback): Op {
  try {
    const r = callback();
    if (r !== undefined && r !== null && typeof (r as Op<unknown>).next === 'function') yield* r as Op<unknown>;
  } catch (error) {
    kernel.reportError(error);
  }
}

export class TimerService {
  /** Active timers by expiry time (pxCurrentTimerList; ticks do not wrap here). */
  readonly active = new List<Timer>();
  task: Task | null = null;
  private queue: Queue<TimerMessage> | null = null;

  constructor(readonly kernel: Kernel) {}

  /** xTimerQueue, created with the first timer (prvCheckForValidListAndQueue). */
  get commands(): Queue<TimerMessage> {
    if (this.queue === null) this.queue = new Queue<TimerMessage>(this.kernel, this.kernel.config.timerQueueLength, { name: 'TmrQ' });
    return this.queue;
  }

  /** xTimerCreateTimerTask, called by the kernel's start. */
  createTask(): void {
    const c = this.kernel.config;
    this.task = this.kernel.createTask('Tmr Svc', c.timerTaskPriority, () => this.body(), { stackDepth: c.minimalStackSize * 2 });
  }

  /** xTimerPendFunctionCallFromISR: runs `fn` in the service task; false if the queue is full. */
  pendFunctionCallFromISR(fn: Callback): boolean {
    return this.commands.sendFromISR({ id: Command.PendFunction, timer: null, value: 0, fn });
  }

  /** xTimerPendFunctionCall from a task. */
  pendFunctionCall(fn: Callback, ticksToWait = 0): Op<boolean> {
    return this.commands.send({ id: Command.PendFunction, timer: null, value: 0, fn }, ticksToWait);
  }

  private *body(): TaskBody {
    const commands = this.commands;
    for (;;) {
      const listWasEmpty = this.active.length === 0;
      const nextExpire = listWasEmpty ? 0 : this.active.head().value;
      const now = this.kernel.tickCount;
      if (!listWasEmpty && nextExpire <= now) {
        yield* this.processExpired(nextExpire, now);
      } else {
        // vQueueWaitForMessageRestricted, then portYIELD_WITHIN_API either way.
        if (commands.messagesWaiting() === 0) {
          this.kernel.placeOnEventList(commands.receiveWaiters, listWasEmpty ? MAX_DELAY : nextExpire - now);
        }
        yield Token.Switch;
      }
      yield* this.processCommands();
    }
  }

  /** prvProcessExpiredTimer. */
  private *processExpired(expiredAt: number, now: number): Op {
    const timer = this.active.head().owner;
    removeItem(timer.item);
    if (timer.autoReload) yield* this.reload(timer, expiredAt, now);
    else timer.active = false;
    yield* this.expire(timer);
  }

  private *expire(timer: Timer): Op {
    this.kernel.config.trace?.timerExpired?.(timer.name);
    yield* run(this.kernel, () => timer.callback(timer));
  }

  /** prvReloadTimer: one callback for every period already missed. */
  private *reload(timer: Timer, expiredAt: number, now: number): Op {
    while (this.insert(timer, expiredAt + timer.period, now)) {
      expiredAt += timer.period;
      yield* this.expire(timer);
    }
  }

  /** prvInsertTimerInActiveList: true when the expiry has already passed. */
  private insert(timer: Timer, expiry: number, now: number): boolean {
    timer.item.value = expiry;
    if (expiry <= now) return true;
    this.active.insert(timer.item);
    return false;
  }

  /** prvProcessReceivedCommands. */
  private *processCommands(): Op {
    for (;;) {
      const message = yield* this.commands.receive(0);
      if (message === undefined) return;
      if (message.id === Command.PendFunction) {
        yield* run(this.kernel, message.fn as Callback);
        continue;
      }
      const timer = message.timer as Timer;
      if (timer.item.container !== null) removeItem(timer.item);
      const now = this.kernel.tickCount;
      switch (message.id) {
        case Command.Start:
        case Command.Reset:
          timer.active = true;
          if (this.insert(timer, message.value + timer.period, now)) {
            if (timer.autoReload) yield* this.reload(timer, message.value + timer.period, now);
            else timer.active = false;
            yield* this.expire(timer);
          }
          break;
        case Command.Stop:
          timer.active = false;
          break;
        case Command.ChangePeriod:
          timer.active = true;
          timer.period = message.value;
          this.insert(timer, now + timer.period, now);
          break;
        case Command.Delete:
          timer.active = false;
          timer.deleted = true;
          break;
      }
    }
  }
}
