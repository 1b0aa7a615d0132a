/**
 * EventGroupsDemo.c, condensed: any/all waits, clear on exit applied after the whole scan (so
 * every waiter sees the bits), waitBits returning the bits from before the auto-clear, a timeout
 * returning the current bits (and clearing them when they arrived between the timeout and the
 * waiter running), a 3-task rendezvous with sync, setBitsFromISR deferred through the timer
 * service task, and the reserved top 8 bits rejected.
 *
 * Tasks: A (priority 3), B (2) and ctl (1, the one that sets bits). In preemptive mode a setBits
 * by ctl that readies A or B switches to it before setBits returns; in cooperative mode ctl runs
 * on until it blocks.
 */
import { MAX_DELAY } from '../../config.js';
import { EventGroup } from '../../event-group.js';
import { bench, type Scenario } from '../harness.js';

function hex(v: number): string {
  return '0x' + v.toString(16);
}

export const scenario: Scenario = {
  name: 'event-groups',
  demo: 'EventGroupsDemo.c',
  run(preemption) {
    const { kernel: k, clock, log, at } = bench(preemption);
    const eg = new EventGroup(k, 'eg');

    k.createTask('A', 3, function* () {
      // 1. All of 0x03, clear on exit: the result is the value before the clear.
      let v = yield* eg.waitBits(0x03, true, true, 20);
      at(`A all 0x3 -> ${hex(v)}, bits ${hex(eg.getBits())}`);
      // 2. Any of 0x04, no clear. B queued first with clear on exit on the same bit.
      v = yield* eg.waitBits(0x04, false, false, 20);
      at(`A any 0x4 -> ${hex(v)}`);
      // 3. All of 0x30 for 3 ticks; only 0x10 comes: times out with the current bits.
      v = yield* eg.waitBits(0x30, false, true, 3);
      at(`A all 0x30 timed out -> ${hex(v)}`);
      v = yield* eg.setBits(0x40);
      at(`A set 0x40 -> ${hex(v)}`);
      // 4. Rendezvous.
      yield* k.delay(3);
      v = yield* eg.sync(0x100, 0x700, 10);
      at(`A sync -> ${hex(v)}`);
      // 5. Bits set by an interrupt arrive through the timer service task.
      v = yield* eg.waitBits(0x800, true, false, MAX_DELAY);
      at(`A any 0x800 -> ${hex(v)}`);
      yield* k.suspend();
    });

    k.createTask('B', 2, function* () {
      let v = yield* eg.waitBits(0x01, false, false, 20);
      at(`B any 0x1 -> ${hex(v)}`);
      // Queued before A's wait on 0x04, and clears it on exit: A must still see it.
      v = yield* eg.waitBits(0x04, true, false, 20);
      at(`B any 0x4 clear -> ${hex(v)}, bits ${hex(eg.getBits())}`);
      // Times out at 7, the same tick A does; A runs first and sets 0x40 before B runs.
      v = yield* eg.waitBits(0x40, true, false, 3);
      at(`B any 0x40 clear, timed out -> ${hex(v)}, bits ${hex(eg.getBits())}`);
      yield* k.delay(4);
      v = yield* eg.sync(0x200, 0x700, 10);
      at(`B sync -> ${hex(v)}`);
      yield* k.suspend();
    });

    k.createTask('ctl', 1, function* () {
      let v = yield* eg.setBits(0x01);
      at(`ctl set 0x1 -> ${hex(v)}`);
      yield* k.delay(2);
      v = yield* eg.setBits(0x02);
      at(`ctl set 0x2 -> ${hex(v)}`);
      yield* k.delay(2);
      v = yield* eg.setBits(0x04);
      at(`ctl set 0x4 -> ${hex(v)}`);
      yield* k.delay(1);
      v = yield* eg.setBits(0x10);
      at(`ctl set 0x10 -> ${hex(v)}`);
      yield* k.delay(3);
      v = eg.clearBits(0xff);
      at(`ctl clear 0xff -> ${hex(v)}, bits ${hex(eg.getBits())}`);
      yield* k.delay(4);
      // Last to arrive: sets its bit, finds all three, clears them and does not block.
      v = yield* eg.sync(0x400, 0x700, 10);
      at(`ctl sync -> ${hex(v)}, bits ${hex(eg.getBits())}`);
      try {
        yield* eg.setBits(0x01000000);
      } catch (e) {
        at(`ctl set 0x1000000 rejected: ${(e as Error).message}`);
      }
      try {
        yield* eg.waitBits(0x80000000, false, false, 0);
      } catch (e) {
        at(`ctl wait 0x80000000 rejected: ${(e as Error).message}`);
      }
      yield* k.suspend();
    });

    clock.start();
    clock.advance(15);
    k.isr(() => {
      const ok = eg.setBitsFromISR(0x800);
      // Deferred: the service task sets the bits after the handler returns.
      at(`isr setBitsFromISR 0x800 -> ${ok}, bits ${hex(eg.getBits())}`);
    });
    at(`host bits ${hex(eg.getBits())}`);
    clock.advance(2);
    return log;
  },
  expected: {
    preemptive: [
      // ctl's set readies B (any 0x1; A needs all of 0x3): B outranks ctl and runs inside setBits.
      '0 B any 0x1 -> 0x1',
      '0 ctl set 0x1 -> 0x1',
      // 0x1 is still set (B did not clear), so 0x2 completes A's "all"; A's clear-on-exit leaves
      // 0, which is what setBits returns; A got the value before the clear.
      '2 A all 0x3 -> 0x3, bits 0x0',
      '2 ctl set 0x2 -> 0x0',
      // Broadcast: B (first in the list, clear on exit) and A both match; the clear is applied
      // after the scan, so A sees 0x4 too. A (3) runs before B (2).
      '4 A any 0x4 -> 0x4',
      '4 B any 0x4 clear -> 0x4, bits 0x0',
      '4 ctl set 0x4 -> 0x0',
      // 0x10 alone does not complete A's "all of 0x30": nobody wakes.
      '5 ctl set 0x10 -> 0x10',
      // Tick 7 times out A and B (both waited 3 ticks from 4). A runs first: the current bits.
      '7 A all 0x30 timed out -> 0x10',
      // B already left the waiting list (timed out), so this wakes nobody.
      '7 A set 0x40 -> 0x50',
      // B's wait timed out, but its bit arrived before it ran: it returns the bits and, its
      // condition being met, still clears 0x40 on exit (xEventGroupWaitBits' timeout path).
      '7 B any 0x40 clear, timed out -> 0x50, bits 0x10',
      // clearBits returns the value before clearing.
      '8 ctl clear 0xff -> 0x10, bits 0x0',
      // Rendezvous: A arrived at 10, B at 11, ctl (last, at 12) does not block. Its set wakes
      // A and B, which outrank it and run before sync returns to ctl.
      '12 A sync -> 0x700',
      '12 B sync -> 0x700',
      '12 ctl sync -> 0x700, bits 0x0',
      '12 ctl set 0x1000000 rejected: eg: bits to set must use only bits 0..23 (the top 8 are reserved), got 16777216',
      '12 ctl wait 0x80000000 rejected: eg: bits to wait for must use only bits 0..23 (the top 8 are reserved), got 2147483648',
      // From an ISR the bits are only queued for the service task (priority 7), which the
      // handler woke; it runs on exit, sets 0x800 and readies A, which runs when it blocks.
      '15 isr setBitsFromISR 0x800 -> true, bits 0x0',
      '15 A any 0x800 -> 0x800',
      '15 host bits 0x0',
    ],
    cooperative: [
      // ctl keeps the CPU after readying B, until it blocks in delay.
      '0 ctl set 0x1 -> 0x1',
      '0 B any 0x1 -> 0x1',
      '2 ctl set 0x2 -> 0x0',
      '2 A all 0x3 -> 0x3, bits 0x0',
      '4 ctl set 0x4 -> 0x0',
      '4 A any 0x4 -> 0x4',
      '4 B any 0x4 clear -> 0x4, bits 0x0',
      '5 ctl set 0x10 -> 0x10',
      // Timed-out tasks are readied by the tick; the idle task yields and the highest runs.
      '7 A all 0x30 timed out -> 0x10',
      '7 A set 0x40 -> 0x50',
      '7 B any 0x40 clear, timed out -> 0x50, bits 0x10',
      '8 ctl clear 0xff -> 0x10, bits 0x0',
      // ctl completes the rendezvous and runs on until it suspends itself; then A, then B.
      '12 ctl sync -> 0x700, bits 0x0',
      '12 ctl set 0x1000000 rejected: eg: bits to set must use only bits 0..23 (the top 8 are reserved), got 16777216',
      '12 ctl wait 0x80000000 rejected: eg: bits to wait for must use only bits 0..23 (the top 8 are reserved), got 2147483648',
      '12 A sync -> 0x700',
      '12 B sync -> 0x700',
      // portYIELD_FROM_ISR switches in cooperative mode too.
      '15 isr setBitsFromISR 0x800 -> true, bits 0x0',
      '15 A any 0x800 -> 0x800',
      '15 host bits 0x0',
    ],
  },
};
