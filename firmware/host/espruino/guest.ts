/**
 * The guest of the Espruino-dialect host: a fresh node:vm context holding only what Espruino 2v29
 * has (the prelude builds it, see prelude.ts), wired to the host through a bridge of functions
 * that take and return primitives: console, timers and events (an EventLoop), Storage, and with a
 * virtual board its pins and I2C. Used by runOnEspruinoHost (a batch run in simulated time) and by
 * EspruinoDevice (a live device in real time). Host-side code.
 */
import { createHash } from 'node:crypto';
import vm from 'node:vm';
import { missingMethods } from '../../build/espruino/features.js';
import type { VirtualBoard } from '../../hal/sim/board.js';
import { asString, formatLog, formatUncaught, type FormatContext } from './format.js';
import { boardBridge } from './hardware.js';
import type { EventLoop, Job } from './loop.js';
import { PRELUDE } from './prelude.js';
import type { HostStorage } from './storage.js';

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
  'console', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'btoa', 'atob', 'E', 'getTime', 'setTime',
  'process', 'require', '__moteRun',
];

/** The hardware globals, present only when the run has a virtual board (EspruinoHostOptions.board). */
export const HARDWARE_GLOBALS: readonly string[] = ['pinMode', 'digitalWrite', 'digitalRead', 'setWatch', 'clearWatch', 'I2C1', 'Serial2', 'Serial3'];

/** process.memory(): an ESP32 build has 16,383 variables (see shared/espruino/README.md). */
const MEMORY = { total: 16383, usage: 1200, blocksize: 16 };
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export interface GuestOptions {
  loop: EventLoop;
  files: HostStorage;
  board?: VirtualBoard;
  /** Where printed text goes (may hold several lines). */
  print: (text: string) => void;
  /** More bridge functions (the live device's network); names the prelude looks for. */
  extra?: Record<string, unknown>;
  /** More globals to keep, besides Espruino's. */
  keep?: readonly string[];
}

export interface Guest {
  context: vm.Context;
  format: FormatContext;
  print: (text: string) => void;
}

export function createGuest(options: GuestOptions): Guest {
  const { loop, files, board, print, extra = {} } = options;
  const context = vm.createContext({}, { codeGeneration: { strings: true, wasm: false } });
  const format: FormatContext = {
    objectPrototype: vm.runInContext('Object.prototype', context) as object,
    globalNameOf: () => undefined,
  };

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
    keep: JSON.stringify([...ESPRUINO_GLOBALS, ...(board ? HARDWARE_GLOBALS : []), ...(options.keep ?? [])]),
    removeMethods: JSON.stringify(Object.keys(missingMethods)),
    ...(board ? boardBridge(board, loop) : {}),
    ...extra,
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

  return { context, format, print };
}
