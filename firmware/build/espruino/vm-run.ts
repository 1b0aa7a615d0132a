/**
 * Runs a script in a fresh `node:vm` context that calls the global `hostResult(value)`, as the
 * XS runner and the conformance entries expect. With `espruinoGlobals`, the globals and methods
 * Espruino 2v29 lacks (dialect-2v29.json) are removed first, so lowered code that reaches for
 * one fails here as it would on the device. Syntax is not checked here (see the dialect checker).
 */
import vm from 'node:vm';

export interface VmRunOptions {
  /** Remove what Espruino 2v29 lacks: Symbol, Map, Set, WeakMap, Proxy, Array.from, ... */
  espruinoGlobals?: boolean;
  /** Extra globals for the script. */
  globals?: Record<string, unknown>;
  /** How long to wait for hostResult after the script ran (ms; default 10 000). */
  timeoutMs?: number;
}

const missingOnEspruino = `
delete globalThis.Symbol; delete globalThis.Map; delete globalThis.Set; delete globalThis.WeakMap;
delete globalThis.WeakSet; delete globalThis.WeakRef; delete globalThis.Proxy; delete globalThis.Reflect;
delete globalThis.BigInt; delete globalThis.queueMicrotask; delete globalThis.setImmediate;
delete globalThis.RangeError; delete globalThis.EvalError; delete globalThis.URIError; delete globalThis.AggregateError;
delete Array.from; delete Object.freeze; delete Object.isFrozen; delete Number.isInteger;
delete Math.trunc; delete Math.imul; delete Promise.race;
`;

/** Runs `code`; resolves with the value it passed to hostResult (JSON-copied into this realm). */
export function runInVm(code: string, options: VmRunOptions = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let called = false;
    const context = vm.createContext({
      ...options.globals,
      hostResult(value: unknown) {
        called = true;
        if (timer !== undefined) clearTimeout(timer);
        try {
          resolve(JSON.parse(JSON.stringify(value)));
        } catch (e) {
          reject(e);
        }
      },
    });
    try {
      if (options.espruinoGlobals) vm.runInContext(missingOnEspruino, context);
      vm.runInContext(code, context, { filename: 'espruino.js' });
    } catch (e) {
      reject(e);
      return;
    }
    if (!called) timer = setTimeout(() => reject(new Error('the script did not call hostResult')), options.timeoutMs ?? 10_000);
  });
}
