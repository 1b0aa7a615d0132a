/** mote's FreeRTOS-style kernel. See docs/kernel.md for the model and its limits. */
export { Kernel, type TimeOut, type TimeSource, type WakeTime } from './kernel.js';
export { MAX_DELAY, defaults, resolveConfig, type KernelConfig } from './config.js';
export { Task, Token, type Op, type TaskBody, type TaskOptions, type TaskState } from './task.js';
export { Queue, QueueBase, copyItem, type SendPosition } from './queue.js';
export { Semaphore, BinarySemaphore, CountingSemaphore } from './semaphore.js';
export { Mutex, RecursiveMutex } from './mutex.js';
export { EventGroup } from './event-group.js';
export { StreamBuffer, MessageBuffer } from './stream-buffer.js';
export { Timer, type TimerCallback } from './timer.js';
export {
  notify,
  notifyGive,
  notifyFromISR,
  notifyGiveFromISR,
  notifyTake,
  notifyWait,
  notifyStateClear,
  notifyValueClear,
  type NotifyAction,
  type NotifyResult,
  type NotifyWaitResult,
} from './notify.js';
export { VirtualClock, RealClock, type EngineTimer } from './clock.js';
export { taskList, runTimeStats, taskStatus, type TaskStatus, type StackProbe } from './diagnostics.js';
export type { TraceHooks } from './trace.js';
