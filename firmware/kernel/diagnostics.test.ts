import { describe, expect, test } from 'vitest';
import { Kernel, type TimeSource } from './kernel.js';
import { RealClock, VirtualClock, type EngineTimer } from './clock.js';
import { runTimeStats, taskList, taskStatus } from './diagnostics.js';
import type { Task } from './task.js';

describe('taskList (vTaskList)', () => {
  // One task in each state, listed from inside the running task.
  function build(): { k: Kernel; listing: () => string; withProbe: () => string } {
    const k = new Kernel({ maxTaskNameLength: 8 });
    let listing = '';
    let withProbe = '';
    k.createTask('alpha', 1, function* () {
      listing = taskList(k);
      withProbe = taskList(k, (t: Task) => t.stackDepth - t.number);
      yield* k.suspend();
    });
    k.createTask('beta', 1, function* () {
      yield* k.suspend();
    });
    k.createTask('sleeping', 2, function* () {
      yield* k.delay(5);
    });
    k.createTask('quitter', 3, function* () {
      yield* k.deleteTask();
    });
    k.createTask('sus', 2, function* () {
      yield* k.suspend();
    });
    new VirtualClock(k).start();
    return { k, listing: () => listing, withProbe: () => withProbe };
  }

  test('format and uxTaskGetSystemState order', () => {
    // Numbers are creation order: the five tasks, then IDLE (6) and Tmr Svc (7) at start.
    // Order: ready lists from the highest priority down, each from its head (alpha, created
    // first, is running: X), then the delayed list, the deleted tasks the idle task has not yet
    // freed (D), then the suspended list, where Tmr Svc, blocked forever on its command queue,
    // reads as B. Names are cut to maxTaskNameLength - 1 and padded to that width.
    const { listing } = build();
    expect(listing()).toBe(
      'alpha  \tX\t1\t-\t1\r\n' +
        'beta   \tR\t1\t-\t2\r\n' +
        'IDLE   \tR\t0\t-\t6\r\n' +
        'sleepin\tB\t2\t-\t3\r\n' +
        'quitter\tD\t3\t-\t4\r\n' +
        'Tmr Svc\tB\t7\t-\t7\r\n' +
        'sus    \tS\t2\t-\t5\r\n',
    );
  });

  test('the high-water mark column comes from a stack probe when one is given', () => {
    const { withProbe } = build();
    const lines = withProbe().split('\r\n');
    expect(lines[0]).toBe('alpha  \tX\t1\t127\t1');
    expect(lines[5]).toBe('Tmr Svc\tB\t7\t249\t7');
  });

  test('listing does not disturb round-robin order', () => {
    // b1 and b2 take turns; a listing taken by b1 must not change who runs next.
    const k = new Kernel({ preemption: true });
    const ran: string[] = [];
    for (const name of ['b1', 'b2', 'b3']) {
      k.createTask(name, 1, function* () {
        for (let i = 0; i < 2; i++) {
          ran.push(name);
          if (name === 'b1') taskStatus(k);
          yield* k.taskYield();
        }
        yield* k.suspend();
      });
    }
    new VirtualClock(k).start();
    // Tmr Svc runs first; when it blocks the list index is at the end, so b1 is next.
    expect(ran).toEqual(['b1', 'b2', 'b3', 'b1', 'b2', 'b3']);
  });
});

describe('runTimeStats (vTaskGetRunTimeStats)', () => {
  // A run-time counter the test moves by hand; ticks are delivered with kernel.tick().
  function counterSource(): TimeSource & { value: number } {
    return {
      value: 0,
      due: () => false,
      runTimeCounter() {
        return this.value;
      },
    };
  }

  test('absolute counts and whole percentages, "<1%" below one', () => {
    const k = new Kernel({ maxTaskNameLength: 8 });
    const time = counterSource();
    k.createTask('worker', 1, function* () {
      for (;;) {
        time.value += 500; // the worker runs for 500 counts each time it wakes
        yield* k.delay(1);
      }
    });
    k.start(time);
    for (let i = 0; i < 9; i++) {
      time.value += 9500; // the idle task runs between ticks
      k.tick();
    }
    // Total 90500: worker 10 x 500, IDLE 9 x 9500, Tmr Svc nothing. Percentages are
    // count / (total / 100), rounded down; the running task (IDLE) is credited at switch-out.
    expect(runTimeStats(k)).toBe('IDLE   \t85500\t\t94%\r\n' + 'worker \t5000\t\t5%\r\n' + 'Tmr Svc\t0\t\t<1%\r\n');
  });

  test('total / 100 is a whole number, and nothing is listed while it is 0', () => {
    const k = new Kernel({ maxTaskNameLength: 8 });
    const time = counterSource();
    k.createTask('worker', 1, function* () {
      time.value += 75;
      yield* k.suspend();
    });
    k.start(time);
    time.value = 99;
    expect(runTimeStats(k)).toBe('');
    // 150 / 100 is 1 in FreeRTOS's integer arithmetic: 75 counts read as 75%, not 50%.
    time.value = 150;
    expect(runTimeStats(k)).toBe('IDLE   \t0\t\t<1%\r\n' + 'Tmr Svc\t0\t\t<1%\r\n' + 'worker \t75\t\t75%\r\n');
  });
});

/** An engine timer the test drives: time moves only when told, timers fire in due order. */
class FakeTimer implements EngineTimer {
  time = 0;
  private handles = 0;
  timers: { handle: number; fn: () => void; ms: number; due: number }[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const handle = ++this.handles;
    this.timers.push({ handle, fn, ms, due: this.time + ms });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.handle !== handle);
  }

  /** Moves the clock to `ms`, firing each timer due by then at its due time. */
  advanceTo(ms: number): void {
    for (;;) {
      let next: (typeof this.timers)[number] | null = null;
      for (const t of this.timers) if (t.due <= ms && (next === null || t.due < next.due)) next = t;
      if (next === null) break;
      this.timers = this.timers.filter((t) => t !== next);
      if (next.due > this.time) this.time = next.due;
      next.fn();
    }
    if (ms > this.time) this.time = ms;
  }
}

describe('RealClock', () => {
  test('ticks follow elapsed engine time (100 Hz: one tick per 10 ms)', () => {
    const engine = new FakeTimer();
    const k = new Kernel({ tickRateHz: 100 });
    const log: string[] = [];
    k.createTask('t', 1, function* () {
      for (;;) {
        log.push(`tick ${k.tickCount} at ${engine.now()} ms`);
        yield* k.delay(3);
      }
    });
    const clock = new RealClock(k, engine);
    clock.start();
    expect(log).toEqual(['tick 0 at 0 ms']);
    expect(engine.timers.map((t) => t.ms)).toEqual([10]);
    engine.advanceTo(9);
    expect(k.tickCount).toBe(0);
    engine.advanceTo(10);
    expect(k.tickCount).toBe(1);
    engine.advanceTo(29);
    expect(k.tickCount).toBe(2);
    engine.advanceTo(30);
    expect(k.tickCount).toBe(3);
    expect(log).toEqual(['tick 0 at 0 ms', 'tick 3 at 30 ms']);
    clock.stop();
    expect(engine.timers).toEqual([]);
  });

  test('ticks missed while the engine was busy are caught up in one callback', () => {
    const engine = new FakeTimer();
    const k = new Kernel({ tickRateHz: 100 });
    const log: string[] = [];
    k.createTask('t', 1, function* () {
      for (;;) {
        log.push(`tick ${k.tickCount} at ${engine.now()} ms`);
        yield* k.delay(3);
      }
    });
    const clock = new RealClock(k, engine);
    clock.start();
    // The engine's timer fires 35 ms late: ticks 1..4 are delivered together, then the task
    // (due at 3) runs; the next timer waits only for the remainder of the current period.
    engine.time = 45;
    engine.advanceTo(45);
    expect(k.tickCount).toBe(4);
    expect(log).toEqual(['tick 0 at 0 ms', 'tick 4 at 45 ms']);
    expect(engine.timers.map((t) => t.ms)).toEqual([5]);
    engine.advanceTo(70);
    expect(k.tickCount).toBe(7);
    expect(log).toEqual(['tick 0 at 0 ms', 'tick 4 at 45 ms', 'tick 7 at 70 ms']);
    clock.stop();
  });

  test('due() ends a long-running task\'s slot at its next kernel call', () => {
    const engine = new FakeTimer();
    const k = new Kernel({ tickRateHz: 100 });
    const log: string[] = [];
    k.createTask('busy', 1, function* () {
      for (;;) {
        engine.time += 4; // 4 ms of computation between kernel calls
        log.push(`work at ${engine.time} ms, tick ${k.tickCount}`);
        yield* k.taskYield();
      }
    });
    const clock = new RealClock(k, engine);
    clock.start();
    // At 12 ms a tick is due: the task's next kernel call hands the CPU back to the engine
    // (start returns) instead of running on; the tick itself comes with the engine's timer.
    expect(log).toEqual(['work at 4 ms, tick 0', 'work at 8 ms, tick 0', 'work at 12 ms, tick 0']);
    expect(k.tickCount).toBe(0);
    expect(engine.timers.map((t) => t.ms)).toEqual([0]);
    engine.advanceTo(12);
    // The timer delivers tick 1 and the task resumes inside the same kernel call, until 20 ms.
    expect(k.tickCount).toBe(1);
    expect(log.slice(3)).toEqual(['work at 16 ms, tick 1', 'work at 20 ms, tick 1']);
    expect(engine.timers.map((t) => t.ms)).toEqual([0]);
    clock.stop();
  });
});
