/**
 * runOnXS: runs a self-contained script on Moddable's XS engine, in an xsnap worker process
 * (@agoric/xsnap), and collects what the script reports to the host.
 *
 * Host-side code: Node APIs are fine here, and only here; the script itself sees XS's globals.
 */
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import type { XSnapWorker } from '@agoric/xsnap';

export interface XsRunOptions {
  /**
   * Wall-clock limit for the whole run, worker start-up included. When it passes, the worker is
   * killed and the run rejects with an XsError of kind 'timeout'. Default 5000.
   */
  timeoutMs?: number;
  /**
   * XS computation limit per crank, in computrons (xsnap's metering, `-l`): deterministic where
   * `timeoutMs` depends on the machine. Evaluating the script, with the promise jobs and
   * setImmediate callbacks it queues, is one crank. Exceeding it rejects with kind 'compute'.
   * Default: no limit. (An empty `for (;;) {}` runs about 1e7 computrons in 60 ms.)
   */
  computeLimit?: number;
}

export interface XsRunResult {
  /** The lines the script passed to `hostLog`, in order. */
  output: string[];
  /** The value last passed to `hostResult`, after a JSON round trip; absent if it was never called. */
  result?: unknown;
}

/**
 * Why a run failed:
 * - 'exception': the script threw while being evaluated;
 * - 'unhandled': a promise was rejected and never handled, or a setImmediate callback threw;
 * - 'timeout': `timeoutMs` passed;
 * - 'compute': `computeLimit` was exceeded;
 * - 'crash': the worker failed otherwise (out of memory, stack overflow, cannot start).
 */
export type XsFailure = 'exception' | 'unhandled' | 'timeout' | 'compute' | 'crash';

export class XsError extends Error {
  readonly kind: XsFailure;
  /** The lines the script passed to `hostLog` before it failed. */
  readonly output: string[];
  /** What the worker wrote to stdout (xsnap's `print`) and stderr. */
  readonly log: string;

  constructor(kind: XsFailure, message: string, output: string[], log: string) {
    super(message);
    this.name = 'XsError';
    this.kind = kind;
    this.output = output;
    this.log = log;
  }
}

/** Messages from guest to host: one tag byte, then UTF-8 text. */
const enum Tag {
  Log = 0x4c, // 'L'
  Result = 0x52, // 'R'
}

/**
 * Evaluated before the script, in its own crank. xsnap's only guest-to-host channel is the
 * synchronous `issueCommand(ArrayBuffer): ArrayBuffer`, answered by the host's handleCommand;
 * these two globals wrap it.
 */
const GUEST_PRELUDE = `(() => {
  const encoder = new TextEncoder();
  const send = (tag, text) => { issueCommand(encoder.encode(tag + text).buffer); };
  const define = (name, value) => Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  define('hostLog', (line) => send('L', String(line)));
  define('hostResult', (value) => {
    const json = JSON.stringify(value);
    send('R', json === undefined ? '' : json);
  });
})();`;

const WORKER_NAME = 'mote-xs';
const DEFAULT_TIMEOUT_MS = 5000;

let xsnapModule: Promise<typeof import('@agoric/xsnap')> | undefined;

/** Loads @agoric/xsnap on first use, after the globals it needs (see endo-globals.ts). */
export function loadXsnap(): Promise<typeof import('@agoric/xsnap')> {
  xsnapModule ??= import('./endo-globals.js').then(() => import('@agoric/xsnap'));
  return xsnapModule;
}

/**
 * Runs `source`, a self-contained script (for example a bundleForXS bundle), on XS in a fresh
 * worker, and resolves once it has run to idle: its synchronous code, then the promise jobs and
 * setImmediate callbacks it queued. There are no timers, so nothing runs later.
 *
 * The script sees XS's globals (ES2023+, no `process`, `require`, `Buffer`, `console` or
 * `setTimeout`), xsnap's (`print` to the worker's stdout, `issueCommand`, `setImmediate`,
 * `harden`, `TextEncoder`, ...) and two added by the runner:
 * - `hostLog(line: string)`: appends a line to `output`;
 * - `hostResult(value)`: sets `result` to `JSON.parse(JSON.stringify(value))`.
 *
 * Rejects with an XsError (see XsFailure) if the script throws, leaves a rejection unhandled,
 * exceeds a limit or crashes the worker. The worker never outlives the returned promise.
 */
export async function runOnXS(source: string, opts: XsRunOptions = {}): Promise<XsRunResult> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, computeLimit = 0 } = opts;
  const { xsnap } = await loadXsnap();

  const output: string[] = [];
  let result: { value: unknown } | undefined;
  let log = '';

  const decoder = new TextDecoder();
  const handleCommand = async (message: Uint8Array): Promise<Uint8Array> => {
    const text = decoder.decode(message.subarray(1));
    if (message[0] === Tag.Log) output.push(text);
    else if (message[0] === Tag.Result) result = { value: text === '' ? undefined : JSON.parse(text) };
    return new Uint8Array(0);
  };

  // xsnap spawns the worker itself; wrapping spawn gives us the process, to read its stdout and
  // stderr (they must be drained anyway), to see it fail to start, and to know when it has gone.
  let child: ChildProcess | undefined;
  let gone: Promise<unknown> = Promise.resolve();
  let abort: (reason: Error) => void = () => {};
  const aborted = new Promise<never>((_, reject) => (abort = reject));
  aborted.catch(() => {});
  const spawn = ((command: string, args: readonly string[], options: object) => {
    const proc = nodeSpawn(command, args, options);
    proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    // 'close' comes after exit and after stdio has drained, and also after a failed spawn, which
    // emits 'error' and no 'exit' (xsnap would then wait forever).
    gone = once(proc, 'close').catch((error: Error) => abort(error));
    child = proc;
    return proc;
  }) as unknown as typeof nodeSpawn;

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child?.kill('SIGKILL');
    abort(new Error('timeout'));
  }, timeoutMs);

  let worker: XSnapWorker | undefined;
  const session = async () => {
    worker = await xsnap({
      os: os.type(),
      spawn,
      fs: {},
      name: WORKER_NAME,
      handleCommand,
      stdout: 'pipe',
      stderr: 'pipe',
      meteringLimit: computeLimit,
    });
    await worker.evaluate(GUEST_PRELUDE);
    await worker.evaluate(source);
    // Resolves on exit code 0. A rejection left unhandled in the last crank makes the worker
    // exit 15 here, but one from an earlier crank would not: the log is checked below as well.
    await worker.close();
  };

  const running = session();
  running.catch(() => {}); // after an abort it may still settle; its outcome no longer matters
  let failure: unknown;
  try {
    await Promise.race([running, aborted]);
  } catch (error) {
    failure = error;
  } finally {
    clearTimeout(timer);
    child?.kill('SIGKILL');
    await gone;
  }

  const unhandled = /^Unhandled exception (.*)$/m.exec(log)?.[1];
  if (timedOut) {
    throw new XsError('timeout', `XS script did not finish within ${timeoutMs} ms`, output, log);
  }
  if (failure === undefined && unhandled === undefined) {
    return result ? { output, result: result.value } : { output };
  }
  const message = failure instanceof Error ? failure.message : String(failure);
  const uncaught = `Uncaught exception in ${WORKER_NAME}: `;
  if (message.startsWith(uncaught)) {
    throw new XsError('exception', message.slice(uncaught.length), output, log);
  }
  if (unhandled !== undefined) {
    throw new XsError('unhandled', `unhandled on XS: ${unhandled}`, output, log);
  }
  if (message.includes('too much computation')) {
    throw new XsError('compute', `XS script exceeded the compute limit of ${computeLimit} computrons`, output, log);
  }
  const hint = message.includes('ENOENT') ? " (is @agoric/xsnap built? try 'npm rebuild @agoric/xsnap')" : '';
  const detail = log.trim() === '' ? '' : ` (worker output: ${log.trim().split('\n').slice(-3).join(' | ')})`;
  throw new XsError('crash', `XS worker failed: ${message}${hint}${detail}`, output, log);
}
