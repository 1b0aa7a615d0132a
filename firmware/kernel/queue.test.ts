import { describe, expect, test } from 'vitest';
import { VirtualClock } from './clock.js';
import { MAX_DELAY } from './config.js';
import { Kernel } from './kernel.js';
import { Mutex } from './mutex.js';
import { Queue, copyItem } from './queue.js';
import { CountingSemaphore } from './semaphore.js';

function setup(preemption = true) {
  const kernel = new Kernel({ preemption });
  return { kernel, clock: new VirtualClock(kernel), log: [] as string[] };
}

/** Proves the kernel still schedules and passes items after an error: a pair of tasks and a queue. */
function stillWorks(kernel: Kernel, clock: VirtualClock): void {
  const q = new Queue<number>(kernel, 1);
  const got: unknown[] = [];
  kernel.createTask('check rx', 3, function* () {
    got.push(yield* q.receive(MAX_DELAY));
  });
  kernel.createTask('check tx', 2, function* () {
    yield* q.send(42, 0);
  });
  clock.advance(1);
  expect(got).toEqual([42]);
}

describe('Queue: bad input', () => {
  test('length must be a whole number above 0, and the error names the queue', () => {
    const { kernel, clock } = setup();
    expect(() => new Queue(kernel, 0)).toThrow(new RangeError('queue: length must be a whole number above 0, got 0'));
    expect(() => new Queue(kernel, -1)).toThrow(new RangeError('queue: length must be a whole number above 0, got -1'));
    expect(() => new Queue(kernel, 1.5)).toThrow(new RangeError('queue: length must be a whole number above 0, got 1.5'));
    expect(() => new Queue(kernel, Number.NaN)).toThrow(RangeError);
    expect(() => new Queue(kernel, 0, { name: 'rx' })).toThrow(new RangeError('rx: length must be a whole number above 0, got 0'));
    clock.start();
    stillWorks(kernel, clock);
  });

  test('undefined cannot be sent: the sending task gets a TypeError, the others go on', () => {
    const { kernel, clock, log } = setup();
    const q = new Queue<number | undefined>(kernel, 2);
    const bad = kernel.createTask('bad', 2, function* () {
      log.push('bad sends');
      yield* q.send(undefined, 0);
      log.push('unreachable');
    });
    kernel.createTask('good', 1, function* () {
      log.push(`good sends ${yield* q.send(1, 0)}`);
      yield* kernel.suspend();
    });
    expect(() => clock.start()).toThrow(new TypeError('queue: undefined cannot be queued'));
    expect(kernel.stateOf(bad)).toBe('Deleted');
    expect(q.messagesWaiting()).toBe(0);
    clock.advance(1);
    expect(log).toEqual(['bad sends', 'good sends true']);
    expect(q.messagesWaiting()).toBe(1);
    stillWorks(kernel, clock);
  });

  test('undefined is rejected at the call even when the queue is full (no false, no block)', () => {
    const { kernel, clock, log } = setup();
    const q = new Queue<number | undefined>(kernel, 1);
    kernel.createTask('t', 1, function* () {
      yield* q.send(1, 0);
      try {
        yield* q.send(undefined, 5);
      } catch (error) {
        log.push(`send: ${String(error)} at ${kernel.tickCount}`);
      }
      try {
        yield* q.sendToFront(undefined, 0);
      } catch (error) {
        log.push(`front: ${String(error)}`);
      }
      yield* kernel.suspend();
    });
    clock.start();
    expect(log).toEqual(['send: TypeError: queue: undefined cannot be queued at 0', 'front: TypeError: queue: undefined cannot be queued']);
    expect(() => kernel.isr(() => q.sendFromISR(undefined))).toThrow(new TypeError('queue: undefined cannot be queued'));
    expect(() => kernel.isr(() => q.sendToFrontFromISR(undefined))).toThrow(new TypeError('queue: undefined cannot be queued'));
    expect(() => kernel.isr(() => q.overwriteFromISR(undefined))).toThrow(new TypeError('queue: undefined cannot be queued'));
    expect(q.messagesWaiting()).toBe(1);
    expect(kernel.isr(() => q.receiveFromISR())).toBe(1);
    stillWorks(kernel, clock);
  });

  test('overwrite on a queue of length 2 throws a RangeError and leaves the queue as it was', () => {
    const { kernel, clock, log } = setup();
    const q = new Queue<number>(kernel, 2);
    kernel.createTask('t', 1, function* () {
      yield* q.send(1, 0);
      try {
        yield* q.overwrite(2);
      } catch (error) {
        log.push(String(error));
      }
      log.push(`count ${q.messagesWaiting()} first ${yield* q.peek(0)}`);
      yield* kernel.suspend();
    });
    clock.start();
    expect(log).toEqual(['RangeError: queue: overwrite is only for queues of length 1', 'count 1 first 1']);
    expect(() => kernel.isr(() => q.overwriteFromISR(3))).toThrow(new RangeError('queue: overwrite is only for queues of length 1'));
    expect(q.messagesWaiting()).toBe(1);
    stillWorks(kernel, clock);
  });
});

describe('Queue: items are copied one level deep', () => {
  function roundTrip<T>(item: T, mutate: (item: T) => void): T {
    const { kernel, clock } = setup();
    const q = new Queue<T>(kernel, 1);
    let out: T | undefined;
    kernel.createTask('t', 1, function* () {
      yield* q.send(item, 0);
      mutate(item);
      out = yield* q.receive(0);
    });
    clock.start();
    return out as T;
  }

  test('a plain object: its own fields are copied, what they point to is shared', () => {
    const sent = { a: 1, inner: { b: 1 } };
    const got = roundTrip(sent, (s) => {
      s.a = 2;
      s.inner.b = 2;
    });
    expect(got).not.toBe(sent);
    expect(got.a).toBe(1);
    expect(got.inner).toBe(sent.inner); // one level, as FreeRTOS copies a struct holding a pointer
    expect(got.inner.b).toBe(2);
  });

  test('an array', () => {
    const got = roundTrip([1, 2], (s) => {
      s.push(3);
      s[0] = 9;
    });
    expect(got).toEqual([1, 2]);
  });

  test('a typed array (only its view), an ArrayBuffer and a DataView keep their bytes', () => {
    const backing = new Uint8Array([0, 1, 2, 3, 4, 5]);
    const u8 = roundTrip(backing.subarray(1, 4), (s) => s.fill(9));
    expect(u8).toBeInstanceOf(Uint8Array);
    expect(Array.prototype.slice.call(u8)).toEqual([1, 2, 3]);

    const ab = roundTrip(new Uint8Array([7, 8]).buffer, (s) => new Uint8Array(s).fill(0));
    expect(ab).toBeInstanceOf(ArrayBuffer);
    expect(Array.prototype.slice.call(new Uint8Array(ab))).toEqual([7, 8]);

    const dv = roundTrip(new DataView(new Uint8Array([0, 1, 2, 3]).buffer, 1, 2), (s) => s.setUint16(0, 0xffff));
    expect(dv).toBeInstanceOf(DataView);
    expect(dv.byteLength).toBe(2);
    expect(dv.getUint8(0)).toBe(1);
    expect(dv.getUint8(1)).toBe(2);
  });

  test('peek hands out a copy: changing it leaves the queued item alone', () => {
    const { kernel, clock } = setup();
    const q = new Queue<{ n: number }>(kernel, 1);
    const seen: number[] = [];
    kernel.createTask('t', 1, function* () {
      yield* q.send({ n: 1 }, 0);
      const peeked = (yield* q.peek(0)) as { n: number };
      peeked.n = 5;
      seen.push(((yield* q.receive(0)) as { n: number }).n);
    });
    clock.start();
    expect(seen).toEqual([1]);
  });

  test('FromISR sends copy too', () => {
    const { kernel, clock } = setup();
    const q = new Queue<number[]>(kernel, 2);
    clock.start();
    const sent = [1];
    kernel.isr(() => q.sendFromISR(sent));
    sent[0] = 2;
    expect(kernel.isr(() => q.receiveFromISR())).toEqual([1]);
    expect(copyItem(null)).toBe(null);
  });
});

describe('Semaphores and mutexes: contracts', () => {
  test('counting semaphore: initial above max (or not whole, or negative) is a RangeError', () => {
    const { kernel, clock } = setup();
    expect(() => new CountingSemaphore(kernel, 3, 4)).toThrow(
      new RangeError('counting semaphore: initial count must be a whole number from 0 to 3, got 4'),
    );
    expect(() => new CountingSemaphore(kernel, 3, -1)).toThrow(
      new RangeError('counting semaphore: initial count must be a whole number from 0 to 3, got -1'),
    );
    expect(() => new CountingSemaphore(kernel, 3, 0.5)).toThrow(RangeError);
    expect(new CountingSemaphore(kernel, 3, 3).value).toBe(3);
    clock.start();
    stillWorks(kernel, clock);
  });

  test('mutex: a give by a task that does not hold it returns false and changes nothing', () => {
    const { kernel, clock, log } = setup();
    const m = new Mutex(kernel);
    kernel.createTask('holder', 2, function* () {
      log.push(`holder take ${yield* m.take(0)}`);
      yield* kernel.delay(2);
      log.push(`holder give ${yield* m.give()}`);
      log.push(`holder give again ${yield* m.give()}`); // nobody holds it now
      yield* kernel.suspend();
    });
    kernel.createTask('other', 1, function* () {
      log.push(`other give ${yield* m.give()} holder ${m.holder === null ? 'none' : m.holder.name}`);
      log.push(`other take ${yield* m.take(0)}`);
      yield* kernel.suspend();
    });
    clock.start();
    clock.advance(3);
    expect(log).toEqual([
      'holder take true',
      'other give false holder holder',
      'other take false',
      'holder give true',
      'holder give again false',
    ]);
    expect(m.holder).toBe(null);
    expect(m.value).toBe(1);
  });

  test('mutex: giveFromISR and takeFromISR throw; the kernel and the mutex still work after', () => {
    const { kernel, clock, log } = setup();
    const m = new Mutex(kernel);
    kernel.createTask('t', 1, function* () {
      log.push(`take ${yield* m.take(MAX_DELAY)}`);
      yield* m.give();
    });
    expect(() => kernel.isr(() => m.giveFromISR())).toThrow(new Error('mutex: a mutex cannot be given from an interrupt'));
    clock.start();
    expect(() => kernel.isr(() => m.giveFromISR())).toThrow(new Error('mutex: a mutex cannot be given from an interrupt'));
    expect(() => kernel.isr(() => m.takeFromISR())).toThrow(new Error('mutex: a mutex cannot be taken from an interrupt'));
    expect(m.value).toBe(1);
    expect(log).toEqual(['take true']);
    // A later interrupt still switches to the task it wakes.
    const q = new Queue<number>(kernel, 1);
    kernel.createTask('rx', 2, function* () {
      log.push(`rx ${yield* q.receive(MAX_DELAY)}`);
    });
    clock.advance(1);
    kernel.isr(() => q.sendFromISR(7));
    expect(log).toEqual(['take true', 'rx 7']);
    stillWorks(kernel, clock);
  });
});

describe('copyItem and class instances', () => {
  test('queues a class instance by reference, keeping its prototype, and copies plain objects', async () => {
    const { copyItem } = await import('./queue.js');
    class Reading {
      constructor(readonly value: number) {}
      twice(): number {
        return this.value * 2;
      }
    }
    const r = new Reading(21);
    expect(copyItem(r)).toBe(r);
    expect(copyItem(r).twice()).toBe(42);
    const plain = { a: 1 };
    const copy = copyItem(plain);
    expect(copy).toEqual(plain);
    expect(copy).not.toBe(plain);
    const made = Object.create(null) as Record<string, number>;
    made.x = 1;
    expect(copyItem(made)).toBe(made); // no constructor: not a plain literal, passed as is
  });
});
