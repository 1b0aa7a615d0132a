/**
 * runOnEspruinoHost: runs a bundle built for Espruino on the computer, in a `node:vm` context that
 * has only what Espruino 2v29 has (measured: dialect-2v29.json), with Espruino's console output,
 * event order, loop bindings (loop-bindings.ts) and Storage. It checks the bundle with checkDialect
 * first, so syntax V8 would accept but Espruino rejects fails here too.
 *
 * Host-side code: Node APIs are fine here; the script sees only the guest globals (prelude.ts).
 */
import { createHash } from 'node:crypto';
import vm from 'node:vm';
import { checkDialect, type DialectProblem } from '../../build/espruino/dialect.js';
import { missingMethods } from '../../build/espruino/features.js';
import { asString, formatLog, formatUncaught, type FormatContext } from './format.js';
import { shareLoopBindings } from './loop-bindings.js';
import { EventLoop, type Job } from './loop.js';
import { PRELUDE } from './prelude.js';
import { HostStorage } from './storage.js';
import { type BoardSpec, type PinChange, VirtualBoard } from '../../hal/sim/board.js';
import { boardBridge } from './hardware.js';

export interface EspruinoHostOptions {
  /**
   * How long the device runs, in ms of simulated time: timers due later never run, and the run
   * resolves then even if timers are still armed (a device with setInterval never finishes).
   * Also the wall-clock budget for the whole run: a script that computes longer (an endless
   * loop) is stopped and the run rejects with kind 'timeout'. Default 5000.
   */
  timeoutMs?: number;
  /** Files in Storage at start: name -> contents, a binary string (one character per byte). */
  storage?: Record<string, string>;
  /** The bundle's source map, so that dialect problems name original TypeScript positions. */
  sourceMap?: string | object;
  /**
   * A virtual board to run on (firmware/hal/sim/board.ts): its pins and I2C targets behind
   * Espruino's pinMode, digitalWrite, digitalRead, setWatch and I2C1, its stimuli applied at their
   * times. Without one, the script sees no hardware functions.
   */
  board?: BoardSpec;
}

export interface EspruinoHostResult {
  /**
   * What was printed, one entry per line: console.log lines (a multi-line value gives several),
   * and, as Espruino prints them, `Uncaught <error>` for an exception nobody caught and
   * `Uncaught Error: Unhandled promise rejection: <reason>` for a rejection nobody handled.
   * The device keeps running after either, and so does the run.
   */
  output: string[];
  /** Storage's files at the end (a new record; `storage` is not modified). */
  storage: Record<string, string>;
  /** The output pins' level changes, with their times (empty without a board). */
  pins: PinChange[];
}

/**
 * Why a run failed:
 * - 'dialect': checkDialect found constructs Espruino 2v29 rejects (`problems`); nothing ran;
 * - 'timeout': the script computed for longer than `timeoutMs` of wall-clock time.
 */
export type EspruinoHostFailure = 'dialect' | 'timeout';

export class EspruinoHostError extends Error {
  readonly kind: EspruinoHostFailure;
  /** The dialect problems (kind 'dialect'); empty otherwise. */
  readonly problems: DialectProblem[];
  /** What the script printed before it failed. */
  readonly output: string[];

  constructor(kind: EspruinoHostFailure, message: string, problems: DialectProblem[], output: string[]) {
    super(message);
    this.name = 'EspruinoHostError';
    this.kind = kind;
    this.problems = problems;
    this.output = output;
  }
}

/**
 * The globals the guest keeps: the language core Espruino 2v29 implements (src/jswrap_*.c; the
 * error types are Error, SyntaxError, TypeError, ReferenceError and InternalError) and the ones
 * the prelude defines. Every other global of V8's (Map, Set, Symbol, Proxy, Reflect, WeakMap,
 * BigInt, Intl, RangeError, ...) is deleted. `__moteRun` is the event loop's entry (prelude.ts).
 */
export const ESPRUINO_GLOBALS: readonly string[] = [
  'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'RegExp', 'Date', 'JSON', 'Math', 'Promise',
  'Error', 'SyntaxError', 'TypeError', 'ReferenceError', 'InternalError',
  'ArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array',
  'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'NaN', 'Infinity', 'undefined', 'eval',
  'encodeURIComponent', 'decodeURIComponent', 'globalThis', 'global',
  'console', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'btoa', 'atob', 'E', 'getTime',
  'process', 'require', '__moteRun',
];

/** The hardware globals, present only when the run has a virtual board (EspruinoHostOptions.board). */
export const HARDWARE_GLOBALS: readonly string[] = ['pinMode', 'digitalWrite', 'digitalRead', 'setWatch', 'clearWatch', 'I2C1'];

const DEFAULT_TIMEOUT_MS = 5000;
/** process.memory(): an ESP32 build has 16,383 variables (see shared/espruino/README.md). */
const MEMORY = { total: 16383, usage: 1200, blocksize: 16 };
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const isTimeout = (error: unknown) => (error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';

/**
 * Runs `code`, a script built for Espruino: checks it with checkDialect (rejecting with kind
 * 'dialect' and the problems), then evaluates it in a fresh context with Espruino 2v29's globals
 * and runs its timers and events (see loop.ts) until nothing is left or `timeoutMs` of simulated
 * time has passed. Resolves with what it printed and Storage's files.
 */
export async function runOnEspruinoHost(code: string, opts: EspruinoHostOptions = {}): Promise<EspruinoHostResult> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, storage = {}, sourceMap, board: spec } = opts;
  const problems = checkDialect(code, sourceMap === undefined ? {} : { sourceMap });
  if (problems.length > 0) {
    const lines = problems.map((problem) => `  ${problem.message}`).join('\n');
    throw new EspruinoHostError('dialect', `the script uses what Espruino 2v29 does not have:\n${lines}`, problems, []);
  }

  const started = performance.now();
  const output: string[] = [];
  const files = new HostStorage(storage);
  const loop = new EventLoop(timeoutMs);
  const board = spec ? new VirtualBoard(spec) : undefined;
  if (board) {
    board.now = () => loop.now;
    for (const s of spec?.stimuli ?? []) loop.setTimer(() => board.drive(s.pin, s.level), s.at, false, []);
  }
  const context = vm.createContext({}, { codeGeneration: { strings: true, wasm: false } });
  const format: FormatContext = {
    objectPrototype: vm.runInContext('Object.prototype', context) as object,
    globalNameOf: () => undefined,
  };
  const print = (text: string) => output.push(...text.split('\n'));

  const bridge = {
    log: (args: ArrayLike<unknown>) => print(formatLog(args, format)),
    now: () => loop.now,
    setTimer: (fn: Function, ms: number, repeat: boolean, args: unknown[]) => loop.setTimer(fn, ms, repeat, args),
    clearTimer: (id: unknown, all: boolean) => (all ? loop.clearAll() : loop.clearTimer(id)),
    queue: (fn: Function) => loop.queue(fn),
    next: (): Job | null => loop.next(),
    uncaught: (error: unknown) => print(formatUncaught(error, format)),
    unhandled: (reason: unknown) => print(`Uncaught Error: Unhandled promise rejection: ${asString(reason)}`),
    btoa: (data: string) => Buffer.from(data, 'latin1').toString('base64'),
    atob: (data: string) => Buffer.from(data, 'base64').toString('latin1'),
    hash: (algorithm: string, data: string) => createHash(algorithm.toLowerCase()).update(Buffer.from(data, 'latin1')).digest('binary'),
    memory: () => JSON.stringify({ free: MEMORY.total - MEMORY.usage, usage: MEMORY.usage, total: MEMORY.total, history: 0, gc: 0, gctime: 0, blocksize: MEMORY.blocksize }),
    storageRead: (name: string) => files.read(name),
    storageWrite: (name: string, data: string, offset?: number, size?: number) => files.write(name, data, offset, size),
    storageErase: (name: string) => files.erase(name),
    storageEraseAll: () => files.eraseAll(),
    storageList: () => JSON.stringify(files.list()),
    storageStats: () => JSON.stringify(files.stats()),
    keep: JSON.stringify([...ESPRUINO_GLOBALS, ...(board ? HARDWARE_GLOBALS : [])]),
    removeMethods: JSON.stringify(Object.keys(missingMethods)),
    ...(board ? boardBridge(board, loop) : {}),
  };
  (context as { __moteHost?: unknown }).__moteHost = bridge;
  vm.runInContext(PRELUDE, context, { filename: 'espruino-prelude.js' });

  // A class instance prints as `Name: { ... }` when its constructor is reachable as a global
  // (Espruino looks for it in the root scope); an indirect eval also sees top-level let/class.
  const lookup = vm.runInContext('(function (ev) { return function (name) { try { return ev(name); } catch (e) { return undefined; } }; })(eval)', context) as (
    name: string,
  ) => unknown;
  format.globalNameOf = (ctor) => {
    const name = typeof ctor === 'function' ? ctor.name : '';
    return IDENTIFIER.test(name) && lookup(name) === ctor ? name : undefined;
  };

  const budget = () => {
    const left = timeoutMs - (performance.now() - started);
    if (left <= 0) throw new EspruinoHostError('timeout', `the script did not finish within ${timeoutMs} ms`, [], output);
    return Math.ceil(left);
  };
  const timedOut = () => new EspruinoHostError('timeout', `the script computed for longer than ${timeoutMs} ms`, [], output);

  // Like Espruino, an error in the script (even a syntax error, such as module code) is printed
  // and the device goes on running whatever timers were set.
  let script: vm.Script | undefined;
  try {
    script = new vm.Script(shareLoopBindings(code), { filename: 'espruino.js' });
  } catch (error) {
    print(formatUncaught(error, format));
  }
  if (script) {
    const scriptBudget = budget();
    try {
      script.runInContext(context, { timeout: scriptBudget });
    } catch (error) {
      if (isTimeout(error)) throw timedOut();
      print(formatUncaught(error, format));
    }
  }
  const loopBudget = budget();
  try {
    vm.runInContext('__moteRun()', context, { timeout: loopBudget });
  } catch (error) {
    if (isTimeout(error)) throw timedOut();
    throw error;
  }
  return { output, storage: files.toRecord(), pins: board ? board.changes : [] };
}
