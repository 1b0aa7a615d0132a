// The device test API on Node (the same code runs on both engines in mote hil's suites): what
// each kind of test body reports, timeouts, hooks, and expect's failure messages.
import { describe as group, expect as vexpect, it, vi } from 'vitest';
import { parseLine, type DeviceEvent } from '../../scripts/lib/hil/frames.js';

const timer = { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout), now: () => performance.now() };

/** A fresh copy of mote/test (its registry is module state), the suite declared by `declare`, run to its end. */
async function runSuite(declare: (api: typeof import('./index.js')) => void): Promise<DeviceEvent[]> {
  vi.resetModules();
  const api = await import('./index.js');
  declare(api);
  const events: DeviceEvent[] = [];
  await new Promise<void>((resolve) => {
    api.run({
      print: (line) => {
        for (const item of parseLine(line)) if (item.kind === 'frame') events.push(item.event);
      },
      timer,
      timeoutMs: 300,
      onEnd: () => resolve(),
    });
  });
  return events;
}

const results = (events: DeviceEvent[]) => events.filter((e) => e.e === 'pass' || e.e === 'fail' || e.e === 'skip').map((e) => (e.e === 'fail' ? `fail: ${e.message}` : e.e));

group('mote/test', () => {
  it('sync, generator (a kernel task), callback and skipped tests; names carry their describe', async () => {
    const events = await runSuite(({ describe, test, testDone, skip, expect }) => {
      describe('outer', () => {
        test('sync', () => expect(2).toBe(2));
        test('generator', function* (kernel) {
          const before = kernel.tickCount;
          yield* kernel.delay(3);
          expect(kernel.tickCount - before).toBeGreaterThanOrEqual(3);
        });
        testDone('callback', (done) => setTimeout(() => done(), 5));
        skip('later', 'not yet');
      });
    });
    vexpect(events.filter((e) => e.e === 'test').map((e) => (e as { name: string }).name)).toEqual(['outer › sync', 'outer › generator', 'outer › callback', 'outer › later']);
    vexpect(results(events)).toEqual(['pass', 'pass', 'pass', 'skip']);
    vexpect(events.at(-1)).toMatchObject({ e: 'end', passed: 3, failed: 0, skipped: 1 });
    vexpect(events.map((e) => e.n)).toEqual(events.map((_, i) => i));
  });

  it('failures carry the message: thrown, done(error), a generator throwing after blocking, and timeouts', async () => {
    const events = await runSuite(({ test, testDone, expect }) => {
      test('sync', () => expect([1, 2]).toEqual([1, 3]));
      testDone('done', (done) => done(new Error('refused by the cloud')));
      test('generator', function* (kernel) {
        yield* kernel.delay(1);
        throw new Error('after a delay');
      });
      testDone('never calls done', () => undefined, { timeoutMs: 50 });
      test('blocks too long', function* (kernel) {
        yield* kernel.delay(100);
      }, { timeoutMs: 100 });
      test('still runs after a timeout', () => undefined);
    });
    vexpect(results(events)).toEqual([
      'fail: expected [1, 2] to equal [1, 3]',
      'fail: refused by the cloud',
      'fail: after a delay',
      'fail: timed out after 50 ms',
      'fail: timed out after 100 ms',
      'pass',
    ]);
  });

  it('beforeEach and afterEach run around each test of their describe only; a failing afterEach fails the test', async () => {
    const calls: string[] = [];
    const events = await runSuite(({ describe, test, beforeEach, afterEach }) => {
      test('outside', () => void calls.push('outside'));
      describe('inner', () => {
        beforeEach(() => void calls.push('before'));
        afterEach(() => {
          calls.push('after');
          if (calls.includes('second')) throw new Error('cleanup failed');
        });
        test('first', () => void calls.push('first'));
        test('second', () => void calls.push('second'));
      });
    });
    vexpect(calls).toEqual(['outside', 'before', 'first', 'after', 'before', 'second', 'after']);
    vexpect(results(events)).toEqual(['pass', 'pass', 'fail: cleanup failed']);
  });
});

group('expect', async () => {
  const { expect } = await import('./expect.js');
  const message = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      return (error as Error).message;
    }
    return 'passed';
  };

  it('says what was expected and what came', () => {
    vexpect(message(() => expect(3).toBe(4))).toBe('expected 3 to be 4');
    vexpect(message(() => expect('a').not.toBe('a'))).toBe('expected "a" not to be "a"');
    vexpect(message(() => expect(new Uint8Array([1, 2])).toEqual(new Uint8Array([1, 3])))).toBe('expected Uint8Array [1, 2] to equal Uint8Array [1, 3]');
    vexpect(message(() => expect({ a: [1, { b: 2 }] }).toEqual({ a: [1, { b: 2 }] }))).toBe('passed');
    vexpect(message(() => expect([1, 2]).toEqual(new Uint8Array([1, 2])))).toBe('expected [1, 2] to equal Uint8Array [1, 2]');
    vexpect(message(() => expect(NaN).toBe(NaN))).toBe('passed');
    vexpect(message(() => expect(0.1 + 0.2).toBeCloseTo(0.3))).toBe('passed');
    vexpect(message(() => expect(5).toBeLessThan(5))).toBe('expected 5 to be less than 5');
    vexpect(message(() => expect('hello').toMatch(/^h.*o$/))).toBe('passed');
    vexpect(message(() => expect([1, 2]).toContain(3))).toBe('expected [1, 2] to contain 3');
    vexpect(message(() => expect(undefined).toBeDefined())).toBe('expected undefined to be defined');
  });

  it('toThrow checks the message, and its negation', () => {
    const boom = () => {
      throw new Error('pin 2 in use');
    };
    vexpect(message(() => expect(boom).toThrow('in use'))).toBe('passed');
    vexpect(message(() => expect(boom).toThrow(/^pin \d/))).toBe('passed');
    vexpect(message(() => expect(boom).toThrow('closed'))).toBe('expected the function to throw "closed", it threw "pin 2 in use"');
    vexpect(message(() => expect(() => 1).toThrow())).toBe('expected the function to throw, it returned');
    vexpect(message(() => expect(boom).not.toThrow())).toBe('expected the function not to throw, it threw "pin 2 in use"');
    vexpect(message(() => expect(boom).not.toThrow('closed'))).toBe('passed');
  });
});
