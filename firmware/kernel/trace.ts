/**
 * Trace hooks, FreeRTOS's trace macros as callbacks (traceTASK_SWITCHED_IN and friends).
 * Each is optional; the kernel calls it at the same point FreeRTOS expands the macro.
 */
import type { Task } from './task.js';

export interface TraceHooks {
  /** traceTASK_SWITCHED_IN: `task` is about to run. */
  switchedIn?(task: Task): void;
  /** traceTASK_SWITCHED_OUT: `task` stops running. */
  switchedOut?(task: Task): void;
  /** traceMOVED_TASK_TO_READY_STATE. */
  movedToReady?(task: Task): void;
  /** traceTASK_PRIORITY_INHERIT: `task` (a mutex holder) is raised to `priority`. */
  priorityInherit?(task: Task, priority: number): void;
  /** traceTASK_PRIORITY_DISINHERIT: `task` goes back to `priority`. */
  priorityDisinherit?(task: Task, priority: number): void;
  /** traceTIMER_EXPIRED: a software timer's callback is about to run. */
  timerExpired?(timerName: string): void;
  /** traceTASK_INCREMENT_TICK: called with the tick count before it is incremented. */
  tick?(tickCount: number): void;
}
