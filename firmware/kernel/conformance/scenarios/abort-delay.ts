/**
 * AbortDelay.c: xTaskAbortDelay. For each way of blocking, the blocking task (6) makes three
 * blocking calls of MAX ticks: the first and third time out, the second is aborted by the
 * controlling task (5) HALF ticks in and returns as a timeout would. The controlling task raises
 * itself to the blocking task's priority while it waits (as the demo does), so the abort itself
 * never preempts (equal priority); lowering itself back yields to the blocking task (preemptive).
 * abortDelay returns false for a task that is not Blocked: running, Ready or Suspended.
 */
import { MAX_DELAY } from '../../config.js';
import { EventGroup } from '../../event-group.js';
import { notify, notifyGive, notifyTake, notifyWait } from '../../notify.js';
import { Queue } from '../../queue.js';
import { BinarySemaphore } from '../../semaphore.js';
import { StreamBuffer } from '../../stream-buffer.js';
import type { Op, Task } from '../../task.js';
import { bench, type Scenario } from '../harness.js';

const CONTROLLING = 5; // abtCONTROLLING_PRIORITY (configMAX_PRIORITIES - 3)
const BLOCKING = 6; // abtBLOCKING_PRIORITY (configMAX_PRIORITIES - 2)
const MAX = 4; // xMaxBlockTime
const HALF = 2; // xHalfMaxBlockTime

const TESTS = ['notifyWait', 'notifyTake', 'delay', 'delayUntil', 'semaphore', 'eventGroup', 'queueSend', 'queueReceive', 'streamBuffer'];

export const scenario: Scenario = {
  name: 'abort-delay',
  demo: 'AbortDelay.c',
  run(preemption) {
    const { kernel: k, clock, log, at } = bench(preemption);
    let blocking: Task | null = null;

    /** Makes the nth (1..3) blocking call of test `test`; returns what it returned, as text. */
    function* blockOnce(test: string, n: number, objects: { q: Queue<number>; s: BinarySemaphore; e: EventGroup; b: StreamBuffer }): Op<string> {
      switch (test) {
        case 'notifyWait': // the second waits forever (portMAX_DELAY): still Blocked, still abortable
          return String((yield* notifyWait(k, 0, 0, n === 2 ? MAX_DELAY : MAX)).received);
        case 'notifyTake':
          return String(yield* notifyTake(k, false, MAX));
        case 'delay':
          yield* k.delay(MAX);
          return 'returned';
        case 'delayUntil':
          return String(yield* k.delayUntil({ previous: k.tickCount }, MAX));
        case 'semaphore': // the second waits forever, as in the demo
          return String(yield* objects.s.take(n === 2 ? MAX_DELAY : MAX));
        case 'eventGroup':
          return String(yield* objects.e.waitBits(0x01, true, true, MAX));
        case 'queueSend':
          return String(yield* objects.q.send(1, MAX));
        case 'queueReceive':
          return String(yield* objects.q.receive(MAX));
        default:
          return `${(yield* objects.b.receive(1, MAX)).length} bytes`;
      }
    }

    const controlling = k.createTask('AbtCtrl', CONTROLLING, function* () {
      const b = blocking as Task;
      // A Ready task (lower priority, never run) is not Blocked.
      const ready = k.createTask('AbtRdy', 1, function* () {});
      at(`C abortDelay(Ready task) ${yield* k.abortDelay(ready)}`);
      yield* k.deleteTask(ready);
      for (let test = 0; test < TESTS.length; test++) {
        const t0 = k.tickCount;
        at(`C start ${TESTS[test]}`);
        yield* notify(k, b, test, 'overwrite');
        yield* k.setPriority(null, BLOCKING);
        yield* k.delay(MAX + HALF);
        const state = k.stateOf(b);
        const ok = yield* k.abortDelay(b);
        yield* k.setPriority(null, CONTROLLING);
        at(`C abortDelay(${state} task) ${ok}`);
        yield* notifyTake(k, true, MAX_DELAY);
        at(`C ${TESTS[test]} done after ${k.tickCount - t0}`);
      }
      yield* k.suspend(b); // cancels its notification wait
      at(`C abortDelay(${k.stateOf(b)} task) ${yield* k.abortDelay(b)}`);
      yield* k.suspend();
    });

    blocking = k.createTask('AbtBlk', BLOCKING, function* (self) {
      at(`B abortDelay(itself, ${k.stateOf(self)}) ${yield* k.abortDelay(self)}`);
      for (;;) {
        const test = TESTS[(yield* notifyWait(k, 0, 0xffffffff, MAX_DELAY)).value];
        const objects = { q: new Queue<number>(k, 1), s: new BinarySemaphore(k), e: new EventGroup(k), b: new StreamBuffer(k, 1) };
        if (test === 'queueSend') at(`B fill the queue ${yield* objects.q.send(0, MAX)}`);
        for (let n = 1; n <= 3; n++) {
          const t0 = k.tickCount;
          const r = yield* blockOnce(test, n, objects);
          at(`B ${test} #${n} ${r} after ${k.tickCount - t0}`);
        }
        yield* notifyGive(k, controlling);
      }
    });

    clock.start();
    clock.advance(10 * TESTS.length + 5);
    return log;
  },
  expected: {
    // Each test takes 10 ticks from t0: #1 times out at t0+4, #2 (from t0+4) is aborted at
    // t0+6, #3 (from t0+6) times out at t0+10. Preemptive: notifying B (higher) switches to it
    // at once; at t0+6 the abort readies B at C's (raised, equal) priority, so C runs on until
    // it lowers itself, which yields to B before C's log line.
    preemptive: [
      '0 B abortDelay(itself, Running) false',
      '0 C abortDelay(Ready task) false',
      '0 C start notifyWait',
      '4 B notifyWait #1 false after 4',
      '6 B notifyWait #2 false after 2', // aborted while waiting forever: a timeout (no notification)
      '6 C abortDelay(Blocked task) true',
      '10 B notifyWait #3 false after 4',
      // B gives (C is lower: no switch), waits for the next test; then C runs.
      '10 C notifyWait done after 10',
      '10 C start notifyTake',
      '14 B notifyTake #1 0 after 4',
      '16 B notifyTake #2 0 after 2',
      '16 C abortDelay(Blocked task) true',
      '20 B notifyTake #3 0 after 4',
      '20 C notifyTake done after 10',
      '20 C start delay',
      '24 B delay #1 returned after 4',
      '26 B delay #2 returned after 2',
      '26 C abortDelay(Blocked task) true',
      '30 B delay #3 returned after 4',
      '30 C delay done after 10',
      '30 C start delayUntil',
      '34 B delayUntil #1 true after 4',
      '36 B delayUntil #2 true after 2', // xTaskDelayUntil still returns "should delay" (true)
      '36 C abortDelay(Blocked task) true',
      '40 B delayUntil #3 true after 4',
      '40 C delayUntil done after 10',
      '40 C start semaphore',
      '44 B semaphore #1 false after 4',
      '46 B semaphore #2 false after 2',
      '46 C abortDelay(Blocked task) true',
      '50 B semaphore #3 false after 4',
      '50 C semaphore done after 10',
      '50 C start eventGroup',
      '54 B eventGroup #1 0 after 4',
      '56 B eventGroup #2 0 after 2',
      '56 C abortDelay(Blocked task) true',
      '60 B eventGroup #3 0 after 4',
      '60 C eventGroup done after 10',
      '60 C start queueSend',
      '60 B fill the queue true',
      '64 B queueSend #1 false after 4',
      '66 B queueSend #2 false after 2',
      '66 C abortDelay(Blocked task) true',
      '70 B queueSend #3 false after 4',
      '70 C queueSend done after 10',
      '70 C start queueReceive',
      '74 B queueReceive #1 undefined after 4',
      '76 B queueReceive #2 undefined after 2',
      '76 C abortDelay(Blocked task) true',
      '80 B queueReceive #3 undefined after 4',
      '80 C queueReceive done after 10',
      '80 C start streamBuffer',
      '84 B streamBuffer #1 0 bytes after 4',
      '86 B streamBuffer #2 0 bytes after 2',
      '86 C abortDelay(Blocked task) true',
      '90 B streamBuffer #3 0 bytes after 4',
      '90 C streamBuffer done after 10',
      '90 C abortDelay(Suspended task) false',
    ],
    // Cooperative: the same ticks (B only runs when C blocks, which C does at once), but at
    // t0+6 lowering itself does not yield: C logs first, and B runs when C blocks.
    cooperative: [
      '0 B abortDelay(itself, Running) false',
      '0 C abortDelay(Ready task) false',
      '0 C start notifyWait',
      '4 B notifyWait #1 false after 4',
      '6 C abortDelay(Blocked task) true',
      '6 B notifyWait #2 false after 2',
      '10 B notifyWait #3 false after 4',
      '10 C notifyWait done after 10',
      '10 C start notifyTake',
      '14 B notifyTake #1 0 after 4',
      '16 C abortDelay(Blocked task) true',
      '16 B notifyTake #2 0 after 2',
      '20 B notifyTake #3 0 after 4',
      '20 C notifyTake done after 10',
      '20 C start delay',
      '24 B delay #1 returned after 4',
      '26 C abortDelay(Blocked task) true',
      '26 B delay #2 returned after 2',
      '30 B delay #3 returned after 4',
      '30 C delay done after 10',
      '30 C start delayUntil',
      '34 B delayUntil #1 true after 4',
      '36 C abortDelay(Blocked task) true',
      '36 B delayUntil #2 true after 2',
      '40 B delayUntil #3 true after 4',
      '40 C delayUntil done after 10',
      '40 C start semaphore',
      '44 B semaphore #1 false after 4',
      '46 C abortDelay(Blocked task) true',
      '46 B semaphore #2 false after 2',
      '50 B semaphore #3 false after 4',
      '50 C semaphore done after 10',
      '50 C start eventGroup',
      '54 B eventGroup #1 0 after 4',
      '56 C abortDelay(Blocked task) true',
      '56 B eventGroup #2 0 after 2',
      '60 B eventGroup #3 0 after 4',
      '60 C eventGroup done after 10',
      '60 C start queueSend',
      '60 B fill the queue true',
      '64 B queueSend #1 false after 4',
      '66 C abortDelay(Blocked task) true',
      '66 B queueSend #2 false after 2',
      '70 B queueSend #3 false after 4',
      '70 C queueSend done after 10',
      '70 C start queueReceive',
      '74 B queueReceive #1 undefined after 4',
      '76 C abortDelay(Blocked task) true',
      '76 B queueReceive #2 undefined after 2',
      '80 B queueReceive #3 undefined after 4',
      '80 C queueReceive done after 10',
      '80 C start streamBuffer',
      '84 B streamBuffer #1 0 bytes after 4',
      '86 C abortDelay(Blocked task) true',
      '86 B streamBuffer #2 0 bytes after 2',
      '90 B streamBuffer #3 0 bytes after 4',
      '90 C streamBuffer done after 10',
      '90 C abortDelay(Suspended task) false',
    ],
  },
};
