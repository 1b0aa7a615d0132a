import { describe, expect, test } from 'vitest';
import { VirtualClock } from './clock.js';
import { Kernel } from './kernel.js';
import { Mutex, RecursiveMutex } from './mutex.js';

/**
 * Every kernel call is where a due tick is acted on (kernel.ts). A recursive take by the holder,
 * a recursive give that leaves the count above 0, and a give by a non-holder change nothing in
 * the scheduler, but they are still kernel calls: a task looping on them must see the tick, and
 * a higher-priority task it wakes must preempt the loop, as the tick interrupt would on FreeRTOS.
 */
describe('mutex calls that never block still act on a due tick', () => {
  test('recursive take and give by the holder', () => {
    const k = new Kernel({ workPerTick: 10 });
    const clock = new VirtualClock(k);
    const m = new RecursiveMutex(k);
    const log: string[] = [];
    let i = 0;
    k.createTask('H', 3, function* () {
      yield* k.delay(1);
      log.push(`${k.tickCount} H runs at iteration ${i}`);
      yield* k.suspend();
    });
    k.createTask('L', 1, function* () {
      yield* m.takeRecursive(0);
      for (i = 0; i < 100; i++) {
        yield* m.takeRecursive(0);
        yield* m.giveRecursive();
      }
      log.push(`${k.tickCount} L done, gives ${yield* m.giveRecursive()} holder ${m.holder === null ? 'none' : m.holder.name}`);
      yield* k.suspend();
    });
    clock.start();
    clock.advance(50);
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/^1 H runs at iteration \d+$/);
    expect(Number(/iteration (\d+)/.exec(log[0])?.[1])).toBeLessThan(100); // preempted mid-loop
    // 200 calls at 10 per tick: L itself spans many ticks; its count still balances.
    expect(log[1]).toMatch(/^\d+ L done, gives true holder none$/);
    expect(Number(log[1].split(' ')[0])).toBeGreaterThan(10);
  });

  test('give by a task that does not hold it', () => {
    const k = new Kernel({ workPerTick: 10 });
    const clock = new VirtualClock(k);
    const m = new Mutex(k);
    const r = new RecursiveMutex(k);
    const log: string[] = [];
    let polls = 0;
    k.createTask('H', 3, function* () {
      yield* k.delay(1);
      log.push(`${k.tickCount} H runs after ${polls} polls`);
      yield* k.suspend();
    });
    k.createTask('L', 1, function* () {
      while (polls < 100) {
        polls++;
        if ((yield* m.give()) || (yield* r.giveRecursive())) log.push('a give succeeded');
      }
      log.push(`${k.tickCount} L done`);
      yield* k.suspend();
    });
    clock.start();
    clock.advance(50);
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/^1 H runs after \d+ polls$/);
    expect(Number(/after (\d+) polls/.exec(log[0])?.[1])).toBeLessThan(100);
    expect(log[1]).toMatch(/^\d+ L done$/);
    expect(Number(log[1].split(' ')[0])).toBeGreaterThan(10);
  });
});
