/**
 * Queues (queue.c): the one primitive that queues, semaphores and mutexes share.
 *
 * Contract, as FreeRTOS's queue.h:
 * - Items are copied in and out, one level deep (as FreeRTOS copies an item's bytes: what an
 *   item points to is shared): arrays, plain objects, typed arrays, DataViews and ArrayBuffers
 *   get a new outer container; a class instance is queued by reference, like a pointer. `undefined` cannot be queued: receive returns it for "nothing".
 * - send/sendToFront/receive/peek block for up to `ticksToWait` (MAX_DELAY: forever, 0: not at
 *   all). Waiters are ordered by priority, equal priorities first come first served.
 * - No hand-off: a waiter that is woken retries; if another task got there first it blocks
 *   again for the time it has left.
 * - A call that wakes a task of higher priority than the caller switches to it before it
 *   returns (preemptive mode). FromISR forms never block; they are for `kernel.isr` handlers.
 */
import type { Kernel, TimeOut } from './kernel.js';
import { List } from './list.js';
import { type Op, type Task, Token } from './task.js';
import { rangeError } from './errors.js';

export type SendPosition = 'back' | 'front' | 'overwrite';

/** What queues, semaphores and mutexes share: a count, a capacity and two waiting lists. */
export abstract class QueueBase<T> {
  /** xTasksWaitingToSend. */
  readonly sendWaiters = new List<Task>();
  /** xTasksWaitingToReceive. */
  readonly receiveWaiters = new List<Task>();
  /** uxMessagesWaiting. */
  protected count = 0;

  constructor(
    readonly kernel: Kernel,
    /** uxLength: how many items fit. */
    readonly length: number,
    readonly name: string,
  ) {
    if (length !== Math.floor(length) || length < 1) throw rangeError(`${name}: length must be a whole number above 0, got ${length}`);
  }

  /** prvCopyDataToQueue: returns true when giving back a mutex requires a yield. */
  protected abstract storeItem(item: T, position: SendPosition): boolean;
  /** prvCopyDataFromQueue and the count going down. */
  protected abstract takeItem(): T;
  protected abstract firstItem(): T;

  /** uxQueueMessagesWaiting. */
  messagesWaiting(): number {
    return this.count;
  }

  /** uxQueueSpacesAvailable. */
  spacesAvailable(): number {
    return this.length - this.count;
  }

  /** xQueueGenericSend. */
  protected *genericSend(item: T, ticksToWait: number, position: SendPosition): Op<boolean> {
    const k = this.kernel;
    if (k.checkpoint()) yield Token.Checkpoint;
    let timeOut: TimeOut | null = null;
    for (;;) {
      if (this.count < this.length || position === 'overwrite') {
        const yieldRequired = this.storeItem(item, position);
        if (this.receiveWaiters.length > 0) {
          if (k.removeFromEventList(this.receiveWaiters) && k.config.preemption) yield Token.Switch;
        } else if (yieldRequired && k.config.preemption) {
          yield Token.Switch;
        }
        return true;
      }
      if (timeOut === null) {
        if (ticksToWait === 0) return false;
        timeOut = k.timeOut(ticksToWait);
      }
      if (k.checkForTimeOut(timeOut)) return false;
      k.placeOnEventList(this.sendWaiters, timeOut.ticks);
      yield Token.Switch;
    }
  }

  /** xQueueGenericSendFromISR: never blocks. */
  protected genericSendFromISR(item: T, position: SendPosition): boolean {
    if (this.count >= this.length && position !== 'overwrite') return false;
    this.storeItem(item, position);
    if (this.receiveWaiters.length > 0) this.kernel.woke(this.kernel.removeFromEventList(this.receiveWaiters));
    return true;
  }

  /**
   * xQueueReceive / xQueuePeek: the item, or undefined when none came in time. A receive wakes
   * the first waiting sender; a peek leaves the item and wakes the next waiting receiver.
   */
  protected *genericReceive(ticksToWait: number, peek: boolean): Op<T | undefined> {
    const k = this.kernel;
    if (k.checkpoint()) yield Token.Checkpoint;
    let timeOut: TimeOut | null = null;
    for (;;) {
      if (this.count > 0) {
        const item = peek ? this.firstItem() : this.takeItem();
        const wake = peek ? this.receiveWaiters : this.sendWaiters;
        if (wake.length > 0 && k.removeFromEventList(wake) && k.config.preemption) yield Token.Switch;
        return item;
      }
      if (timeOut === null) {
        if (ticksToWait === 0) return undefined;
        timeOut = k.timeOut(ticksToWait);
      }
      if (k.checkForTimeOut(timeOut)) return undefined;
      k.placeOnEventList(this.receiveWaiters, timeOut.ticks);
      yield Token.Switch;
    }
  }
}

/**
 * One level of copying: arrays, typed arrays, DataViews, ArrayBuffers and plain objects get a new
 * outer container (binary ones a copy of their bytes).
 */
export function copyItem<T>(item: T): T {
  if (item === null || typeof item !== 'object') return item;
  if (Array.isArray(item)) return item.slice() as T;
  // Uint8Array.slice copies bytes on every engine mote targets (ArrayBuffer.slice and
  // ArrayBuffer.isView are not on all of them).
  if (item instanceof ArrayBuffer) return new Uint8Array(item).slice().buffer as unknown as T;
  const view = item as unknown as Uint8Array;
  if (view.buffer instanceof ArrayBuffer) {
    if (typeof view.slice === 'function') return view.slice() as unknown as T;
    return new DataView(new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice().buffer) as unknown as T;
  }
  // Plain objects are copied; an instance of a class is queued by reference, as a pointer would
  // be on FreeRTOS (copying would lose its prototype).
  if ((item as { constructor?: unknown }).constructor === Object) return Object.assign({}, item);
  return item;
}

export interface QueueOptions {
  name?: string;
}

/** A FIFO queue of copied items (xQueueCreate). */
export class Queue<T> extends QueueBase<T> {
  private readonly items: T[] = [];

  constructor(kernel: Kernel, length: number, options: QueueOptions = {}) {
    super(kernel, length, options.name ?? 'queue');
  }

  /**
   * Rejects what cannot be sent (FreeRTOS asserts) when the call is made, whether or not the
   * queue has room, so a full queue neither hides the error nor defers it to a later retry.
   */
  private check(item: T, position: SendPosition): void {
    if (item === undefined) throw new TypeError(`${this.name}: undefined cannot be queued`);
    if (position === 'overwrite' && this.length !== 1) throw rangeError(`${this.name}: overwrite is only for queues of length 1`);
  }

  protected storeItem(item: T, position: SendPosition): boolean {
    const copy = copyItem(item);
    if (position === 'overwrite') {
      this.items.length = 0;
      this.items.push(copy);
      this.count = 1;
    } else {
      if (position === 'front') this.items.unshift(copy);
      else this.items.push(copy);
      this.count++;
    }
    return false;
  }

  protected takeItem(): T {
    this.count--;
    return this.items.shift() as T;
  }

  protected firstItem(): T {
    return copyItem(this.items[0]);
  }

  /** xQueueSendToBack: false when still full after `ticksToWait`. */
  send(item: T, ticksToWait = 0): Op<boolean> {
    this.check(item, 'back');
    return this.genericSend(item, ticksToWait, 'back');
  }

  /** xQueueSendToFront. */
  sendToFront(item: T, ticksToWait = 0): Op<boolean> {
    this.check(item, 'front');
    return this.genericSend(item, ticksToWait, 'front');
  }

  /** xQueueOverwrite: length-1 queues only; always succeeds. */
  overwrite(item: T): Op<boolean> {
    this.check(item, 'overwrite');
    return this.genericSend(item, 0, 'overwrite');
  }

  /** xQueueReceive: the oldest item, or undefined after `ticksToWait`. */
  receive(ticksToWait = 0): Op<T | undefined> {
    return this.genericReceive(ticksToWait, false);
  }

  /** xQueuePeek: like receive, but the item stays. */
  peek(ticksToWait = 0): Op<T | undefined> {
    return this.genericReceive(ticksToWait, true);
  }

  sendFromISR(item: T): boolean {
    this.check(item, 'back');
    return this.genericSendFromISR(item, 'back');
  }

  sendToFrontFromISR(item: T): boolean {
    this.check(item, 'front');
    return this.genericSendFromISR(item, 'front');
  }

  overwriteFromISR(item: T): boolean {
    this.check(item, 'overwrite');
    return this.genericSendFromISR(item, 'overwrite');
  }

  /** xQueueReceiveFromISR. */
  receiveFromISR(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.takeItem();
    if (this.sendWaiters.length > 0) this.kernel.woke(this.kernel.removeFromEventList(this.sendWaiters));
    return item;
  }

  /** xQueuePeekFromISR. */
  peekFromISR(): T | undefined {
    return this.count === 0 ? undefined : this.firstItem();
  }

  /** xQueueReset: empties the queue and lets one waiting sender retry. */
  *reset(): Op {
    const k = this.kernel;
    if (k.checkpoint()) yield Token.Checkpoint;
    this.items.length = 0;
    this.count = 0;
    if (this.sendWaiters.length > 0 && k.removeFromEventList(this.sendWaiters) && k.config.preemption) yield Token.Switch;
  }
}
