/**
 * TaskNotify.c and TaskNotifyArray.c, condensed: the five notify actions ('noOverwrite' failing
 * while one is pending), notifyTake as a counting and as a binary semaphore (returning the value
 * before the decrement or clear), notifyWait's clear on entry and clear on exit, indexed
 * notifications (notificationArrayEntries: 3, each index waited on and notified separately),
 * notifyFromISR waking a higher-priority task through kernel.isr (from inside a running task and
 * from the host while the CPU idles), and suspending a task that waits in notifyWait cancelling
 * the wait (a notification no longer readies it).
 *
 * Tasks: rcv (priority 2) is notified by snd (1).
 */
import { MAX_DELAY } from '../../config.js';
import { notify, notifyFromISR, notifyGive, notifyGiveFromISR, notifyTake, notifyWait } from '../../notify.js';
import { bench, type Scenario } from '../harness.js';

function hex(v: number): string {
  return '0x' + v.toString(16);
}

export const scenario: Scenario = {
  name: 'task-notify',
  demo: 'TaskNotify.c, TaskNotifyArray.c',
  run(preemption) {
    const { kernel: k, clock, log, at } = bench(preemption, { notificationArrayEntries: 3 });

    const rcv = k.createTask('rcv', 2, function* (self) {
      // Single-task tests (prvSingleTaskTests): rcv notifies itself.
      let w = yield* notifyWait(k, 0, 0, 0);
      at(`rcv wait, nothing pending -> ${w.received} ${hex(w.value)}`);
      let r = yield* notify(k, self, 0x11, 'noOverwrite');
      at(`rcv noOverwrite 0x11 -> ${r.ok}`);
      r = yield* notify(k, self, 0x22, 'noOverwrite');
      at(`rcv noOverwrite 0x22 while pending -> ${r.ok}, value ${hex(self.notifyValue[0])}`);
      r = yield* notify(k, self, 0x33, 'overwrite');
      at(`rcv overwrite 0x33 -> ${r.ok}, previous ${hex(r.previous)}`);
      // Pending: no clear on entry, and no wait.
      w = yield* notifyWait(k, 0xff, 0, 0);
      at(`rcv wait clearOnEntry 0xff, pending -> ${w.received} ${hex(w.value)}`);
      // Nothing pending but a zero timeout: the call will not block, so the entry bits are NOT
      // cleared (spec rule 21, tasks.c on FreeRTOS-Kernel main; the header says otherwise).
      w = yield* notifyWait(k, 0x0f, 0, 0);
      at(`rcv wait clearOnEntry 0xf, nothing pending -> ${w.received} ${hex(w.value)}`);
      yield* notify(k, self, 0x05, 'setBits');
      w = yield* notifyWait(k, 0, 0x01, 0);
      at(`rcv setBits 0x5, wait clearOnExit 0x1 -> ${w.received} ${hex(w.value)}, value ${hex(self.notifyValue[0])}`);
      yield* notify(k, self, 0, 'none');
      w = yield* notifyWait(k, 0, 0xffffffff, 0);
      at(`rcv none, wait clearOnExit all -> ${w.received} ${hex(w.value)}, value ${hex(self.notifyValue[0])}`);
      yield* k.delay(2);

      // snd gave three times at tick 1, while rcv was not waiting: the count is 3.
      const a = yield* notifyTake(k, false, 0);
      const b = yield* notifyTake(k, false, 0);
      const c = yield* notifyTake(k, true, 0);
      at(`rcv take counting -> ${a}, counting -> ${b}, binary -> ${c}, value ${self.notifyValue[0]}`);
      let n = yield* notifyTake(k, true, 5);
      at(`rcv take (blocked) -> ${n}`);
      w = yield* notifyWait(k, 0xffffffff, 0xffffffff, 10);
      at(`rcv wait -> ${w.received} ${hex(w.value)}, value ${hex(self.notifyValue[0])}`);

      // Indexed: wait on index 1; notifications to 2 and 0 stay pending there.
      n = yield* notifyTake(k, true, 10, 1);
      w = yield* notifyWait(k, 0, 0xffffffff, 0, 2);
      const z = yield* notifyTake(k, true, 0, 0);
      at(`rcv index 1 -> ${n}; index 2 -> ${w.received} ${hex(w.value)}; index 0 -> ${z}`);

      w = yield* notifyWait(k, 0, 0xffffffff, MAX_DELAY);
      at(`rcv wait -> ${w.received} ${hex(w.value)} (ISR in snd)`);
      n = yield* notifyTake(k, true, MAX_DELAY);
      at(`rcv take -> ${n} (host ISR)`);
      w = yield* notifyWait(k, 0, 0, MAX_DELAY);
      at(`rcv wait after resume -> ${w.received} ${hex(w.value)}`);
      yield* k.suspend();
    });

    k.createTask('snd', 1, function* () {
      yield* k.delay(1);
      const p0 = (yield* notifyGive(k, rcv)).previous;
      const p1 = (yield* notifyGive(k, rcv)).previous;
      const p2 = (yield* notifyGive(k, rcv)).previous;
      at(`snd give x3 -> previous ${p0},${p1},${p2}`);
      yield* k.delay(2);
      let r = yield* notifyGive(k, rcv);
      at(`snd give (rcv waiting) -> previous ${r.previous}`);
      yield* k.delay(1);
      r = yield* notify(k, rcv, 0x100, 'setBits');
      at(`snd setBits 0x100 -> ${r.ok}`);
      yield* k.delay(1);
      yield* notify(k, rcv, 0x4, 'setBits', 2);
      yield* notifyGive(k, rcv, 0);
      at(`snd notified indexes 2 and 0: rcv ${k.stateOf(rcv)}`);
      yield* notifyGive(k, rcv, 1);
      at('snd gave index 1');
      yield* k.delay(1);

      // An interrupt while snd runs: the switch it asks for happens at snd's next kernel call.
      k.isr(() => {
        const x = notifyFromISR(k, rcv, 0x77, 'overwrite');
        at(`isr notifyFromISR 0x77 -> ${x.ok}`);
      });
      at('snd runs on until its next kernel call');
      yield* k.taskYield();
      at('snd back');
      yield* k.delay(2);

      at(`snd rcv is ${k.stateOf(rcv)}`);
      yield* k.suspend(rcv);
      at(`snd suspended rcv: ${k.stateOf(rcv)}`);
      r = yield* notify(k, rcv, 0x9, 'setBits');
      at(`snd notify while suspended -> ${r.ok}; rcv ${k.stateOf(rcv)}`);
      yield* k.resume(rcv);
      at('snd resumed rcv');
      yield* k.suspend();
    });

    clock.start();
    clock.advance(7);
    k.isr(() => {
      const x = notifyGiveFromISR(k, rcv);
      at(`host isr give -> previous ${x.previous}`);
    });
    clock.advance(3);
    return log;
  },
  expected: {
    preemptive: [
      // Tick 0: rcv alone (snd is lower), notifying itself.
      '0 rcv wait, nothing pending -> false 0x0',
      '0 rcv noOverwrite 0x11 -> true',
      // eSetValueWithoutOverwrite fails while a notification is pending; the value stays.
      '0 rcv noOverwrite 0x22 while pending -> false, value 0x11',
      '0 rcv overwrite 0x33 -> true, previous 0x11',
      '0 rcv wait clearOnEntry 0xff, pending -> true 0x33',
      // Not cleared: a zero timeout never blocks (see the comment in the task).
      '0 rcv wait clearOnEntry 0xf, nothing pending -> false 0x33',
      // The value returned is from before the clear on exit.
      '0 rcv setBits 0x5, wait clearOnExit 0x1 -> true 0x37, value 0x36',
      // eNoAction: pending, value unchanged.
      '0 rcv none, wait clearOnExit all -> true 0x36, value 0x0',
      // rcv is delayed, not waiting for a notification: the gives only count.
      '1 snd give x3 -> previous 0,1,2',
      // Counting take returns the value before the decrement; binary take before the clear.
      '2 rcv take counting -> 3, counting -> 2, binary -> 1, value 0',
      // The give readies rcv (2 > 1), which runs before notifyGive returns.
      '3 rcv take (blocked) -> 1',
      '3 snd give (rcv waiting) -> previous 0',
      // Clear on entry emptied the value before blocking; clear on exit after returning it.
      '4 rcv wait -> true 0x100, value 0x0',
      '4 snd setBits 0x100 -> true',
      // rcv waits on index 1 only.
      '5 snd notified indexes 2 and 0: rcv Blocked',
      '5 rcv index 1 -> 1; index 2 -> true 0x4; index 0 -> 1',
      '5 snd gave index 1',
      // The ISR readied rcv; JS cannot stop snd mid-statement, so the switch (portYIELD_FROM_ISR)
      // happens at snd's next kernel call.
      '6 isr notifyFromISR 0x77 -> true',
      '6 snd runs on until its next kernel call',
      '6 rcv wait -> true 0x77 (ISR in snd)',
      '6 snd back',
      // From the host while idle: the switch is immediate.
      '7 host isr give -> previous 0',
      '7 rcv take -> 1 (host ISR)',
      // Waiting forever in notifyWait reads as Blocked; suspending cancels the wait, so the
      // notification only becomes pending.
      '8 snd rcv is Blocked',
      '8 snd suspended rcv: Suspended',
      '8 snd notify while suspended -> true; rcv Suspended',
      // Resumed, rcv finishes its notifyWait and finds the pending notification.
      '8 rcv wait after resume -> true 0x9',
      '8 snd resumed rcv',
    ],
    cooperative: [
      // Tick 0: rcv alone (snd is lower), notifying itself.
      '0 rcv wait, nothing pending -> false 0x0',
      '0 rcv noOverwrite 0x11 -> true',
      // eSetValueWithoutOverwrite fails while a notification is pending; the value stays.
      '0 rcv noOverwrite 0x22 while pending -> false, value 0x11',
      '0 rcv overwrite 0x33 -> true, previous 0x11',
      '0 rcv wait clearOnEntry 0xff, pending -> true 0x33',
      // Not cleared: a zero timeout never blocks (see the comment in the task).
      '0 rcv wait clearOnEntry 0xf, nothing pending -> false 0x33',
      // The value returned is from before the clear on exit.
      '0 rcv setBits 0x5, wait clearOnExit 0x1 -> true 0x37, value 0x36',
      // eNoAction: pending, value unchanged.
      '0 rcv none, wait clearOnExit all -> true 0x36, value 0x0',
      // rcv is delayed, not waiting for a notification: the gives only count.
      '1 snd give x3 -> previous 0,1,2',
      // Counting take returns the value before the decrement; binary take before the clear.
      '2 rcv take counting -> 3, counting -> 2, binary -> 1, value 0',
      // rcv is readied but snd runs on until it blocks.
      '3 snd give (rcv waiting) -> previous 0',
      '3 rcv take (blocked) -> 1',
      '4 snd setBits 0x100 -> true',
      '4 rcv wait -> true 0x100, value 0x0',
      '5 snd notified indexes 2 and 0: rcv Blocked',
      '5 snd gave index 1',
      '5 rcv index 1 -> 1; index 2 -> true 0x4; index 0 -> 1',
      // portYIELD_FROM_ISR switches in cooperative mode too.
      '6 isr notifyFromISR 0x77 -> true',
      '6 snd runs on until its next kernel call',
      '6 rcv wait -> true 0x77 (ISR in snd)',
      '6 snd back',
      '7 host isr give -> previous 0',
      '7 rcv take -> 1 (host ISR)',
      '8 snd rcv is Blocked',
      '8 snd suspended rcv: Suspended',
      '8 snd notify while suspended -> true; rcv Suspended',
      '8 snd resumed rcv',
      '8 rcv wait after resume -> true 0x9',
    ],
  },
};
