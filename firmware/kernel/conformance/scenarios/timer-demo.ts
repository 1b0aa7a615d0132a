/**
 * TimerDemo.c, condensed: timers are created dormant; one-shot and auto-reload timers;
 * start/reset expiry = the tick the command was SENT + period, even when the service task reads
 * the command later; changePeriod starts a dormant timer measured from when the command is
 * processed; reset pushes a pending expiry back; stop; an auto-reload timer whose service task
 * was starved for several periods calls back once per missed period; a callback written as a
 * generator making zero-timeout kernel calls; a full command queue making start(ticksToWait)
 * block.
 *
 * The service task runs at priority 2 (configTIMER_TASK_PRIORITY) with a 2-command queue, below
 * ctl (3), so commands ctl sends wait until ctl blocks. hog (4) starves the service task; rx (5)
 * receives what the one-shot's callback sends.
 */
import { MAX_DELAY } from '../../config.js';
import { Queue } from '../../queue.js';
import { Timer } from '../../timer.js';
import type { Op } from '../../task.js';
import { bench, type Scenario } from '../harness.js';

export const scenario: Scenario = {
  name: 'timer-demo',
  demo: 'TimerDemo.c',
  run(preemption) {
    // workPerTick 50: a task that never blocks sees a tick every 50 kernel calls, which keeps the
    // busy loops short on slow engines; no other tick here comes near 50 calls.
    const { kernel: k, clock, log, at } = bench(preemption, { timerTaskPriority: 2, timerQueueLength: 2, workPerTick: 50 });
    const q = new Queue<string>(k, 2);
    let reloads = 0;

    // The CPU stays with the caller (it makes kernel calls but never blocks) until `tick`.
    function* busyUntil(tick: number): Op {
      while (k.tickCount < tick) yield* k.taskYield();
    }

    const one = new Timer(k, 'one', 5, false, function* () {
      at('one expired');
      yield* q.send('from one', 0);
      at('one callback done');
    });
    const ar = new Timer(k, 'ar', 3, true, () => {
      at(`ar expired #${++reloads}`);
    });
    const cp = new Timer(k, 'cp', 10, false, () => {
      at('cp expired');
    });

    k.createTask('hog', 4, function* () {
      yield* k.delay(27);
      at('hog busy until 35');
      yield* busyUntil(35);
      at('hog done');
      yield* k.suspend();
    });

    k.createTask('ctl', 3, function* () {
      at(`ctl dormant: one ${one.active}, ar ${ar.active}, cp ${cp.active}`);
      // Sent at tick 0; the service task cannot read it until ctl blocks at tick 2.
      let ok = yield* one.start();
      at(`ctl one.start() -> ${ok}`);
      yield* busyUntil(2);
      at(`ctl one active ${one.active}`);
      yield* k.delay(1);
      at(`ctl one active ${one.active}, expiry ${one.expiryTime()}`);
      yield* k.delay(3);

      // changePeriod on a dormant timer, sent at 6, read at 8.
      ok = yield* cp.changePeriod(4);
      yield* busyUntil(8);
      yield* k.delay(1);
      at(`ctl cp active ${cp.active}, period ${cp.period}, expiry ${cp.expiryTime()}`);
      yield* one.reset();
      yield* k.delay(2);
      yield* one.reset();
      yield* k.delay(9);

      yield* ar.start();
      yield* k.delay(19);
      yield* ar.stop();
      yield* k.delay(1);
      at(`ctl ar active ${ar.active}`);

      // Fill the 2-command queue, then start with and without a wait.
      yield* cp.start();
      yield* one.start();
      ok = yield* ar.start(0);
      at(`ctl ar.start(0) on a full queue -> ${ok}`);
      ok = yield* ar.start(5);
      at(`ctl ar.start(5) -> ${ok}; cp active ${cp.active}, one active ${one.active}`);
      yield* k.delay(10);
      yield* k.suspend();
    });

    k.createTask('rx', 5, function* () {
      for (;;) at(`rx ${yield* q.receive(MAX_DELAY)}`);
    });

    clock.start();
    clock.advance(47);
    return log;
  },
  expected: {
    preemptive: [
      '0 ctl dormant: one false, ar false, cp false',
      '0 ctl one.start() -> true',
      // ctl kept the CPU from 0 to 2: the command is still queued.
      '2 ctl one active false',
      // Read at 2, but the expiry counts from the tick it was sent: 0 + 5.
      '3 ctl one active true, expiry 5',
      // The callback's send readies rx (5), which outranks the service task (2) and runs inside
      // the callback's zero-timeout send.
      '5 one expired',
      '5 rx from one',
      '5 one callback done',
      // changePeriod sent at 6, read at 8: expiry 8 + 4 (not 6 + 4, not 6 + 10).
      '9 ctl cp active true, period 4, expiry 12',
      '12 cp expired',
      // one was reset at 9 (expiry 14), then again at 11: expiry 16; nothing at 14.
      '16 one expired',
      '16 rx from one',
      '16 one callback done',
      // ar started at 20: 23, 26, then hog (4) starves the service task from 27 to 35.
      '23 ar expired #1',
      '26 ar expired #2',
      '27 hog busy until 35',
      '35 hog done',
      // Expiries 29, 32 and 35 were missed: one callback each, all now; the next is 38.
      '35 ar expired #3',
      '35 ar expired #4',
      '35 ar expired #5',
      '38 ar expired #6',
      // Stopped at 39 (read at 39, when ctl blocked): no expiry at 41.
      '40 ctl ar active false',
      // cp and one fill the queue; start(0) fails at once; start(5) blocks. The service task
      // receives cp's command, which frees a slot and readies ctl (3 > 2): ctl runs before the
      // service task has processed cp's or one's command.
      '40 ctl ar.start(0) on a full queue -> false',
      '40 ctl ar.start(5) -> true; cp active false, one active false',
      // All three were sent at 40: ar 40 + 3, cp 40 + 4 (its new period), one 40 + 5.
      '43 ar expired #7',
      '44 cp expired',
      '45 one expired',
      '45 rx from one',
      '45 one callback done',
      '46 ar expired #8',
    ],
    cooperative: [
      '0 ctl dormant: one false, ar false, cp false',
      '0 ctl one.start() -> true',
      '2 ctl one active false',
      '3 ctl one active true, expiry 5',
      // rx is readied by the callback's send but runs only when the service task blocks.
      '5 one expired',
      '5 one callback done',
      '5 rx from one',
      '9 ctl cp active true, period 4, expiry 12',
      '12 cp expired',
      '16 one expired',
      '16 one callback done',
      '16 rx from one',
      '23 ar expired #1',
      '26 ar expired #2',
      '27 hog busy until 35',
      '35 hog done',
      '35 ar expired #3',
      '35 ar expired #4',
      '35 ar expired #5',
      '38 ar expired #6',
      '40 ctl ar active false',
      '40 ctl ar.start(0) on a full queue -> false',
      // The readied ctl does not preempt: the service task processes cp and one, blocks, and
      // only then does ctl's retried send go through.
      '40 ctl ar.start(5) -> true; cp active true, one active true',
      '43 ar expired #7',
      '44 cp expired',
      '45 one expired',
      '45 one callback done',
      '45 rx from one',
      '46 ar expired #8',
    ],
  },
};
