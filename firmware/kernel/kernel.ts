/**
 * The scheduler and task control: tasks.c's rules on a single-threaded JS engine.
 *
 * How JS changes the picture (and what stays exact):
 * - Tasks are generators. A task runs until it makes a kernel call that blocks or gives way;
 *   the call then yields to the kernel, which chooses the next task by FreeRTOS's rules.
 * - Preemptive mode (config.preemption): a kernel call that readies a task of strictly higher
 *   priority than the caller switches to it before the call returns, as in FreeRTOS.
 * - JS cannot be interrupted, so a tick (or an interrupt that wakes a higher-priority task)
 *   that falls due while a task runs is acted on at that task's next kernel call, before the
 *   call does anything. A task that runs JS for a long time without calling the kernel delays
 *   ticks and host callbacks for that long; it does not lose them.
 * - Time: on the virtual clock a tick is due when the CPU idles or after `workPerTick` kernel
 *   calls; on the real clock, when the engine's timer says a tick period has passed.
 * - Host callbacks (pin edges, sockets) enter through `isr()`, call only FromISR functions,
 *   and the kernel switches on exit when they woke a higher-priority task (portYIELD_FROM_ISR).
 */
import { List, ListItem, removeItem } from './list.js';
import { type KernelConfig, MAX_DELAY, resolveConfig } from './config.js';
import { NotifyState, type Op, Task, type TaskBody, type TaskOptions, type TaskState, Token } from './task.js';
import { TimerService } from './timer-service.js';
import { rangeError } from './errors.js';

/** Where the kernel learns about real time; the virtual clock needs none. */
export interface TimeSource {
  /** True when a tick period has passed since the last tick was processed. */
  due(): boolean;
  /** Run-time stats counter (portGET_RUN_TIME_COUNTER_VALUE). */
  runTimeCounter(): number;
}

/** xTimeOutType plus the ticks still to wait, updated by `checkForTimeOut`. */
export interface TimeOut {
  entry: number;
  ticks: number;
}

/** The wake time `delayUntil` advances by one period per call (pxPreviousWakeTime). */
export interface WakeTime {
  previous: number;
}

function invalid(message: string): never {
  throw rangeError(`kernel: ${message}`);
}

export class Kernel {
  readonly config: KernelConfig;
  readonly readyLists: List<Task>[] = [];
  readonly delayedList = new List<Task>();
  readonly pendingReadyList = new List<Task>();
  readonly suspendedList = new List<Task>();
  readonly terminationList = new List<Task>();
  /** pxCurrentTCB: the running task (the next to run before `start`). */
  current: Task | null = null;
  tickCount = 0;
  started = false;
  /** uxSchedulerSuspended: nesting depth of `suspendAll`. */
  schedulerSuspended = 0;
  yieldPending = false;
  /** Tasks in existence, counting deleted ones the idle task has not yet freed. */
  taskCount = 0;
  idleTask: Task | null = null;
  readonly timers: TimerService;

  private topReadyPriority = 0;
  private pendedTicks = 0;
  private nextUnblockTime = Infinity;
  private taskNumber = 0;
  /** Kernel calls since the last tick: the virtual CPU's notion of time within a tick. */
  private work = 0;
  private dispatching = false;
  private isrDepth = 0;
  /** A FromISR call woke a task that outranks the running one (xHigherPriorityTaskWoken). */
  private isrWoken = false;
  /** An interrupt asked for a switch while a task was running: done at its next kernel call. */
  private isrSwitch = false;
  private time: TimeSource | null = null;
  private switchedInAt = 0;
  /** Errors from hooks and timer callbacks, thrown to the host once the running task yields. */
  private readonly raised: unknown[] = [];

  constructor(config: Partial<KernelConfig> = {}) {
    this.config = resolveConfig(config);
    for (let p = 0; p < this.config.maxPriorities; p++) this.readyLists.push(new List<Task>());
    this.timers = new TimerService(this);
  }

  // ---------------------------------------------------------------- starting and time

  /**
   * vTaskStartScheduler: creates the idle task and the timer service task, then runs tasks
   * until the CPU idles. With no `time` source the kernel is on the virtual clock and moves
   * only when `tick()` is called (see VirtualClock); a RealClock passes itself here.
   */
  start(time: TimeSource | null = null): void {
    if (this.started) throw new Error('kernel: already started');
    this.time = time;
    const idle = this.createTask('IDLE', 0, () => this.idleBody(), { stackDepth: this.config.minimalStackSize });
    this.idleTask = idle;
    this.timers.createTask();
    this.started = true;
    this.nextUnblockTime = Infinity;
    this.switchedInAt = this.runTimeCounter();
    this.config.trace?.switchedIn?.(this.current as Task);
    this.dispatch();
  }

  /**
   * The tick interrupt, `count` times, then run tasks until the CPU idles again.
   * Called by the clocks; never from inside a task.
   */
  tick(count = 1): void {
    if (!this.started) throw new Error('kernel: tick() before start()');
    if (this.dispatching) throw new Error('kernel: tick() called from inside a task');
    for (let i = 0; i < count; i++) {
      this.work = 0;
      const switchRequired = this.incrementTick() || this.isrSwitch;
      this.isrSwitch = false;
      if (switchRequired) this.switchContext();
    }
    this.dispatch();
  }

  /**
   * Runs a host callback as an interrupt handler: inside it, use only FromISR calls. On exit,
   * if it woke a task that outranks the running one, the kernel switches to it (at once when
   * the CPU was idle or between tasks; at the running task's next kernel call otherwise).
   */
  isr<T>(handler: () => T): T {
    if (this.isrDepth === 0) this.isrWoken = false;
    this.isrDepth++;
    try {
      return handler();
    } finally {
      if (--this.isrDepth === 0 && this.started) {
        if (this.isrWoken) {
          this.isrWoken = false;
          // With the scheduler suspended, switchContext only pends the yield (xYieldPending).
          if (this.dispatching && this.schedulerSuspended === 0) this.isrSwitch = true;
          else this.switchContext();
        }
        this.dispatch();
      }
    }
  }

  /** Records that a FromISR call woke a higher-priority task (xHigherPriorityTaskWoken). */
  woke(higher: boolean): boolean {
    if (higher) this.isrWoken = true;
    return higher;
  }

  /** pdMS_TO_TICKS. */
  msToTicks(ms: number): number {
    return Math.floor((ms * this.config.tickRateHz) / 1000);
  }

  /**
   * Run-time counter: the real clock's, or on the virtual clock the kernel calls made so far
   * (each tick worth `workPerTick`, an idle CPU's remainder credited to the idle task).
   */
  runTimeCounter(): number {
    if (this.time !== null) return this.time.runTimeCounter();
    return this.tickCount * this.config.workPerTick + Math.min(this.work, this.config.workPerTick);
  }

  // ---------------------------------------------------------------- the run loop

  /** Resumes the running task until it blocks, and so on, until the CPU idles or a tick is due. */
  private dispatch(): void {
    if (this.dispatching || !this.started) return;
    this.dispatching = true;
    try {
      for (;;) {
        if (this.raised.length > 0) throw this.raised.shift();
        const task = this.current as Task;
        let step: IteratorResult<Token, void>;
        try {
          step = (task.body as TaskBody).next();
        } catch (error) {
          // The task is gone; the kernel stays consistent and the error reaches the host.
          this.endTask(task);
          throw error;
        }
        if (step.done) {
          // FreeRTOS tasks must not return; here a task that returns deletes itself.
          this.endTask(task);
          continue;
        }
        const token = step.value;
        if (token === Token.Switch) {
          this.switchContext();
        } else if (token === Token.Checkpoint) {
          if (this.tickDue()) return;
          this.isrSwitch = false;
          this.switchContext();
        } else if (token === Token.Idle) {
          if (this.isrSwitch || (this.config.preemption && this.yieldPending)) {
            this.isrSwitch = false;
            this.switchContext();
          } else if (this.onlyIdleReady() || ++this.work >= this.config.workPerTick || this.tickDue()) {
            return;
          }
        } else {
          // Not from a kernel call (`yield` where `yield*` was meant): the task is broken, and is
          // deleted as one that throws is; the kernel stays consistent and the error reaches the host.
          this.endTask(task);
          const what = token !== null && typeof token === 'object' ? Object.prototype.toString.call(token) : String(token);
          throw new TypeError(`kernel: task "${task.name}" yielded ${what}; kernel calls are made with \`yield* call()\``);
        }
      }
    } finally {
      this.dispatching = false;
      if (this.raised.length > 0) throw this.raised.shift();
    }
  }

  /**
   * The running task ended (returned, threw, or yielded something else): it is deleted. If it had
   * the scheduler suspended, that ends with it; otherwise nothing could ever run again.
   */
  private endTask(task: Task): void {
    if (this.schedulerSuspended > 0) {
      this.schedulerSuspended = 1;
      this.resumeAllInternal();
    }
    this.removeTask(task);
    this.switchContext();
  }

  /**
   * An idle hook or a timer callback threw: the system task it ran in goes on, and the error
   * reaches the host (the caller of tick/isr/start) as soon as the running task yields.
   */
  reportError(error: unknown): void {
    this.raised.push(error);
  }

  /** Tick counts are whole numbers from 0 (MAX_DELAY included). */
  checkTicks(ticks: number, what = 'ticks'): void {
    if (typeof ticks !== 'number' || !(ticks >= 0) || ticks !== Math.floor(ticks)) {
      invalid(`${what} must be a whole number of ticks from 0, got ${ticks}`);
    }
  }

  private tickDue(): boolean {
    return this.work >= this.config.workPerTick || (this.time !== null && this.time.due());
  }

  /**
   * Called first by every kernel call a task makes: counts the call as CPU time and says
   * whether a tick or a switch an interrupt asked for must be handled before the call runs.
   */
  checkpoint(): boolean {
    this.work++;
    if (this.schedulerSuspended > 0) return false;
    return this.isrSwitch || (this.config.preemption && this.yieldPending) || this.tickDue();
  }

  private onlyIdleReady(): boolean {
    for (let p = this.config.maxPriorities - 1; p > 0; p--) if (this.readyLists[p].length > 0) return false;
    return this.readyLists[0].length === 1;
  }

  private *idleBody(): TaskBody {
    for (;;) {
      this.freeTerminated();
      if (!this.config.preemption) yield Token.Switch;
      else if (this.config.idleShouldYield && this.readyLists[0].length > 1) yield Token.Switch;
      if (this.config.idleHook) {
        try {
          this.config.idleHook();
        } catch (error) {
          this.reportError(error);
        }
      }
      yield Token.Idle;
    }
  }

  /** prvCheckTasksWaitingTermination: tasks that deleted themselves are freed by idle. */
  private freeTerminated(): void {
    while (this.terminationList.length > 0) {
      const t = this.terminationList.head().owner;
      removeItem(t.stateItem);
      t.body = null;
      this.taskCount--;
    }
  }

  // ---------------------------------------------------------------- scheduling core

  /** prvAddTaskToReadyList: at the end of its priority's round-robin order. */
  addToReady(t: Task): void {
    this.config.trace?.movedToReady?.(t);
    if (t.priority > this.topReadyPriority) this.topReadyPriority = t.priority;
    this.readyLists[t.priority].insertEnd(t.stateItem);
  }

  /** vTaskSwitchContext: the highest-priority ready task runs next; equal ones take turns. */
  switchContext(): void {
    if (this.schedulerSuspended > 0) {
      this.yieldPending = true;
      return;
    }
    this.yieldPending = false;
    // This switch also serves any switch an interrupt asked for (pended yields coalesce).
    this.isrSwitch = false;
    const out = this.current as Task;
    const now = this.runTimeCounter();
    out.runTime += now - this.switchedInAt;
    this.switchedInAt = now;
    this.config.trace?.switchedOut?.(out);
    let top = this.topReadyPriority;
    while (this.readyLists[top].length === 0) top--;
    this.current = this.readyLists[top].nextOwner();
    this.topReadyPriority = top;
    this.config.trace?.switchedIn?.(this.current);
  }

  /** xTaskIncrementTick: returns true when a context switch is required. */
  private incrementTick(): boolean {
    const c = this.config;
    let switchRequired = false;
    c.trace?.tick?.(this.tickCount);
    if (this.schedulerSuspended > 0) {
      this.pendedTicks++;
      if (c.tickHook) c.tickHook();
      return false;
    }
    const tick = ++this.tickCount;
    const running = this.current as Task;
    if (tick >= this.nextUnblockTime) {
      for (;;) {
        if (this.delayedList.length === 0) {
          this.nextUnblockTime = Infinity;
          break;
        }
        const item = this.delayedList.head();
        if (tick < item.value) {
          this.nextUnblockTime = item.value;
          break;
        }
        const t = item.owner;
        removeItem(t.stateItem);
        if (t.eventItem.container !== null) removeItem(t.eventItem);
        this.addToReady(t);
        if (c.preemption && t.priority > running.priority) switchRequired = true;
      }
    }
    if (c.preemption && c.timeSlicing && this.readyLists[running.priority].length > 1) switchRequired = true;
    if (this.pendedTicks === 0 && c.tickHook) c.tickHook();
    if (c.preemption && this.yieldPending) switchRequired = true;
    return switchRequired;
  }

  private resetNextUnblockTime(): void {
    this.nextUnblockTime = this.delayedList.length === 0 ? Infinity : this.delayedList.head().value;
  }

  /** prvAddCurrentTaskToDelayedList. */
  addCurrentToDelayedList(ticks: number, canBlockIndefinitely: boolean): void {
    const t = this.current as Task;
    t.delayAborted = false;
    removeItem(t.stateItem);
    if (ticks === MAX_DELAY && canBlockIndefinitely) {
      this.suspendedList.insertEnd(t.stateItem);
      return;
    }
    const wake = this.tickCount + ticks;
    t.stateItem.value = wake;
    this.delayedList.insert(t.stateItem);
    if (wake < this.nextUnblockTime) this.nextUnblockTime = wake;
  }

  /** Throws when the running task may not block (FreeRTOS asserts). */
  assertCanBlock(): void {
    if (this.schedulerSuspended > 0) throw new Error('kernel: a task cannot block while the scheduler is suspended');
    if (this.isrDepth > 0) throw new Error('kernel: blocking call inside isr(); use the FromISR form');
  }

  /** vTaskPlaceOnEventList: waiters ordered by priority, equal priorities FIFO. */
  placeOnEventList(list: List<Task>, ticks: number): void {
    this.assertCanBlock();
    list.insert((this.current as Task).eventItem);
    this.addCurrentToDelayedList(ticks, true);
  }

  /** vTaskPlaceOnUnorderedEventList: event groups keep the bits waited for in the item. */
  placeOnUnorderedEventList(list: List<Task>, value: number, ticks: number): void {
    this.assertCanBlock();
    const t = this.current as Task;
    t.eventItem.value = value;
    t.eventValueInUse = true;
    list.insertEnd(t.eventItem);
    this.addCurrentToDelayedList(ticks, true);
  }

  /**
   * xTaskRemoveFromEventList: readies the head waiter. Returns true (and pends a yield) when it
   * outranks the running task.
   */
  removeFromEventList(list: List<Task>): boolean {
    const t = list.head().owner;
    removeItem(t.eventItem);
    if (this.schedulerSuspended === 0) {
      removeItem(t.stateItem);
      this.addToReady(t);
    } else {
      this.pendingReadyList.insertEnd(t.eventItem);
    }
    if (t.priority > (this.current as Task).priority) {
      this.yieldPending = true;
      return true;
    }
    return false;
  }

  /** vTaskRemoveFromUnorderedEventList: stores `value` in the waiter's item and readies it. */
  removeFromUnorderedEventList(item: ListItem<Task>, value: number): void {
    const t = item.owner;
    item.value = value;
    removeItem(item);
    removeItem(t.stateItem);
    this.addToReady(t);
    if (t.priority > (this.current as Task).priority) this.yieldPending = true;
  }

  /** uxTaskResetEventItemValue: returns what an event group stored, restoring the priority key. */
  resetEventItemValue(): number {
    const t = this.current as Task;
    const v = t.eventItem.value;
    t.eventItem.value = this.config.maxPriorities - t.priority;
    t.eventValueInUse = false;
    return v;
  }

  /** vTaskInternalSetTimeOutState. */
  timeOut(ticks: number): TimeOut {
    this.checkTicks(ticks);
    return { entry: this.tickCount, ticks };
  }

  /**
   * xTaskCheckForTimeOut: true when the wait is over (timed out or aborted); otherwise
   * shortens `timeOut.ticks` by the time already waited.
   */
  checkForTimeOut(timeOut: TimeOut): boolean {
    const t = this.current as Task;
    if (t.delayAborted) {
      t.delayAborted = false;
      return true;
    }
    if (timeOut.ticks === MAX_DELAY) return false;
    const elapsed = this.tickCount - timeOut.entry;
    if (elapsed < timeOut.ticks) {
      timeOut.ticks -= elapsed;
      timeOut.entry = this.tickCount;
      return false;
    }
    timeOut.ticks = 0;
    return true;
  }

  // ---------------------------------------------------------------- scheduler suspension

  /** vTaskSuspendAll: no switches until the matching resumeAll; interrupts still run. */
  suspendAll(): void {
    this.schedulerSuspended++;
  }

  /** xTaskResumeAll: readies what interrupts woke meanwhile, catches up on ticks; may switch. */
  *resumeAll(): Op<boolean> {
    if (this.schedulerSuspended === 0) throw new Error('kernel: resumeAll without suspendAll');
    const yielded = this.resumeAllInternal();
    if (yielded) yield Token.Switch;
    // Still a kernel call: a tick that fell due while the scheduler was suspended is acted on
    // here (where FreeRTOS processes pended ticks), and a suspendAll/resumeAll loop sees ticks.
    else if (this.checkpoint()) yield Token.Checkpoint;
    return yielded;
  }

  private resumeAllInternal(): boolean {
    if (--this.schedulerSuspended > 0) return false;
    const running = this.current as Task;
    while (this.pendingReadyList.length > 0) {
      const t = this.pendingReadyList.head().owner;
      removeItem(t.eventItem);
      removeItem(t.stateItem);
      this.addToReady(t);
      if (t.priority > running.priority) this.yieldPending = true;
    }
    this.resetNextUnblockTime();
    for (; this.pendedTicks > 0; this.pendedTicks--) {
      if (this.incrementTick()) this.yieldPending = true;
    }
    return this.yieldPending && this.config.preemption;
  }

  // ---------------------------------------------------------------- tasks

  /**
   * xTaskCreate. Callable before start, from host code and from tasks; a task created by a
   * running task that it outranks runs at the creator's next kernel call (use `spawn` from a
   * task to switch at once).
   */
  createTask(name: string, priority: number, body: (self: Task) => TaskBody, options: TaskOptions = {}): Task {
    this.checkPriority(priority);
    if (typeof body !== 'function') invalid(`task "${name}" needs a generator function body`);
    const stackDepth = options.stackDepth ?? this.config.minimalStackSize;
    if (stackDepth !== Math.floor(stackDepth) || stackDepth < 1) invalid(`task "${name}": stackDepth must be a positive whole number`);
    const t = new Task(
      String(name).slice(0, this.config.maxTaskNameLength - 1),
      priority,
      ++this.taskNumber,
      stackDepth,
      this.config.notificationArrayEntries,
    );
    t.eventItem.value = this.config.maxPriorities - priority;
    t.body = body(t);
    this.taskCount++;
    if (this.current === null) this.current = t;
    else if (!this.started && this.current.priority <= priority) this.current = t;
    this.addToReady(t);
    if (this.started && priority > this.current.priority) {
      this.yieldPending = true;
      if (this.isrDepth > 0) this.isrWoken = true;
    }
    return t;
  }

  /** xTaskCreate from a task: switches to the new task at once if it outranks the caller. */
  *spawn(name: string, priority: number, body: (self: Task) => TaskBody, options: TaskOptions = {}): Op<Task> {
    if (this.checkpoint()) yield Token.Checkpoint;
    const t = this.createTask(name, priority, body, options);
    if (this.config.preemption && t.priority > (this.current as Task).priority) yield Token.Switch;
    return t;
  }

  /** vTaskDelete (null: the calling task, which never returns from this call). */
  *deleteTask(task: Task | null = null): Op {
    if (this.checkpoint()) yield Token.Checkpoint;
    const t = task ?? (this.current as Task);
    if (t === this.current && this.schedulerSuspended > 0) throw new Error('kernel: a task cannot delete itself while the scheduler is suspended');
    this.removeTask(t);
    if (t === this.current) yield Token.Switch;
  }

  private removeTask(t: Task): void {
    if (t === this.idleTask) throw new Error('kernel: the idle task cannot be deleted');
    removeItem(t.stateItem);
    if (t.eventItem.container !== null) removeItem(t.eventItem);
    this.taskNumber++;
    if (t === this.current) {
      this.terminationList.insertEnd(t.stateItem);
    } else {
      this.taskCount--;
      t.body = null;
      this.resetNextUnblockTime();
    }
  }

  /** vTaskDelay: block for `ticks` from now; 0 just yields. MAX_DELAY is a finite wait here. */
  *delay(ticks: number): Op {
    if (this.checkpoint()) yield Token.Checkpoint;
    this.checkTicks(ticks);
    if (ticks > 0) {
      this.assertCanBlock();
      this.addCurrentToDelayedList(ticks, false);
    }
    yield Token.Switch;
  }

  /**
   * xTaskDelayUntil: wake at `wake.previous + period`, then advance `wake.previous` by exactly
   * one period (missed periods are not skipped). Returns false, without blocking, when that
   * time has already passed. Always yields, as FreeRTOS does.
   */
  *delayUntil(wake: WakeTime, period: number): Op<boolean> {
    if (this.checkpoint()) yield Token.Checkpoint;
    if (!(period > 0)) invalid('delayUntil needs a period above 0');
    this.assertCanBlock(); // FreeRTOS asserts this whether or not the call would block
    const now = this.tickCount;
    const timeToWake = wake.previous + period;
    const shouldDelay = timeToWake > now;
    wake.previous = timeToWake;
    if (shouldDelay) this.addCurrentToDelayedList(timeToWake - now, false);
    yield Token.Switch;
    return shouldDelay;
  }

  /** taskYIELD: equal-priority ready tasks take their turn. */
  *taskYield(): Op {
    if (this.checkpoint()) yield Token.Checkpoint;
    yield Token.Switch;
  }

  /** vTaskSuspend (null: the caller). Not counted; cancels any wait, including a notify wait. */
  *suspend(task: Task | null = null): Op {
    if (this.checkpoint()) yield Token.Checkpoint;
    const t = task ?? (this.current as Task);
    if (t === this.current) this.assertCanBlock();
    removeItem(t.stateItem);
    if (t.eventItem.container !== null) removeItem(t.eventItem);
    this.suspendedList.insertEnd(t.stateItem);
    for (let i = 0; i < t.notifyState.length; i++) {
      if (t.notifyState[i] === NotifyState.Waiting) t.notifyState[i] = NotifyState.NotWaiting;
    }
    this.resetNextUnblockTime();
    if (t === this.current) yield Token.Switch;
  }

  /**
   * prvTaskIsTaskSuspended: in the suspended list, and not merely blocked without a timeout, on an
   * object or on a notification.
   */
  private isSuspended(t: Task): boolean {
    if (t.stateItem.container !== this.suspendedList || t.eventItem.container !== null) return false;
    for (let i = 0; i < t.notifyState.length; i++) if (t.notifyState[i] === NotifyState.Waiting) return false;
    return true;
  }

  /** vTaskResume: one resume undoes any number of suspends. */
  *resume(task: Task): Op {
    if (this.checkpoint()) yield Token.Checkpoint;
    if (task === this.current || !this.isSuspended(task)) return;
    removeItem(task.stateItem);
    this.addToReady(task);
    if (this.config.preemption && task.priority > (this.current as Task).priority) yield Token.Switch;
  }

  /** xTaskResumeFromISR: returns true when the resumed task outranks the running one. */
  resumeFromISR(task: Task): boolean {
    if (!this.isSuspended(task)) return false;
    let higher = false;
    if (this.schedulerSuspended === 0) {
      higher = task.priority > (this.current as Task).priority;
      if (higher) this.yieldPending = true;
      removeItem(task.stateItem);
      this.addToReady(task);
    } else {
      this.pendingReadyList.insertEnd(task.eventItem);
    }
    return this.woke(higher);
  }

  /**
   * vTaskPrioritySet (null: the caller). Yields if it raises another task above the running one
   * or lowers the running one. While a task has inherited a priority, only its base priority
   * changes unless the new one is higher.
   */
  *setPriority(task: Task | null, priority: number): Op {
    if (this.checkpoint()) yield Token.Checkpoint;
    this.checkPriority(priority);
    const t = task ?? (this.current as Task);
    const running = this.current as Task;
    if (t.basePriority === priority) return;
    let yieldRequired = false;
    if (priority > t.basePriority) {
      if (t !== running && priority > running.priority) yieldRequired = true;
    } else if (t === running) {
      yieldRequired = true;
    }
    const priorityOnEntry = t.priority;
    if (t.basePriority === t.priority || priority > t.priority) t.priority = priority;
    t.basePriority = priority;
    if (!t.eventValueInUse) t.eventItem.value = this.config.maxPriorities - priority;
    if (t.stateItem.container === this.readyLists[priorityOnEntry]) {
      removeItem(t.stateItem);
      this.addToReady(t);
    }
    if (yieldRequired && this.config.preemption) yield Token.Switch;
  }

  /** uxTaskPriorityGet (the effective priority, including any inherited one). */
  priorityOf(task: Task | null = null): number {
    return (task ?? (this.current as Task)).priority;
  }

  /** xTaskAbortDelay: a blocked task's call returns at once, as a timeout. */
  *abortDelay(task: Task): Op<boolean> {
    if (this.checkpoint()) yield Token.Checkpoint;
    if (this.stateOf(task) !== 'Blocked') return false;
    removeItem(task.stateItem);
    if (task.eventItem.container !== null) {
      removeItem(task.eventItem);
      task.delayAborted = true;
    }
    this.addToReady(task);
    if (this.config.preemption && task.priority > (this.current as Task).priority) yield Token.Switch;
    return true;
  }

  /** eTaskGetState. */
  stateOf(t: Task): TaskState {
    if (t === this.current && this.started && t.stateItem.container !== this.terminationList) return 'Running';
    if (t.eventItem.container === this.pendingReadyList) return 'Ready';
    const list = t.stateItem.container;
    if (list === this.delayedList) return 'Blocked';
    if (list === this.suspendedList) {
      if (t.eventItem.container !== null) return 'Blocked';
      for (let i = 0; i < t.notifyState.length; i++) if (t.notifyState[i] === NotifyState.Waiting) return 'Blocked';
      return 'Suspended';
    }
    if (list === null || list === this.terminationList) return 'Deleted';
    return 'Ready';
  }

  /** Every task that exists, in uxTaskGetSystemState's order. */
  tasks(): Task[] {
    let out: Task[] = [];
    for (let p = this.config.maxPriorities - 1; p >= 0; p--) out = out.concat(this.readyLists[p].owners());
    return out.concat(this.delayedList.owners(), this.terminationList.owners(), this.suspendedList.owners());
  }

  private checkPriority(priority: number): void {
    if (typeof priority !== 'number' || priority !== Math.floor(priority) || priority < 0 || priority >= this.config.maxPriorities) {
      invalid(`priority must be a whole number from 0 to ${this.config.maxPriorities - 1}, got ${priority}`);
    }
  }
}
