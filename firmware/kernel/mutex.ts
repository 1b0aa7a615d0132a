/**
 * Mutexes (semphr.h, with tasks.c's inheritance rules).
 * - Created available. Only the holder may give it back (a give by another task returns false;
 *   FreeRTOS asserts). Not for use from interrupts.
 * - Priority inheritance: a task that blocks on a mutex raises the holder (the direct holder
 *   only) to its own priority. The holder returns to its base priority only when it holds no
 *   mutexes. If a waiter times out, a holder of exactly one mutex drops to the higher of its
 *   base priority and the highest priority still waiting.
 * - RecursiveMutex: the holder may take it again; it is released when gives match takes.
 */
import type { Kernel } from './kernel.js';
import { removeItem } from './list.js';
import { Semaphore } from './semaphore.js';
import { type Op, type Task, Token } from './task.js';

/** xTaskPriorityInherit: returns true when the holder has (or already had) inherited. */
function priorityInherit(k: Kernel, holder: Task | null): boolean {
  if (holder === null) return false;
  const running = k.current as Task;
  if (holder.priority < running.priority) {
    if (!holder.eventValueInUse) holder.eventItem.value = k.config.maxPriorities - running.priority;
    if (holder.stateItem.container === k.readyLists[holder.priority]) {
      removeItem(holder.stateItem);
      holder.priority = running.priority;
      k.addToReady(holder);
    } else {
      holder.priority = running.priority;
    }
    k.config.trace?.priorityInherit?.(holder, running.priority);
    return true;
  }
  return holder.basePriority < running.priority;
}

/** xTaskPriorityDisinherit: on give. Returns true when the holder dropped and must yield. */
function priorityDisinherit(k: Kernel, holder: Task): boolean {
  holder.mutexesHeld--;
  if (holder.priority === holder.basePriority || holder.mutexesHeld > 0) return false;
  removeItem(holder.stateItem);
  k.config.trace?.priorityDisinherit?.(holder, holder.basePriority);
  holder.priority = holder.basePriority;
  holder.eventItem.value = k.config.maxPriorities - holder.priority;
  k.addToReady(holder);
  return true;
}

/** vTaskPriorityDisinheritAfterTimeout. */
function disinheritAfterTimeout(k: Kernel, holder: Task, highestWaiting: number): void {
  const target = holder.basePriority < highestWaiting ? highestWaiting : holder.basePriority;
  if (holder.priority === target || holder.mutexesHeld !== 1) return;
  const previous = holder.priority;
  k.config.trace?.priorityDisinherit?.(holder, target);
  holder.priority = target;
  if (!holder.eventValueInUse) holder.eventItem.value = k.config.maxPriorities - target;
  if (holder.stateItem.container === k.readyLists[previous]) {
    removeItem(holder.stateItem);
    k.addToReady(holder);
  }
}

/** xSemaphoreCreateMutex. */
export class Mutex extends Semaphore {
  /** xMutexHolder. */
  holder: Task | null = null;

  constructor(kernel: Kernel, name = 'mutex') {
    super(kernel, 1, 1, name);
  }

  protected override taken(): void {
    const t = this.kernel.current as Task;
    this.holder = t;
    t.mutexesHeld++;
  }

  protected override beforeBlock(): boolean {
    return priorityInherit(this.kernel, this.holder);
  }

  protected override afterTimeout(): void {
    const waiters = this.receiveWaiters;
    const highest = waiters.length > 0 ? this.kernel.config.maxPriorities - waiters.head().value : 0;
    if (this.holder !== null) disinheritAfterTimeout(this.kernel, this.holder, highest);
  }

  protected override storeItem(): boolean {
    const yieldRequired = this.holder !== null && priorityDisinherit(this.kernel, this.holder);
    this.holder = null;
    this.count++;
    return yieldRequired;
  }

  /** xSemaphoreGive: false unless the caller holds the mutex. */
  override *give(): Op<boolean> {
    if (this.holder !== this.kernel.current) {
      // Still a kernel call: a due tick or interrupt switch is handled here, as everywhere.
      if (this.kernel.checkpoint()) yield Token.Checkpoint;
      return false;
    }
    return yield* this.genericSend(true, 0, 'back');
  }

  override giveFromISR(): boolean {
    throw new Error(`${this.name}: a mutex cannot be given from an interrupt`);
  }

  override takeFromISR(): boolean {
    throw new Error(`${this.name}: a mutex cannot be taken from an interrupt`);
  }
}

/** xSemaphoreCreateRecursiveMutex: use takeRecursive/giveRecursive. */
export class RecursiveMutex extends Mutex {
  /** uxRecursiveCallCount. */
  private depth = 0;

  constructor(kernel: Kernel, name = 'recursive mutex') {
    super(kernel, name);
  }

  /** xSemaphoreTakeRecursive. */
  *takeRecursive(ticksToWait = 0): Op<boolean> {
    if (this.holder === this.kernel.current) {
      if (this.kernel.checkpoint()) yield Token.Checkpoint;
      this.depth++;
      return true;
    }
    const ok = yield* this.take(ticksToWait);
    if (ok) this.depth++;
    return ok;
  }

  /** xSemaphoreGiveRecursive: false unless the caller holds it; released when the count hits 0. */
  *giveRecursive(): Op<boolean> {
    if (this.holder !== this.kernel.current) return yield* this.give(); // false, after its checkpoint
    if (--this.depth === 0) yield* this.give();
    else if (this.kernel.checkpoint()) yield Token.Checkpoint;
    return true;
  }
}
