/**
 * runOnEspruinoHost: runs a bundle built for Espruino on the computer, in a `node:vm` context that
 * has only what Espruino 2v29 has (measured: dialect-2v29.json), with Espruino's console output,
 * event order, loop bindings (loop-bindings.ts) and Storage. It checks the bundle with checkDialect
 * first, so syntax V8 would accept but Espruino rejects fails here too.
 *
 * Host-side code: Node APIs are fine here; the script sees only the guest globals (prelude.ts).
 */
import vm from 'node:vm';
import { checkDialect, type DialectProblem } from '../../build/espruino/dialect.js';
import { formatUncaught } from './format.js';
import { createGuest } from './guest.js';
import { shareLoopBindings } from './loop-bindings.js';
import { EventLoop } from './loop.js';
import { HostStorage } from './storage.js';
import { type BoardSpec, type PinChange, type UartChunk, VirtualBoard } from '../../hal/sim/board.js';
import type { ResetReason } from '../../hal/contract/system.js';

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
   * A virtual board to run on (firmware/hal/sim/board.ts): its pins, I2C targets, UARTs and
   * access points behind Espruino's pinMode, digitalWrite, digitalRead, setWatch, I2C1, Serial2,
   * Serial3, require('Wifi') and ESP32, its timed events applied at their times. Without one, the
   * script sees no hardware functions.
   */
  board?: BoardSpec;
  /**
   * Why the simulated chip started (with a board). Espruino tells only a deep-sleep wake:
   * ESP32.getWakeupCause() is 4 (timer) for 'deep-sleep', else 0. Default 'power-on'.
   */
  resetReason?: ResetReason;
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
  /** What the script wrote to its UARTs, with the times (empty without a board). */
  uart: UartChunk[];
  /** Whether the script called ESP32.reboot(); the run stops at the end of that callback. */
  restarted: boolean;
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

export { ESPRUINO_GLOBALS, HARDWARE_GLOBALS } from './guest.js';

const DEFAULT_TIMEOUT_MS = 5000;
/** process.memory(): an ESP32 build has 16,383 variables (see shared/espruino/README.md). */

const isTimeout = (error: unknown) => (error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';

/**
 * Runs `code`, a script built for Espruino: checks it with checkDialect (rejecting with kind
 * 'dialect' and the problems), then evaluates it in a fresh context with Espruino 2v29's globals
 * and runs its timers and events (see loop.ts) until nothing is left or `timeoutMs` of simulated
 * time has passed. Resolves with what it printed and Storage's files.
 */
export async function runOnEspruinoHost(code: string, opts: EspruinoHostOptions = {}): Promise<EspruinoHostResult> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, storage = {}, sourceMap, board: spec, resetReason = 'power-on' } = opts;
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
    board.later = (fn, ms) => loop.setTimer(fn, ms, false, []);
    board.start();
  }
  let restarted = false;
  const chip = {
    wakeupCause: () => (resetReason === 'deep-sleep' ? 4 : 0),
    reboot: () => {
      restarted = true;
      loop.clearAll();
    },
    rebooted: () => restarted,
  };
  const { context, format, print } = createGuest({
    loop,
    files,
    board,
    print: (text) => output.push(...text.split('\n')),
    ...(board ? { extra: chip, keep: ['ESP32'] } : {}),
  });

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
  return { output, storage: files.toRecord(), pins: board ? board.changes : [], uart: board ? board.uart.sent : [], restarted };
}
