/**
 * death.c: tasks created and deleted at run time. The creator (2) creates SUICID1 and SUICID2
 * at its own priority (no switch: not strictly higher); SUICID2 deletes SUICID1 (freed at once:
 * it was not running) and then itself (freed later by the idle task). The task count goes back
 * only as the idle task frees deleted tasks; the idle hook reports each new count. Then: a task
 * `spawn`ed from a task switches at once if it outranks its creator; one made with `createTask`
 * switches at the creator's next kernel call (a JS limit: createTask cannot give up the CPU);
 * a task whose body returns deletes itself; a Ready task deleted before it ran never runs.
 */
import { BinarySemaphore } from '../../semaphore.js';
import type { Task, TaskBody } from '../../task.js';
import { bench, type Scenario } from '../harness.js';

const CREATOR = 2;
const DELAY = 2; // the suicidal tasks' xDelay
const CREATE_DELAY = 5; // the creator's xDelay

export const scenario: Scenario = {
  name: 'death',
  demo: 'death.c',
  run(preemption) {
    let lastCount = -1;
    const b = bench(preemption, {
      idleHook() {
        if (b.kernel.taskCount !== lastCount) {
          lastCount = b.kernel.taskCount;
          b.at(`idle: ${lastCount} tasks`);
        }
      },
    });
    const { kernel: k, clock, log, at } = b;
    const flag = new BinarySemaphore(k);

    function suicidal(name: string, victim: Task | null): () => TaskBody {
      return function* () {
        for (;;) {
          at(`${name} runs`);
          yield* k.delay(DELAY);
          if (victim !== null) {
            yield* k.delay(0); // let the other task have a go before deleting it
            yield* k.deleteTask(victim);
            at(`${name} deleted ${victim.name}: ${k.taskCount} tasks`);
            yield* k.deleteTask(null);
            at(`${name} still running after deleting itself`);
          }
        }
      };
    }

    k.createTask('CREATOR', CREATOR, function* () {
      at(`CREATOR ${k.taskCount} tasks`);
      for (let cycle = 0; cycle < 2; cycle++) {
        yield* k.delay(CREATE_DELAY);
        const first = k.createTask('SUICID1', CREATOR, suicidal('SUICID1', null));
        k.createTask('SUICID2', CREATOR, suicidal('SUICID2', first));
        at(`CREATOR created SUICID1 and SUICID2: ${k.taskCount} tasks`);
      }
      yield* k.delay(CREATE_DELAY);
      const high = yield* k.spawn('HIGH', CREATOR + 1, function* () {
        at('HIGH runs, then returns');
      });
      at(`CREATOR spawned HIGH: ${k.taskCount} tasks, HIGH ${k.stateOf(high)}`);
      const high2 = k.createTask('HIGH2', CREATOR + 1, function* () {
        at('HIGH2 runs, then returns');
      });
      at(`CREATOR created HIGH2: HIGH2 ${k.stateOf(high2)}`);
      yield* flag.give();
      at(`CREATOR gave a semaphore: ${k.taskCount} tasks`);
      const low = k.createTask('LOW', CREATOR - 1, function* () {
        at('LOW runs');
      });
      yield* k.deleteTask(low);
      at(`CREATOR deleted LOW before it ran: ${k.taskCount} tasks, LOW ${k.stateOf(low)}`);
      yield* k.delay(1);
      at(`CREATOR ${k.taskCount} tasks`);
      yield* k.deleteTask(null);
    });

    clock.start();
    clock.advance(18);
    return log;
  },
  expected: {
    preemptive: [
      // IDLE, Tmr Svc and CREATOR.
      '0 CREATOR 3 tasks',
      '0 idle: 3 tasks',
      // Equal priority: creating them does not switch; they run when CREATOR blocks.
      '5 CREATOR created SUICID1 and SUICID2: 5 tasks',
      '5 SUICID1 runs',
      '5 SUICID2 runs',
      '5 idle: 5 tasks',
      // Both wake at 7, SUICID1 first (woken first: same wake time, FIFO).
      '7 SUICID1 runs',
      // SUICID1 was Blocked, not running: freed at once (5 -> 4).
      '7 SUICID2 deleted SUICID1: 4 tasks',
      // SUICID2 deleted itself: counted until idle frees it, first thing in idle's loop.
      '7 idle: 3 tasks',
      '10 CREATOR created SUICID1 and SUICID2: 5 tasks',
      '10 SUICID1 runs',
      '10 SUICID2 runs',
      '10 idle: 5 tasks',
      '12 SUICID1 runs',
      '12 SUICID2 deleted SUICID1: 4 tasks',
      '12 idle: 3 tasks',
      // spawn: HIGH outranks CREATOR and runs before spawn returns; its body returns, so it
      // deleted itself, and is counted until idle frees it.
      '15 HIGH runs, then returns',
      '15 CREATOR spawned HIGH: 4 tasks, HIGH Deleted',
      // createTask cannot switch: HIGH2 runs at CREATOR's next kernel call.
      '15 CREATOR created HIGH2: HIGH2 Ready',
      '15 HIGH2 runs, then returns',
      '15 CREATOR gave a semaphore: 5 tasks',
      // LOW was Ready, not running: deleted and freed at once, never ran.
      '15 CREATOR deleted LOW before it ran: 5 tasks, LOW Deleted',
      // Idle freed HIGH and HIGH2 (back to 3, the count it last reported: no line).
      '16 CREATOR 3 tasks',
      '16 idle: 2 tasks',
    ],
    cooperative: [
      '0 CREATOR 3 tasks',
      '0 idle: 3 tasks',
      '5 CREATOR created SUICID1 and SUICID2: 5 tasks',
      '5 SUICID1 runs',
      '5 SUICID2 runs',
      '5 idle: 5 tasks',
      '7 SUICID1 runs',
      '7 SUICID2 deleted SUICID1: 4 tasks',
      // Cooperative: idle yields every loop, after freeing and before its hook. It yielded
      // (to SUICID1) before SUICID2 deleted itself, so its hook runs with SUICID2 not yet freed;
      // idle's next loop (next tick: the CPU idles until then) frees it.
      '7 idle: 4 tasks',
      '8 idle: 3 tasks',
      '10 CREATOR created SUICID1 and SUICID2: 5 tasks',
      '10 SUICID1 runs',
      '10 SUICID2 runs',
      '10 idle: 5 tasks',
      '12 SUICID1 runs',
      '12 SUICID2 deleted SUICID1: 4 tasks',
      '12 idle: 4 tasks',
      '13 idle: 3 tasks',
      // Cooperative: neither spawn nor the next kernel call switches to HIGH / HIGH2.
      '15 CREATOR spawned HIGH: 4 tasks, HIGH Ready',
      '15 CREATOR created HIGH2: HIGH2 Ready',
      '15 CREATOR gave a semaphore: 5 tasks',
      '15 CREATOR deleted LOW before it ran: 5 tasks, LOW Deleted',
      // They run, in creation order, when CREATOR blocks.
      '15 HIGH runs, then returns',
      '15 HIGH2 runs, then returns',
      '15 idle: 5 tasks',
      '16 CREATOR 3 tasks',
      '16 idle: 3 tasks',
      '17 idle: 2 tasks',
    ],
  },
};
