/**
 * blocktim.c: block times measured in ticks. The primary task (5) checks vTaskDelay and
 * xTaskDelayUntil (a late call returns false without blocking; missed periods are not skipped),
 * then timeouts on receiving from an empty queue and sending to a full one. The secondary task
 * (4) blocks on the queue; the primary wakes it by making space (or sending an item) and takes
 * that space (or item) back before the secondary can run ("woken but beaten"): the secondary
 * must block again for only the time it has left, so it times out exactly TIME_TO_BLOCK ticks
 * after it first blocked. Times are scaled down from the demo's.
 */
import { Queue } from '../../queue.js';
import type { Task } from '../../task.js';
import { bench, type Scenario } from '../harness.js';

const PRIMARY = 5; // bktPRIMARY_PRIORITY (configMAX_PRIORITIES - 3)
const SECONDARY = 4; // bktSECONDARY_PRIORITY (configMAX_PRIORITIES - 4)
const QUEUE_LENGTH = 2;
const SHORT_WAIT = 2;
const PRIMARY_BLOCK_TIME = 2;
const TIME_TO_BLOCK = 15;
const PERIOD = 5;
const RUN_INDICATOR = 0x55;

export const scenario: Scenario = {
  name: 'blocktim',
  demo: 'blocktim.c',
  run(preemption) {
    const { kernel: k, clock, log, at } = bench(preemption);
    const q = new Queue<number>(k, QUEUE_LENGTH);
    let runIndicator = 0;
    let secondary: Task | null = null;

    k.createTask('BTest1', PRIMARY, function* () {
      const s = secondary as Task;
      // Test 0: vTaskDelay and xTaskDelayUntil, at a raised priority as in the demo.
      yield* k.setPriority(null, k.config.timerTaskPriority - 1);
      const pre = k.tickCount;
      yield* k.delay(TIME_TO_BLOCK);
      at(`P delay(${TIME_TO_BLOCK}) took ${k.tickCount - pre}`);
      const wake = { previous: k.tickCount };
      for (let i = 0; i < 3; i++) at(`P delayUntil ${yield* k.delayUntil(wake, PERIOD)}, previous ${wake.previous}`);
      yield* k.delay(2); // part of a period: the next delayUntil blocks for the rest
      at(`P delayUntil ${yield* k.delayUntil(wake, PERIOD)}, previous ${wake.previous}`);
      yield* k.delay(PERIOD); // a whole period: the wake time is now, not in the future
      at(`P delayUntil ${yield* k.delayUntil(wake, PERIOD)}, previous ${wake.previous}`);
      at(`P delayUntil ${yield* k.delayUntil(wake, PERIOD)}, previous ${wake.previous}`);
      yield* k.delay(2 * PERIOD + 1); // two wake times pass
      for (let i = 0; i < 3; i++) at(`P delayUntil ${yield* k.delayUntil(wake, PERIOD)}, previous ${wake.previous}`);
      yield* k.setPriority(null, PRIMARY);

      // Test 1: receive from an empty queue times out after exactly its block time.
      for (let i = 0; i < QUEUE_LENGTH; i++) {
        const ticks = PRIMARY_BLOCK_TIME << i;
        const t0 = k.tickCount;
        const v = yield* q.receive(ticks);
        at(`P receive(${ticks}) ${v} after ${k.tickCount - t0}`);
      }

      // Test 2: send to a full queue times out after exactly its block time.
      const filled: boolean[] = [];
      for (let i = 0; i < QUEUE_LENGTH; i++) filled.push(yield* q.send(i, 0));
      at(`P filled the queue: ${filled.join(' ')}`);
      for (let i = 0; i < QUEUE_LENGTH; i++) {
        const ticks = PRIMARY_BLOCK_TIME << i;
        const t0 = k.tickCount;
        const ok = yield* q.send(i, ticks);
        at(`P send(${ticks}) ${ok} after ${k.tickCount - t0}`);
      }

      // Test 3: the secondary blocks sending to the full queue; we make space (waking it) and
      // fill the queue again before it runs.
      runIndicator = 0;
      yield* k.resume(s); // lower priority: no switch
      while (runIndicator !== RUN_INDICATOR) yield* k.delay(SHORT_WAIT);
      yield* k.delay(SHORT_WAIT);
      runIndicator = 0;
      for (let i = 0; i < QUEUE_LENGTH; i++) {
        yield* q.receive(0);
        yield* q.send(i, 0);
        at(`P item ${i}: S ran ${runIndicator === RUN_INDICATOR}, S ${k.stateOf(s)}`);
        yield* k.setPriority(s, PRIMARY + 1);
        at(`P raised S: S ${k.stateOf(s)}`);
        yield* k.setPriority(s, SECONDARY);
      }
      while (runIndicator !== RUN_INDICATOR) yield* k.delay(SHORT_WAIT);
      yield* k.delay(SHORT_WAIT);
      runIndicator = 0;

      // Test 4: as test 3 with send and receive swapped; the secondary blocks receiving.
      for (let i = 0; i < QUEUE_LENGTH; i++) yield* q.receive(0);
      yield* k.resume(s);
      while (runIndicator !== RUN_INDICATOR) yield* k.delay(SHORT_WAIT);
      yield* k.delay(SHORT_WAIT);
      runIndicator = 0;
      for (let i = 0; i < QUEUE_LENGTH; i++) {
        yield* q.send(i, 0);
        yield* q.receive(0);
        at(`P item ${i}: S ran ${runIndicator === RUN_INDICATOR}, S ${k.stateOf(s)}`);
        yield* k.setPriority(s, PRIMARY + 1);
        at(`P raised S: S ${k.stateOf(s)}`);
        yield* k.setPriority(s, SECONDARY);
      }
      while (runIndicator !== RUN_INDICATOR) yield* k.delay(SHORT_WAIT);
      yield* k.delay(SHORT_WAIT);
      at('P cycle complete');
      yield* k.suspend();
    });

    secondary = k.createTask('BTest2', SECONDARY, function* () {
      for (;;) {
        yield* k.suspend(); // tests 0, 1 and 2 are the primary's alone
        let t0 = k.tickCount;
        runIndicator = RUN_INDICATOR;
        at(`S send, blocking up to ${TIME_TO_BLOCK}`);
        const ok = yield* q.send(0, TIME_TO_BLOCK);
        at(`S send ${ok} after ${k.tickCount - t0}`);
        runIndicator = RUN_INDICATOR;
        yield* k.suspend();

        t0 = k.tickCount;
        runIndicator = RUN_INDICATOR;
        at(`S receive, blocking up to ${TIME_TO_BLOCK}`);
        const v = yield* q.receive(TIME_TO_BLOCK);
        at(`S receive ${v} after ${k.tickCount - t0}`);
        runIndicator = RUN_INDICATOR;
      }
    });

    clock.start();
    clock.advance(110);
    return log;
  },
  expected: {
    preemptive: [
      // Test 0. The primary runs first (highest priority), raises itself (no yield for raising
      // the running task), then S runs and suspends itself.
      '15 P delay(15) took 15',
      '20 P delayUntil true, previous 20',
      '25 P delayUntil true, previous 25',
      '30 P delayUntil true, previous 30',
      // delay(2) from 30 ends at 32; the wake time 35 is still ahead: it blocks 3 ticks.
      '35 P delayUntil true, previous 35',
      // delay(5) from 35 ends at 40 = the wake time: not in the future, so false, no block.
      '40 P delayUntil false, previous 40',
      '45 P delayUntil true, previous 45',
      // delay(11) from 45 ends at 56: 50 and 55 have passed; each call advances one period.
      '56 P delayUntil false, previous 50',
      '56 P delayUntil false, previous 55',
      '60 P delayUntil true, previous 60',
      // Tests 1 and 2: timeouts of exactly 2 and 4 ticks.
      '62 P receive(2) undefined after 2',
      '66 P receive(4) undefined after 4',
      '66 P filled the queue: true true',
      '68 P send(2) false after 2',
      '72 P send(4) false after 4',
      // Test 3. Resuming S (lower) does not switch; S runs when P delays, and blocks until 87.
      '72 S send, blocking up to 15',
      // 76: the receive readies S (lower: no switch), the send fills the queue again.
      '76 P item 0: S ran false, S Ready',
      // Raised above P, S runs at once, finds the queue full and blocks for its remaining 11.
      '76 P raised S: S Blocked',
      '76 P item 1: S ran false, S Ready',
      '76 P raised S: S Blocked',
      // 72 + 15: the re-blocks did not restart the timeout.
      '87 S send false after 15',
      // Test 4 (P polled at 88, delayed to 90, emptied the queue, resumed S).
      '90 S receive, blocking up to 15',
      '94 P item 0: S ran false, S Ready',
      '94 P raised S: S Blocked',
      '94 P item 1: S ran false, S Ready',
      '94 P raised S: S Blocked',
      '105 S receive undefined after 15',
      // P's polling delays: 96 .. 106 sees the indicator, then one more SHORT_WAIT.
      '108 P cycle complete',
    ],
    cooperative: [
      '15 P delay(15) took 15',
      '20 P delayUntil true, previous 20',
      '25 P delayUntil true, previous 25',
      '30 P delayUntil true, previous 30',
      '35 P delayUntil true, previous 35',
      '40 P delayUntil false, previous 40',
      '45 P delayUntil true, previous 45',
      '56 P delayUntil false, previous 50',
      '56 P delayUntil false, previous 55',
      '60 P delayUntil true, previous 60',
      '62 P receive(2) undefined after 2',
      '66 P receive(4) undefined after 4',
      '66 P filled the queue: true true',
      '68 P send(2) false after 2',
      '72 P send(4) false after 4',
      '72 S send, blocking up to 15',
      '76 P item 0: S ran false, S Ready',
      // Cooperative: raising S above P does not switch; S stays Ready until P blocks.
      '76 P raised S: S Ready',
      // S is no longer waiting, so this receive wakes no one; S is still Ready.
      '76 P item 1: S ran false, S Ready',
      '76 P raised S: S Ready',
      // S runs when P delays (76), finds the queue full, blocks for its remaining 11 ticks.
      '87 S send false after 15',
      '90 S receive, blocking up to 15',
      '94 P item 0: S ran false, S Ready',
      '94 P raised S: S Ready',
      '94 P item 1: S ran false, S Ready',
      '94 P raised S: S Ready',
      '105 S receive undefined after 15',
      '108 P cycle complete',
    ],
  },
};
