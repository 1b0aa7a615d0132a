/**
 * Task notifications (tasks.c): each task has `notificationArrayEntries` 32-bit values, each
 * with a pending state. A notification to a waiting task readies it; otherwise it stays pending.
 * - notify actions: 'none', 'setBits', 'increment', 'overwrite' (eSetValueWithOverwrite) and
 *   'noOverwrite' (eSetValueWithoutOverwrite: fails if one is already pending).
 * - notifyTake: a light binary (clearOnExit) or counting semaphore; returns the value before
 *   the clear or decrement, 0 on timeout.
 * - notifyWait: clears `clearOnEntry` bits only when nothing is pending AND it will block
 *   (timeout above 0), as FreeRTOS's code does (its header says otherwise); returns whether a
 *   notification came and the value before `clearOnExit` bits are cleared.
 */
import type { Kernel } from './kernel.js';
import { removeItem } from './list.js';
import { NotifyState, type Op, type Task, Token } from './task.js';
import { rangeError } from './errors.js';

export type NotifyAction = 'none' | 'setBits' | 'increment' | 'overwrite' | 'noOverwrite';

export interface NotifyResult {
  /** pdPASS: false only for 'noOverwrite' onto a pending notification. */
  ok: boolean;
  /** The value before this notification (xTaskNotifyAndQuery). */
  previous: number;
}

export interface NotifyWaitResult {
  received: boolean;
  value: number;
}

function checkIndex(k: Kernel, index: number): void {
  if (index !== Math.floor(index) || index < 0 || index >= k.config.notificationArrayEntries) {
    throw rangeError(`kernel: notification index must be 0..${k.config.notificationArrayEntries - 1}, got ${index}`);
  }
}

/** Updates the value; returns whether the task was waiting on this index. */
function deliver(t: Task, index: number, value: number, action: NotifyAction, result: NotifyResult): boolean {
  const original = t.notifyState[index];
  result.previous = t.notifyValue[index];
  t.notifyState[index] = NotifyState.Received;
  switch (action) {
    case 'setBits':
      t.notifyValue[index] = (t.notifyValue[index] | value) >>> 0;
      break;
    case 'increment':
      t.notifyValue[index] = (t.notifyValue[index] + 1) >>> 0;
      break;
    case 'overwrite':
      t.notifyValue[index] = value >>> 0;
      break;
    case 'noOverwrite':
      if (original !== NotifyState.Received) t.notifyValue[index] = value >>> 0;
      else result.ok = false;
      break;
    case 'none':
      break;
    default:
      throw rangeError(`kernel: unknown notify action "${String(action)}"`);
  }
  return original === NotifyState.Waiting;
}

/** xTaskGenericNotify from a task: switches at once to the notified task if it outranks the caller. */
export function* notify(k: Kernel, task: Task, value: number, action: NotifyAction, index = 0): Op<NotifyResult> {
  if (k.checkpoint()) yield Token.Checkpoint;
  checkIndex(k, index);
  const result: NotifyResult = { ok: true, previous: 0 };
  if (deliver(task, index, value, action, result)) {
    removeItem(task.stateItem);
    k.addToReady(task);
    if (task.priority > (k.current as Task).priority && k.config.preemption) yield Token.Switch;
  }
  return result;
}

/** xTaskNotifyGive: increment, as a semaphore give. */
export function notifyGive(k: Kernel, task: Task, index = 0): Op<NotifyResult> {
  return notify(k, task, 0, 'increment', index);
}

/** xTaskGenericNotifyFromISR. */
export function notifyFromISR(k: Kernel, task: Task, value: number, action: NotifyAction, index = 0): NotifyResult {
  checkIndex(k, index);
  const result: NotifyResult = { ok: true, previous: 0 };
  if (deliver(task, index, value, action, result)) {
    if (k.schedulerSuspended === 0) {
      removeItem(task.stateItem);
      k.addToReady(task);
    } else {
      k.pendingReadyList.insertEnd(task.eventItem);
    }
    const higher = task.priority > (k.current as Task).priority;
    if (higher) k.yieldPending = true;
    k.woke(higher);
  }
  return result;
}

/** vTaskNotifyGiveFromISR. */
export function notifyGiveFromISR(k: Kernel, task: Task, index = 0): NotifyResult {
  return notifyFromISR(k, task, 0, 'increment', index);
}

/** ulTaskNotifyTake: the value before clearing (clearOnExit) or decrementing; 0 on timeout. */
export function* notifyTake(k: Kernel, clearOnExit: boolean, ticksToWait = 0, index = 0): Op<number> {
  if (k.checkpoint()) yield Token.Checkpoint;
  checkIndex(k, index);
  const t = k.current as Task;
  if (t.notifyValue[index] === 0 && ticksToWait > 0) {
    k.assertCanBlock();
    t.notifyState[index] = NotifyState.Waiting;
    k.addCurrentToDelayedList(ticksToWait, true);
    yield Token.Switch;
  }
  const value = t.notifyValue[index];
  if (value !== 0) t.notifyValue[index] = clearOnExit ? 0 : value - 1;
  t.notifyState[index] = NotifyState.NotWaiting;
  return value;
}

/** xTaskNotifyWait. */
export function* notifyWait(k: Kernel, clearOnEntry: number, clearOnExit: number, ticksToWait = 0, index = 0): Op<NotifyWaitResult> {
  if (k.checkpoint()) yield Token.Checkpoint;
  checkIndex(k, index);
  const t = k.current as Task;
  // Only a call that will block clears bits on entry (tasks.c on FreeRTOS-Kernel main; its
  // header, and older kernels, clear whenever nothing is pending).
  if (t.notifyState[index] !== NotifyState.Received && ticksToWait > 0) {
    k.assertCanBlock(); // before any change, so a misuse leaves no trace
    t.notifyValue[index] = (t.notifyValue[index] & ~clearOnEntry) >>> 0;
    t.notifyState[index] = NotifyState.Waiting;
    k.addCurrentToDelayedList(ticksToWait, true);
    yield Token.Switch;
  }
  const value = t.notifyValue[index];
  const received = t.notifyState[index] === NotifyState.Received;
  if (received) t.notifyValue[index] = (value & ~clearOnExit) >>> 0;
  t.notifyState[index] = NotifyState.NotWaiting;
  return { received, value };
}

/** xTaskNotifyStateClear: true if a notification was pending. */
export function notifyStateClear(k: Kernel, task: Task, index = 0): boolean {
  checkIndex(k, index);
  if (task.notifyState[index] !== NotifyState.Received) return false;
  task.notifyState[index] = NotifyState.NotWaiting;
  return true;
}

/** ulTaskNotifyValueClear: clears `bits`, returns the value before. */
export function notifyValueClear(k: Kernel, task: Task, bits: number, index = 0): number {
  checkIndex(k, index);
  const before = task.notifyValue[index];
  task.notifyValue[index] = (before & ~bits) >>> 0;
  return before;
}
