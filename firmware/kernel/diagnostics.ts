/**
 * Diagnostics: uxTaskGetSystemState, vTaskList and vTaskGetRunTimeStats.
 * JS engines do not expose a task's stack use, so the high-water mark is reported only when a
 * port supplies `stackProbe`; otherwise vTaskList prints "-" in its column.
 */
import type { Kernel } from './kernel.js';
import type { Task, TaskState } from './task.js';

export interface TaskStatus {
  name: string;
  number: number;
  state: TaskState;
  priority: number;
  basePriority: number;
  runTime: number;
  stackDepth: number;
  stackHighWaterMark: number | null;
}

export type StackProbe = (task: Task) => number | null;

/** uxTaskGetSystemState: every task, highest ready priority first. */
export function taskStatus(k: Kernel, stackProbe: StackProbe | null = null): TaskStatus[] {
  return k.tasks().map((t) => ({
    name: t.name,
    number: t.number,
    state: k.stateOf(t),
    priority: t.priority,
    basePriority: t.basePriority,
    runTime: t.runTime,
    stackDepth: t.stackDepth,
    stackHighWaterMark: stackProbe === null ? null : stackProbe(t),
  }));
}

const STATE_CHAR: Record<TaskState, string> = { Running: 'X', Ready: 'R', Blocked: 'B', Suspended: 'S', Deleted: 'D' };

function padName(k: Kernel, name: string): string {
  let out = name;
  while (out.length < k.config.maxTaskNameLength - 1) out += ' ';
  return out;
}

/** vTaskList: `name\tstate\tpriority\tstack high-water mark\tnumber`, one line a task. */
export function taskList(k: Kernel, stackProbe: StackProbe | null = null): string {
  let out = '';
  for (const s of taskStatus(k, stackProbe)) {
    const hwm = s.stackHighWaterMark === null ? '-' : String(s.stackHighWaterMark);
    out += `${padName(k, s.name)}\t${STATE_CHAR[s.state]}\t${s.priority}\t${hwm}\t${s.number}\r\n`;
  }
  return out;
}

/**
 * vTaskGetRunTimeStats: `name\tcount\t\tpercent%`, "<1%" below one percent. As in FreeRTOS the
 * total is divided by 100 in whole numbers first, and nothing is listed while that is 0.
 */
export function runTimeStats(k: Kernel): string {
  const all = taskStatus(k);
  const hundredth = Math.floor(k.runTimeCounter() / 100);
  let out = '';
  if (hundredth === 0) return out;
  for (const s of all) {
    const percent = Math.floor(s.runTime / hundredth);
    out += `${padName(k, s.name)}\t${s.runTime}\t\t${percent > 0 ? `${percent}%` : '<1%'}\r\n`;
  }
  return out;
}
