/**
 * HIL suite "kernel": kernel behaviours on the device itself, on a RealClock driven by the
 * engine's timer (the test runner's kernel, 100 Hz).
 */
import { BinarySemaphore, Kernel, Queue, Timer, VirtualClock } from 'mote/kernel';
import { engineTimer, log } from 'mote/hal';
import { describe, expect, run, test, testDone } from 'mote/test';

describe('scheduling', () => {
  test('the higher-priority task runs first when both are ready (virtual clock)', () => {
    const kernel = new Kernel({ tickRateHz: 100 });
    const order: string[] = [];
    kernel.createTask('low', 1, function* () {
      order.push('low');
      yield* kernel.delay(1000);
    });
    kernel.createTask('high', 3, function* () {
      order.push('high');
      yield* kernel.delay(1000);
    });
    new VirtualClock(kernel).start();
    expect(order).toEqual(['high', 'low']);
  });

  test('delay blocks for the ticks asked, on the engine timer', function* (kernel: Kernel) {
    const before = kernel.tickCount;
    const startedMs = engineTimer.now();
    yield* kernel.delay(kernel.msToTicks(200));
    expect(kernel.tickCount - before).toBeGreaterThanOrEqual(20);
    expect(engineTimer.now() - startedMs).toBeGreaterThanOrEqual(190);
  });
});

describe('queues', () => {
  test('a queue hands items over in order between tasks', function* (kernel: Kernel) {
    const queue = new Queue<number>(kernel, 2);
    kernel.createTask('producer', 2, function* () {
      for (let i = 1; i <= 5; i++) yield* queue.send(i, 100);
    });
    const got: number[] = [];
    for (let i = 0; i < 5; i++) {
      const item = yield* queue.receive(100);
      got.push(item as number);
    }
    expect(got).toEqual([1, 2, 3, 4, 5]);
  });

  test('receive on an empty queue times out with undefined', function* (kernel: Kernel) {
    const queue = new Queue<number>(kernel, 1);
    const item = yield* queue.receive(5);
    expect(item).toBeUndefined();
  });
});

describe('interrupts and timers', () => {
  test('a semaphore given from a host callback wakes the waiting task', function* (kernel: Kernel) {
    const ready = new BinarySemaphore(kernel);
    engineTimer.setTimeout(() => kernel.isr(() => ready.giveFromISR()), 50);
    const taken = yield* ready.take(100);
    expect(taken).toBe(true);
  });

  testDone('a one-shot software timer fires once, after its period', (done) => {
    const kernel = new Kernel({ tickRateHz: 100 });
    let fired = 0;
    const timer = new Timer(kernel, 'once', 10, false, () => {
      fired++;
    });
    timer.startFromISR();
    const clock = new VirtualClock(kernel);
    clock.start();
    clock.advance(9);
    const early = fired;
    clock.advance(30);
    done(early === 0 && fired === 1 ? undefined : new Error(`fired ${early} times by tick 9, ${fired} by tick 39`));
  });

  test('a blocking call inside an interrupt handler is refused', function* (kernel: Kernel) {
    expect(() => kernel.isr(() => kernel.delay(1).next())).toThrow('blocking call inside isr(); use the FromISR form');
    yield* kernel.delay(1);
  });
});

run({ print: log, timer: engineTimer });
