/**
 * Semaphores (semphr.h): queues that carry no data, only a count.
 * - Binary: starts empty; no priority inheritance (use a Mutex for that).
 * - Counting: (max, initial); a give beyond max fails.
 * take blocks for up to `ticksToWait`; give never blocks. Waiters are ordered by priority.
 */
import type { Kernel, TimeOut } from './kernel.js';
import { QueueBase } from './queue.js';
import { type Op, Token } from './task.js';
import { rangeError } from './errors.js';

export class Semaphore extends QueueBase<true> {
  constructor(kernel: Kernel, max: number, initial: number, name = 'semaphore') {
    super(kernel, max, name);
    if (initial !== Math.floor(initial) || initial < 0 || initial > max) {
      throw rangeError(`${name}: initial count must be a whole number from 0 to ${max}, got ${initial}`);
    }
    this.count = initial;
  }

  protected storeItem(): boolean {
    this.count++;
    return false;
  }

  protected takeItem(): true {
    this.count--;
    return true;
  }

  protected firstItem(): true {
    return true;
  }

  /** uxSemaphoreGetCount. */
  get value(): number {
    return this.count;
  }

  /** xSemaphoreGive: false when the count is already at its maximum. */
  give(): Op<boolean> {
    return this.genericSend(true, 0, 'back');
  }

  /** xSemaphoreGiveFromISR. */
  giveFromISR(): boolean {
    return this.genericSendFromISR(true, 'back');
  }

  /** xSemaphoreTakeFromISR. */
  takeFromISR(): boolean {
    if (this.count === 0) return false;
    this.count--;
    if (this.sendWaiters.length > 0) this.kernel.woke(this.kernel.removeFromEventList(this.sendWaiters));
    return true;
  }

  /** Called when the running task has just taken the semaphore. */
  protected taken(): void {}

  /** Called before the running task blocks; returns true when a holder inherited its priority. */
  protected beforeBlock(): boolean {
    return false;
  }

  /** Called when a task whose wait caused inheritance gives up. */
  protected afterTimeout(): void {}

  /** xQueueSemaphoreTake: false when not taken within `ticksToWait`. */
  *take(ticksToWait = 0): Op<boolean> {
    const k = this.kernel;
    if (k.checkpoint()) yield Token.Checkpoint;
    let timeOut: TimeOut | null = null;
    let inheritanceOccurred = false;
    for (;;) {
      if (this.count > 0) {
        this.count--;
        this.taken();
        if (this.sendWaiters.length > 0 && k.removeFromEventList(this.sendWaiters) && k.config.preemption) yield Token.Switch;
        return true;
      }
      if (timeOut === null) {
        if (ticksToWait === 0) return false;
        timeOut = k.timeOut(ticksToWait);
      }
      if (k.checkForTimeOut(timeOut)) {
        if (inheritanceOccurred) this.afterTimeout();
        return false;
      }
      inheritanceOccurred = this.beforeBlock();
      k.placeOnEventList(this.receiveWaiters, timeOut.ticks);
      yield Token.Switch;
    }
  }
}

/** xSemaphoreCreateBinary: starts empty. */
export class BinarySemaphore extends Semaphore {
  constructor(kernel: Kernel, name = 'binary semaphore') {
    super(kernel, 1, 0, name);
  }
}

/** xSemaphoreCreateCounting(max, initial). */
export class CountingSemaphore extends Semaphore {
  constructor(kernel: Kernel, max: number, initial: number, name = 'counting semaphore') {
    super(kernel, max, initial, name);
  }
}
