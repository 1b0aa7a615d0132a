/**
 * Kernel configuration: the FreeRTOSConfig.h settings mote's kernel honours, their defaults and
 * their sanity checks, in one place.
 */
import type { TraceHooks } from './trace.js';
import { rangeError } from './errors.js';

/** portMAX_DELAY: a blocking call given this waits forever (vTaskDelay treats it as finite). */
export const MAX_DELAY = 0xffffffff;

export interface KernelConfig {
  /** configUSE_PREEMPTION: true = preemptive (1), false = cooperative (0). */
  preemption: boolean;
  /** configUSE_TIME_SLICING: with preemption, the tick rotates equal-priority ready tasks. */
  timeSlicing: boolean;
  /** configMAX_PRIORITIES: priorities are 0 .. maxPriorities - 1. */
  maxPriorities: number;
  /** configIDLE_SHOULD_YIELD: the idle task yields to other priority-0 tasks each loop. */
  idleShouldYield: boolean;
  /** configTIMER_TASK_PRIORITY. */
  timerTaskPriority: number;
  /** configTIMER_QUEUE_LENGTH: timer commands that may wait for the service task. */
  timerQueueLength: number;
  /** configTASK_NOTIFICATION_ARRAY_ENTRIES. */
  notificationArrayEntries: number;
  /** configMAX_TASK_NAME_LEN: names are cut to this length minus one. */
  maxTaskNameLength: number;
  /** configMINIMAL_STACK_SIZE: the idle and timer tasks' nominal stack budget. */
  minimalStackSize: number;
  /** configTICK_RATE_HZ: used to convert milliseconds to ticks and by the real clock. */
  tickRateHz: number;
  /**
   * Kernel calls a task may make before the next tick is due on the virtual clock. JS cannot be
   * interrupted, so time passes for tasks that never block only as they call the kernel.
   */
  workPerTick: number;
  /** vApplicationIdleHook: runs once per idle-task loop; must not block. */
  idleHook?: () => void;
  /** vApplicationTickHook: runs inside every tick; must not block. */
  tickHook?: () => void;
  trace?: TraceHooks;
}

export const defaults: KernelConfig = {
  preemption: true,
  timeSlicing: true,
  maxPriorities: 8,
  idleShouldYield: true,
  timerTaskPriority: 7,
  timerQueueLength: 10,
  notificationArrayEntries: 1,
  maxTaskNameLength: 16,
  minimalStackSize: 128,
  tickRateHz: 100,
  workPerTick: 1000,
};

function whole(name: string, v: number, min: number, max: number): void {
  if (typeof v !== 'number' || v !== Math.floor(v) || v < min || v > max) {
    throw rangeError(`kernel config: ${name} must be a whole number from ${min} to ${max}, got ${v}`);
  }
}

/** Fills in defaults and rejects impossible settings with a RangeError that names the setting. */
export function resolveConfig(given: Partial<KernelConfig> = {}): KernelConfig {
  const c = Object.assign({}, defaults, given);
  if (given.timerTaskPriority === undefined) c.timerTaskPriority = c.maxPriorities - 1;
  whole('maxPriorities', c.maxPriorities, 1, 32);
  whole('timerTaskPriority', c.timerTaskPriority, 0, c.maxPriorities - 1);
  whole('timerQueueLength', c.timerQueueLength, 1, 1 << 16);
  whole('notificationArrayEntries', c.notificationArrayEntries, 1, 32);
  whole('maxTaskNameLength', c.maxTaskNameLength, 2, 256);
  whole('minimalStackSize', c.minimalStackSize, 1, 1 << 24);
  whole('tickRateHz', c.tickRateHz, 1, 100000);
  whole('workPerTick', c.workPerTick, 1, 1 << 30);
  return c;
}
