/**
 * The task control block and the generator protocol tasks speak with the kernel.
 *
 * A task body is a generator function. Every kernel call a task makes is written `yield* call()`:
 * the call runs inside the task and, when it must block or give way to another task, yields a
 * Token to the kernel, which resumes the task once it is chosen to run again. Nothing else in a
 * task body may `yield`.
 */
import { ListItem } from './list.js';

/** What a task hands to the kernel when it gives up the CPU. */
export const Token = {
  /** portYIELD_WITHIN_API: choose the highest-priority ready task (maybe the same one). */
  Switch: 1,
  /** A kernel call found a tick or an interrupt's switch pending: the kernel handles it first. */
  Checkpoint: 2,
  /** The idle task has nothing to do until the next tick or interrupt. */
  Idle: 3,
} as const;
export type Token = (typeof Token)[keyof typeof Token];

/** A kernel call made from a task: `const r = yield* call()`. */
export type Op<T = void> = Generator<Token, T, void>;

/** A task's body. It should never return; if it does, the task deletes itself. */
export type TaskBody = Generator<Token, void, void>;

/** eTaskState. */
export type TaskState = 'Running' | 'Ready' | 'Blocked' | 'Suspended' | 'Deleted';

export const NotifyState = { NotWaiting: 0, Waiting: 1, Received: 2 } as const;
export type NotifyState = (typeof NotifyState)[keyof typeof NotifyState];

export interface TaskOptions {
  /** Nominal stack budget in words (configSTACK_DEPTH_TYPE); reported, not enforced by JS engines. */
  stackDepth?: number;
}

/** A task handle (FreeRTOS's TCB). Read its fields; change it only through the kernel. */
export class Task {
  /** Effective priority, raised while the task holds a mutex a higher-priority task waits for. */
  priority: number;
  /** The priority the task was given (uxBasePriority). */
  basePriority: number;
  mutexesHeld = 0;
  /** Position in a ready, delayed, suspended or termination list. */
  readonly stateItem: ListItem<Task>;
  /** Position in an object's waiting list; its value orders waiters by priority. */
  readonly eventItem: ListItem<Task>;
  /** taskEVENT_LIST_ITEM_VALUE_IN_USE: an event group has stored its bits in eventItem.value. */
  eventValueInUse = false;
  delayAborted = false;
  readonly notifyValue: number[] = [];
  readonly notifyState: NotifyState[] = [];
  /** Run-time counter total, for run-time stats. */
  runTime = 0;
  body: TaskBody | null = null;

  constructor(
    readonly name: string,
    priority: number,
    /** uxTCBNumber: creation order, from 1. */
    readonly number: number,
    readonly stackDepth: number,
    notifyEntries: number,
  ) {
    this.priority = priority;
    this.basePriority = priority;
    this.stateItem = new ListItem<Task>(this);
    this.eventItem = new ListItem<Task>(this);
    for (let i = 0; i < notifyEntries; i++) {
      this.notifyValue.push(0);
      this.notifyState.push(NotifyState.NotWaiting);
    }
  }
}
