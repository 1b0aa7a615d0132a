/**
 * Equal-priority tasks that never block (no single FreeRTOS demo; the rules are tasks.c's).
 * Each part runs on a fresh kernel from tick 0 and its lines follow a `-- part` line.
 * - round robin: taskYield (and delay(0), which is a yield) hands the CPU to the next task of
 *   the same priority, in both modes.
 * - time slicing: tasks that only make kernel calls that neither block nor yield. With
 *   workPerTick 3, every third call finds a tick due. Preemptive with time slicing, each tick
 *   rotates the equal-priority tasks; cooperative (or with time slicing off), nothing rotates
 *   until the running task yields.
 * - idle: the idle task yields to another priority-0 task every loop (configIDLE_SHOULD_YIELD;
 *   always when cooperative) and runs the idle hook once per loop; with nothing else to do it
 *   loops once per tick on the virtual clock.
 */
import type { KernelConfig } from '../../config.js';
import { BinarySemaphore } from '../../semaphore.js';
import { type Bench, bench, type Scenario } from '../harness.js';

function roundRobin(b: Bench): void {
  const { kernel: k, clock, at } = b;
  const names = ['A', 'B', 'C'];
  for (let n = 0; n < names.length; n++) {
    const name = names[n];
    k.createTask(name, 1, function* () {
      for (let i = 0; i < 3; i++) {
        at(`${name} ${i}`);
        if (name === 'C') yield* k.delay(0);
        else yield* k.taskYield();
      }
      yield* k.suspend();
    });
  }
  clock.start();
  clock.advance(1);
}

function slicing(b: Bench): void {
  const { kernel: k, clock, at } = b;
  const poll = new BinarySemaphore(k); // stays empty: take(0) returns false at once
  const names = ['X', 'Y'];
  for (let n = 0; n < names.length; n++) {
    const name = names[n];
    k.createTask(name, 1, function* () {
      for (let i = 0; i < 6; i++) {
        at(`${name} ${i}`);
        yield* poll.take(0);
      }
      at(`${name} yields`);
      yield* k.taskYield();
      at(`${name} done`);
      yield* k.suspend();
    });
  }
  clock.start();
  clock.advance(6);
}

function idle(b: Bench, runs: { count: number }): void {
  const { kernel: k, clock, at } = b;
  k.createTask('T', 1, function* () {
    at(`T (idle hook ran ${runs.count} times)`);
    yield* k.delay(2);
    at(`T (idle hook ran ${runs.count} times)`);
    yield* k.suspend();
  });
  k.createTask('Z', 0, function* () {
    for (let i = 0; i < 3; i++) {
      at(`Z ${i}`);
      yield* k.taskYield();
    }
    at('Z done');
    yield* k.suspend();
  });
  clock.start();
  clock.advance(2);
}

function part(out: string[], name: string, preemption: boolean, config: Partial<KernelConfig>, body: (b: Bench) => void): string[] {
  const b = bench(preemption, config);
  body(b);
  return out.concat([`-- ${name}`], b.log);
}

export const scenario: Scenario = {
  name: 'time-slice',
  demo: 'tasks.c (time slicing, idle task)',
  run(preemption) {
    let out: string[] = [];
    out = part(out, 'round robin', preemption, {}, roundRobin);
    out = part(out, 'time slicing', preemption, { workPerTick: 3 }, slicing);
    out = part(out, 'time slicing off', preemption, { workPerTick: 3, timeSlicing: false }, slicing);
    const runs = { count: 0 };
    let idleBench: Bench | null = null;
    const config: Partial<KernelConfig> = {
      idleHook() {
        runs.count++;
        (idleBench as Bench).at('idle hook');
      },
    };
    out = part(out, 'idle', preemption, config, (b) => {
      idleBench = b;
      idle(b, runs);
    });
    return out;
  },
  expected: {
    preemptive: [
      '-- round robin',
      // Each yield goes to the next task of the same priority; delay(0) is a yield too.
      '0 A 0',
      '0 B 0',
      '0 C 0',
      '0 A 1',
      '0 B 1',
      '0 C 1',
      '0 A 2',
      '0 B 2',
      '0 C 2',
      '-- time slicing',
      // X's third call finds the tick due; the tick rotates to Y (time slicing), and so on.
      '0 X 0',
      '0 X 1',
      '0 X 2',
      '1 Y 0',
      '1 Y 1',
      '1 Y 2',
      // X's interrupted call completes, then two more before the next tick.
      '2 X 3',
      '2 X 4',
      '2 X 5',
      '3 Y 3',
      '3 Y 4',
      '3 Y 5',
      // Tick 4: X's last call returns; X yields (1st call) to Y, whose interrupted call
      // returns; Y yields (2nd) back to X, whose suspend (3rd) finds tick 5 due.
      '4 X yields',
      '4 Y yields',
      '4 X done',
      // Tick 5 rotates to Y before X's suspend goes through.
      '5 Y done',
      '-- time slicing off',
      // Preemptive without time slicing: ticks do not rotate, as in cooperative mode.
      '0 X 0',
      '0 X 1',
      '0 X 2',
      '1 X 3',
      '1 X 4',
      '1 X 5',
      '2 X yields',
      '2 Y 0',
      '2 Y 1',
      '3 Y 2',
      '3 Y 3',
      '3 Y 4',
      '4 Y 5',
      '4 Y yields',
      '4 X done',
      // X's suspend completes at tick 5; then Y runs.
      '5 Y done',
      '-- idle',
      '0 T (idle hook ran 0 times)',
      // T delays; Z and idle share priority 0: Z runs first (created first), yields to idle,
      // which starts its loop and yields straight back (another priority-0 task is ready).
      '0 Z 0',
      '0 Z 1',
      // From now on: idle gets the CPU after its yield, runs the hook, loops, yields to Z.
      '0 idle hook',
      '0 Z 2',
      '0 idle hook',
      '0 Z done',
      '0 idle hook',
      // Idle alone: one loop (one hook) per tick.
      '1 idle hook',
      '2 T (idle hook ran 4 times)',
      '2 idle hook',
    ],
    cooperative: [
      '-- round robin',
      '0 A 0',
      '0 B 0',
      '0 C 0',
      '0 A 1',
      '0 B 1',
      '0 C 1',
      '0 A 2',
      '0 B 2',
      '0 C 2',
      '-- time slicing',
      // Cooperative: ticks never rotate; X runs until it yields.
      '0 X 0',
      '0 X 1',
      '0 X 2',
      '1 X 3',
      '1 X 4',
      '1 X 5',
      '2 X yields',
      '2 Y 0',
      '2 Y 1',
      '3 Y 2',
      '3 Y 3',
      '3 Y 4',
      '4 Y 5',
      '4 Y yields',
      '4 X done',
      '5 Y done',
      '-- time slicing off',
      '0 X 0',
      '0 X 1',
      '0 X 2',
      '1 X 3',
      '1 X 4',
      '1 X 5',
      '2 X yields',
      '2 Y 0',
      '2 Y 1',
      '3 Y 2',
      '3 Y 3',
      '3 Y 4',
      '4 Y 5',
      '4 Y yields',
      '4 X done',
      '5 Y done',
      '-- idle',
      // Cooperative idle yields every loop: the same order as preemptive here.
      '0 T (idle hook ran 0 times)',
      '0 Z 0',
      '0 Z 1',
      '0 idle hook',
      '0 Z 2',
      '0 idle hook',
      '0 Z done',
      '0 idle hook',
      '1 idle hook',
      '2 T (idle hook ran 4 times)',
      '2 idle hook',
    ],
  },
};
