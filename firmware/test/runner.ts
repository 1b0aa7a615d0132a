/**
 * The device test runner: `describe` / `test` register tests while the suite's module runs;
 * `run()` then runs them one after another and prints each event as a frame (frame.ts).
 *
 * A test body is one of:
 * - synchronous: `test('adds', () => { expect(1 + 1).toBe(2); })`;
 * - a generator, run as a kernel task (a task's blocking calls work in it; it gets the kernel):
 *   `test('queue', function* (kernel) { yield* queue.send(1, 10); })`;
 * - callback style: `testDone('answers', (done) => client.get((error) => done(error)))`.
 * Espruino has no async/await, so there are no promise bodies. Every test has a timeout (default
 * 5000 ms); a timed-out generator task stops at its next kernel call. Engine-neutral: the console
 * line printer and the engine's timer are passed to `run()`.
 */
import { Kernel } from '../kernel/kernel.js';
import { RealClock, type EngineTimer } from '../kernel/clock.js';
import type { TaskBody, Token } from '../kernel/task.js';
import { encodeFrame } from './frame.js';

export interface TestOptions {
  /** Fail the test when it has not finished after this long. Default: run()'s `timeoutMs`. */
  timeoutMs?: number;
  /** Report the test as skipped without running it (true, or the reason). */
  skip?: boolean | string;
}

export type SyncBody = () => void;
export type GeneratorBody = (kernel: Kernel) => Generator<unknown, unknown, unknown>;
export type DoneBody = (done: (error?: unknown) => void) => void;

interface TestCase {
  name: string;
  body: SyncBody | GeneratorBody | DoneBody;
  callback: boolean;
  options: TestOptions;
  hooks: Hooks;
}

interface Hooks {
  beforeEach: (() => void)[];
  afterEach: (() => void)[];
}

export interface RunOptions {
  /** Prints one console line (mote/hal's `log`). */
  print: (line: string) => void;
  /** The engine's timer (mote/hal's `engineTimer`). */
  timer: EngineTimer;
  /** The kernel generator tests run on (started). Default: one made at the first such test, 100 Hz, on a RealClock. */
  kernel?: Kernel;
  /** Default per-test timeout in ms (5000). */
  timeoutMs?: number;
  /** Called after the last test with the counts. */
  onEnd?: (summary: Summary) => void;
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
}

const tests: TestCase[] = [];
let path: string[] = [];
let hooks: Hooks = { beforeEach: [], afterEach: [] };
let emit: ((event: { [key: string]: unknown }) => void) | undefined;
let current = -1;

/** Groups tests: their names are prefixed with `name › `; hooks declared inside apply to them only. */
export function describe(name: string, body: () => void): void {
  const outerPath = path;
  const outerHooks = hooks;
  path = outerPath.concat([name]);
  hooks = { beforeEach: outerHooks.beforeEach.slice(), afterEach: outerHooks.afterEach.slice() };
  try {
    body();
  } finally {
    path = outerPath;
    hooks = outerHooks;
  }
}

function add(name: string, body: SyncBody | GeneratorBody | DoneBody, callback: boolean, options: TestOptions): void {
  tests.push({ name: path.concat([name]).join(' › '), body, callback, options, hooks });
}

/** A synchronous or generator test. */
export function test(name: string, body: SyncBody | GeneratorBody, options: TestOptions = {}): void {
  add(name, body, false, options);
}

/** A test that ends when it calls `done()` (passes) or `done(error)` (fails). */
export function testDone(name: string, body: DoneBody, options: TestOptions = {}): void {
  add(name, body, true, options);
}

/** A test reported as skipped, not run. */
export function skip(name: string, reason = 'skipped'): void {
  add(name, () => undefined, false, { skip: reason });
}

/**
 * `fn` wrapped for use as a callback inside a `testDone` test: an expectation that fails (or
 * anything thrown) in it ends the test through `done(error)` instead of escaping to the engine.
 */
export function guard<A extends unknown[]>(done: (error?: unknown) => void, fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (error) {
      done(error);
    }
  };
}

export function beforeEach(fn: () => void): void {
  hooks.beforeEach.push(fn);
}

export function afterEach(fn: () => void): void {
  hooks.afterEach.push(fn);
}

/**
 * Asks the host for something during the running test (a `signal` frame): the host runner acts on
 * it (e.g. changes the device's shadow in the cloud, checks what the cloud received) and fails this
 * test if its check fails. See docs/hil.md for the actions.
 */
export function signal(name: string, data?: unknown): void {
  if (!emit) throw new Error('signal: no test is running');
  emit({ e: 'signal', id: current, name, data: data === undefined ? null : data });
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || String(error);
  return typeof error === 'string' ? error : JSON.stringify(error);
}

function isIterator(value: unknown): value is Generator<unknown, unknown, unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { next?: unknown }).next === 'function';
}

/** Runs every registered test in order, then prints the `end` frame. */
export function run(options: RunOptions): void {
  const { print, timer } = options;
  let seq = 0;
  emit = (event) => {
    event.n = seq++;
    print(encodeFrame(event));
  };
  const send = emit;
  let kernel = options.kernel;
  const summary: Summary = { passed: 0, failed: 0, skipped: 0 };
  send({ e: 'begin', count: tests.length });

  const next = (index: number): void => {
    if (index >= tests.length) {
      current = -1;
      send({ e: 'end', passed: summary.passed, failed: summary.failed, skipped: summary.skipped });
      if (options.onEnd) options.onEnd(summary);
      return;
    }
    const t = tests[index]!;
    current = index;
    send({ e: 'test', id: index, name: t.name });
    if (t.options.skip) {
      summary.skipped++;
      send({ e: 'skip', id: index, reason: typeof t.options.skip === 'string' ? t.options.skip : 'skipped' });
      timer.setTimeout(() => next(index + 1), 0);
      return;
    }
    const started = timer.now();
    let finished = false;
    let handle: unknown = null;
    const finish = (error?: unknown) => {
      if (finished) return;
      finished = true;
      if (handle !== null) timer.clearTimeout(handle);
      for (const hook of t.hooks.afterEach) {
        try {
          hook();
        } catch (hookError) {
          if (error === undefined) error = hookError;
        }
      }
      const ms = Math.round(timer.now() - started);
      if (error === undefined) {
        summary.passed++;
        send({ e: 'pass', id: index, ms });
      } else {
        summary.failed++;
        send({ e: 'fail', id: index, ms, message: messageOf(error) });
      }
      // The next test starts from a fresh engine turn, after whatever this one left queued.
      timer.setTimeout(() => next(index + 1), 0);
    };
    const timeoutMs = t.options.timeoutMs !== undefined ? t.options.timeoutMs : options.timeoutMs !== undefined ? options.timeoutMs : 5000;
    handle = timer.setTimeout(() => {
      handle = null;
      finish(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    try {
      for (const hook of t.hooks.beforeEach) hook();
      if (t.callback) {
        (t.body as DoneBody)((error?: unknown) => finish(error === undefined || error === null ? undefined : error));
        return;
      }
      if (!kernel) {
        // Made only now: a suite of plain tests never starts a kernel.
        kernel = new Kernel({ tickRateHz: 100 });
        new RealClock(kernel, timer).start();
      }
      const result = (t.body as (kernel: Kernel) => unknown)(kernel);
      if (!isIterator(result)) {
        finish();
        return;
      }
      kernel.createTask(`test${index}`, 1, () => drive(result, () => finished, finish));
    } catch (error) {
      finish(error);
    }
  };
  next(0);
}

/**
 * The task running a generator test: passes its kernel operations through, one at a time, so it
 * can stop at the next one once the test has finished (timed out); reports how the body ended.
 */
function* drive(body: Generator<unknown, unknown, unknown>, over: () => boolean, finish: (error?: unknown) => void): TaskBody {
  for (;;) {
    let step: IteratorResult<unknown, unknown>;
    try {
      step = body.next();
    } catch (error) {
      finish(error);
      return;
    }
    if (step.done) {
      finish();
      return;
    }
    yield step.value as Token;
    if (over()) return;
  }
}
