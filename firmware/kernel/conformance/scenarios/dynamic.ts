/**
 * dynamic.c: suspend/resume, priority changes and scheduler suspension.
 * - A continuous counter (CNT, 1) never blocks: it raises itself above the controller (C_CTRL, 1)
 *   around each increment and lowers itself again (which yields, preemptive; it calls taskYield
 *   when cooperative, as the demo does). The controller suspends and resumes it, sleeps, and
 *   checks it counted, under vTaskSuspendAll.
 * - A limited counter (LIM, 2) is resumed by the controller, counts to LIMIT and suspends itself.
 *   Suspends are not counted: two suspends, one resume.
 * - Suspending a blocked task cancels its wait (a queue receive with a timeout, then a
 *   notification wait); resumed, it retries as FreeRTOS does.
 * - vTaskPrioritySet's yield rules, with a helper task (HELPER).
 * - With the scheduler suspended, an interrupt's send (and a task's) readies the receiver
 *   (SUSP_RX, 3) onto the pending-ready list; xTaskResumeAll moves it and, preemptive, switches.
 * The demo's `#if configUSE_PREEMPTION == 0 taskYIELD()` lines are kept.
 */
import { MAX_DELAY } from '../../config.js';
import { notifyGive, notifyTake } from '../../notify.js';
import { Queue } from '../../queue.js';
import { BinarySemaphore } from '../../semaphore.js';
import type { Task } from '../../task.js';
import { bench, type Scenario } from '../harness.js';

const SLEEP = 4; // priSLEEP_TIME
const LOOPS = 2; // priLOOPS
const LIMIT = 5; // priMAX_COUNT

export const scenario: Scenario = {
  name: 'dynamic',
  demo: 'dynamic.c',
  run(preemption) {
    const { kernel: k, clock, log, at } = bench(preemption);
    let counter = 0;
    const rq = new Queue<number>(k, 1, { name: 'Suspended_Test_Queue' });
    const wq = new Queue<number>(k, 1);
    const flag = new BinarySemaphore(k);

    const cnt = k.createTask('CNT_INC', 1, function* () {
      const ours = k.priorityOf();
      for (;;) {
        yield* k.setPriority(null, ours + 1);
        counter++;
        yield* k.setPriority(null, ours);
        if (!preemption) yield* k.taskYield();
      }
    });
    const lim = k.createTask('LIM_INC', 2, function* () {
      yield* k.suspend();
      for (;;) {
        counter++;
        if (counter >= LIMIT) {
          at(`LIM counted to ${counter}`);
          yield* k.suspend();
        }
      }
    });
    let rx: Task | null = null;
    let waiter: Task | null = null;
    let helper: Task | null = null;

    k.createTask('C_CTRL', 1, function* () {
      const w = waiter as Task;
      const h = helper as Task;
      const r = rx as Task;

      // First section: the continuous counter.
      counter = 0;
      for (let loop = 0; loop < LOOPS; loop++) {
        yield* k.suspend(cnt);
        at(`C_CTRL suspended CNT: ${k.stateOf(cnt)}`);
        const last = counter;
        yield* k.resume(cnt);
        if (!preemption) yield* k.taskYield();
        at(`C_CTRL resumed CNT: ${k.stateOf(cnt)}`);
        yield* k.delay(SLEEP);
        k.suspendAll();
        const advanced = counter !== last;
        const resumed = yield* k.resumeAll();
        at(`C_CTRL woke: counter advanced ${advanced}, resumeAll ${resumed}`);
      }

      // Second section: the limited counter.
      yield* k.suspend(cnt);
      yield* k.suspend(cnt);
      counter = 0;
      at(`C_CTRL suspended CNT twice, LIM ${k.stateOf(lim)}`);
      yield* k.resume(lim);
      at(`C_CTRL resumed LIM: counter ${counter}`);
      if (!preemption) yield* k.taskYield();
      at(`C_CTRL counter ${counter}, LIM ${k.stateOf(lim)}`);
      yield* k.resume(cnt);
      at(`C_CTRL resumed CNT once: ${k.stateOf(cnt)}`);
      const last = counter;
      yield* k.delay(1);
      at(`C_CTRL counter advanced ${counter !== last}`);
      yield* k.suspend(cnt);

      // Suspending a blocked task cancels its wait.
      yield* k.resume(w);
      at(`C_CTRL resumed WAITER: ${k.stateOf(w)}`);
      if (!preemption) yield* k.taskYield();
      yield* k.delay(2);
      yield* k.suspend(w);
      at(`C_CTRL suspended WAITER: ${k.stateOf(w)}`);
      yield* k.delay(10);
      at(`C_CTRL WAITER still ${k.stateOf(w)}`);
      yield* k.resume(w);
      if (!preemption) yield* k.taskYield();
      at(`C_CTRL WAITER ${k.stateOf(w)}`);
      yield* k.resume(w); // waiting forever on a notification is Blocked, not Suspended
      at(`C_CTRL resumed the WAITER waiting for a notification: ${k.stateOf(w)}`);
      yield* k.suspend(w);
      yield* notifyGive(k, w);
      at(`C_CTRL notified the suspended WAITER: ${k.stateOf(w)}`);
      yield* k.resume(w);
      if (!preemption) yield* k.taskYield();

      // vTaskPrioritySet's yield rules.
      yield* k.resume(h);
      at(`C_CTRL resumed HELPER at its own priority: ${k.stateOf(h)}`);
      yield* k.setPriority(h, 2);
      at('C_CTRL raised HELPER to 2');
      if (!preemption) yield* k.taskYield();
      yield* k.setPriority(null, 3);
      yield* k.resume(h);
      yield* k.setPriority(h, 3);
      at(`C_CTRL at 3 raised HELPER to 3: ${k.stateOf(h)}`);
      yield* k.setPriority(null, 1);
      at('C_CTRL lowered itself to 1');
      if (!preemption) yield* k.taskYield();
      yield* k.setPriority(h, 1);
      yield* k.resume(h);
      yield* k.setPriority(h, 0);
      at(`C_CTRL lowered the ready HELPER to 0: ${k.stateOf(h)}`);
      yield* k.delay(1);

      // Scheduler suspension: an interrupt's send goes to the pending-ready list.
      k.suspendAll();
      k.isr(() => rq.sendFromISR(7));
      at(`C_CTRL isr sent 7 with the scheduler suspended: SUSP_RX ${k.stateOf(r)}`);
      k.suspendAll();
      const inner = yield* k.resumeAll();
      const outer = yield* k.resumeAll();
      at(`C_CTRL resumeAll ${inner} ${outer}`);
      yield* flag.give();
      at('C_CTRL made a kernel call that does not block');
      yield* k.delay(1);
      // vQueueSendWhenSuspendedTask: a task's send with the scheduler suspended.
      k.suspendAll();
      const sent = yield* rq.send(8, 0);
      at(`C_CTRL sent 8 with the scheduler suspended (${sent}): SUSP_RX ${k.stateOf(r)}`);
      at(`C_CTRL resumeAll ${yield* k.resumeAll()}`);
      yield* k.suspend();
    });

    rx = k.createTask('SUSP_RX', 3, function* () {
      for (;;) at(`SUSP_RX got ${yield* rq.receive(MAX_DELAY)}`);
    });
    waiter = k.createTask('WAITER', 3, function* () {
      yield* k.suspend();
      const t0 = k.tickCount;
      const v = yield* wq.receive(10);
      at(`WAITER receive ${v} after ${k.tickCount - t0}`);
      at(`WAITER notifyTake ${yield* notifyTake(k, true, MAX_DELAY)}`);
      yield* k.suspend();
    });
    helper = k.createTask('HELPER', 1, function* () {
      yield* k.suspend();
      for (;;) {
        at(`HELPER runs at ${k.priorityOf()}`);
        yield* k.suspend();
      }
    });

    clock.start();
    clock.advance(25);
    return log;
  },
  expected: {
    preemptive: [
      // SUSP_RX (3) blocks, WAITER (3) and LIM (2) suspend themselves, CNT (1, first at its
      // priority) counts once and, lowering itself, yields to C_CTRL (then HELPER suspends
      // itself the first time C_CTRL blocks).
      '0 C_CTRL suspended CNT: Suspended',
      // Equal priority: resuming CNT does not switch; it is Ready.
      '0 C_CTRL resumed CNT: Ready',
      // CNT never blocks; C_CTRL wakes at 4 and gets the CPU in tick 4 (by time slicing, or
      // when CNT lowers itself), and sees that CNT counted while it slept.
      '4 C_CTRL woke: counter advanced true, resumeAll false',
      '4 C_CTRL suspended CNT: Suspended',
      '4 C_CTRL resumed CNT: Ready',
      '8 C_CTRL woke: counter advanced true, resumeAll false',
      '8 C_CTRL suspended CNT twice, LIM Suspended',
      // LIM (2) outranks C_CTRL (1): resume switches to it at once; it counts and suspends.
      '8 LIM counted to 5',
      '8 C_CTRL resumed LIM: counter 5',
      '8 C_CTRL counter 5, LIM Suspended',
      // One resume undoes both suspends.
      '8 C_CTRL resumed CNT once: Ready',
      '9 C_CTRL counter advanced true',
      // WAITER (3) runs inside resume and blocks on an empty queue for 10 ticks (until 19).
      '9 C_CTRL resumed WAITER: Blocked',
      '11 C_CTRL suspended WAITER: Suspended',
      // Its timeout (19) was cancelled with its wait: it is still suspended at 21.
      '21 C_CTRL WAITER still Suspended',
      // Resumed, it retries the receive: still empty and 12 >= 10 ticks gone, so it times out.
      '21 WAITER receive undefined after 12',
      '21 C_CTRL WAITER Blocked',
      // Blocked forever on a notification is not Suspended (prvTaskIsTaskSuspended checks the
      // notification state): resume does nothing.
      '21 C_CTRL resumed the WAITER waiting for a notification: Blocked',
      // Suspending cancelled the notification wait: the give leaves it pending, WAITER suspended.
      '21 C_CTRL notified the suspended WAITER: Suspended',
      // Resumed, WAITER finds the pending notification.
      '21 WAITER notifyTake 1',
      '21 C_CTRL resumed HELPER at its own priority: Ready',
      // Raising another task above the running one yields at once.
      '21 HELPER runs at 2',
      '21 C_CTRL raised HELPER to 2',
      // C_CTRL raises itself (no yield), then HELPER to 3: not strictly above 3, no yield.
      '21 C_CTRL at 3 raised HELPER to 3: Ready',
      // Lowering the running task yields: HELPER (3) runs.
      '21 HELPER runs at 3',
      '21 C_CTRL lowered itself to 1',
      // Lowering another task never yields; HELPER (0) runs when C_CTRL blocks (before idle,
      // which it was placed behind in the round-robin order).
      '21 C_CTRL lowered the ready HELPER to 0: Ready',
      '21 HELPER runs at 0',
      // The receiver is on the pending-ready list: Ready, but C_CTRL keeps running.
      '22 C_CTRL isr sent 7 with the scheduler suspended: SUSP_RX Ready',
      // The inner resumeAll leaves the scheduler suspended (false); the outer one readies
      // SUSP_RX (3 > 1) and switches to it before returning true.
      '22 SUSP_RX got 7',
      '22 C_CTRL resumeAll false true',
      '22 C_CTRL made a kernel call that does not block',
      '23 C_CTRL sent 8 with the scheduler suspended (true): SUSP_RX Ready',
      '23 SUSP_RX got 8',
      '23 C_CTRL resumeAll true',
    ],
    cooperative: [
      '0 C_CTRL suspended CNT: Suspended',
      '0 C_CTRL resumed CNT: Ready',
      '4 C_CTRL woke: counter advanced true, resumeAll false',
      '4 C_CTRL suspended CNT: Suspended',
      '4 C_CTRL resumed CNT: Ready',
      '8 C_CTRL woke: counter advanced true, resumeAll false',
      '8 C_CTRL suspended CNT twice, LIM Suspended',
      // Cooperative: resuming a higher-priority task does not switch...
      '8 C_CTRL resumed LIM: counter 0',
      // ...until C_CTRL yields.
      '8 LIM counted to 5',
      '8 C_CTRL counter 5, LIM Suspended',
      '8 C_CTRL resumed CNT once: Ready',
      '9 C_CTRL counter advanced true',
      // WAITER has not run yet; the taskYield lets it block.
      '9 C_CTRL resumed WAITER: Ready',
      '11 C_CTRL suspended WAITER: Suspended',
      '21 C_CTRL WAITER still Suspended',
      '21 WAITER receive undefined after 12',
      '21 C_CTRL WAITER Blocked',
      '21 C_CTRL resumed the WAITER waiting for a notification: Blocked',
      '21 C_CTRL notified the suspended WAITER: Suspended',
      '21 WAITER notifyTake 1',
      '21 C_CTRL resumed HELPER at its own priority: Ready',
      // No yield for the raise; HELPER runs at C_CTRL's taskYield.
      '21 C_CTRL raised HELPER to 2',
      '21 HELPER runs at 2',
      '21 C_CTRL at 3 raised HELPER to 3: Ready',
      '21 C_CTRL lowered itself to 1',
      '21 HELPER runs at 3',
      '21 C_CTRL lowered the ready HELPER to 0: Ready',
      '21 HELPER runs at 0',
      '22 C_CTRL isr sent 7 with the scheduler suspended: SUSP_RX Ready',
      // Cooperative: xTaskResumeAll does not yield; the interrupt's yield request, made while
      // the scheduler was suspended, was only pended (xYieldPending), so the next kernel call
      // does not switch either. SUSP_RX runs when C_CTRL blocks.
      '22 C_CTRL resumeAll false false',
      '22 C_CTRL made a kernel call that does not block',
      '22 SUSP_RX got 7',
      '23 C_CTRL sent 8 with the scheduler suspended (true): SUSP_RX Ready',
      '23 C_CTRL resumeAll false',
      '23 SUSP_RX got 8',
    ],
  },
};
