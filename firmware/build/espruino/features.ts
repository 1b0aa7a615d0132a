/**
 * What Espruino 2v29 rejects, as data: the dialect checker (./dialect.ts) reports these, and its
 * test cross-checks this list against the measured table (dialect-2v29.json): every entry names the
 * table rows that show Espruino failing on it, every failing row is covered by an entry, and the
 * missing globals and methods here are exactly the ones the table's rows reveal (plus the few in
 * `unmeasuredGlobals`, whose evidence is Espruino's own source).
 *
 * Problem ids (`DialectProblem.feature`): a syntax feature's id ('default-params', ...),
 * `global:<Name>` for a missing global, `method:<Global>.<name>` for a missing static method.
 */

export interface DialectFeature {
  /** The id reported as `DialectProblem.feature`. */
  id: string;
  /** Names the feature in messages. */
  label: string;
  /** `feature` keys of the dialect-2v29.json rows that show Espruino rejecting this. */
  table: readonly string[];
  /** What to write instead. */
  hint: string;
}

const syntax = (id: string, label: string, table: readonly string[], hint: string): DialectFeature => ({ id, label, table, hint });

/** Syntax Espruino 2v29's parser rejects (or, for hoisting, a rule its interpreter does not follow). */
export const syntaxFeatures = {
  generators: syntax('generators', 'generator function', ['generators'], 'lower generators to a state machine before the Espruino build'),
  asyncAwait: syntax('async-await', 'async function / await', ['async/await'], 'use promise chains (and lower them first: see __generator below)'),
  objectDestructuring: syntax('object-destructuring', 'object destructuring', ['object destructuring'], 'read the properties one by one'),
  arrayDestructuring: syntax('array-destructuring', 'array destructuring', ['array destructuring'], 'index the array'),
  paramDestructuring: syntax('param-destructuring', 'destructuring parameter', ['param destructuring'], 'take the object and read its properties'),
  spreadCall: syntax('spread-call', 'spread argument (f(...xs))', ['spread call'], 'use f.apply(thisArg, xs)'),
  spreadArray: syntax('spread-array', 'spread in an array literal', ['spread array'], 'use concat or a loop'),
  spreadObject: syntax('spread-object', 'spread in an object literal', ['spread object'], 'use Object.assign'),
  defaultParams: syntax('default-params', 'default parameter value', ['default params'], 'test for undefined in the body'),
  restParams: syntax('rest-params', 'rest parameter', ['rest params'], 'use arguments'),
  exponent: syntax('exponent-operator', 'exponent operator **', ['exponent operator'], 'use Math.pow'),
  optionalChaining: syntax('optional-chaining', 'optional chaining ?.', ['optional chaining'], 'test for null/undefined explicitly'),
  logicalAssignment: syntax('logical-assignment', 'logical assignment (&&=, ||=, ??=)', ['logical assignment'], 'write a = a ?? b'),
  computedKeys: syntax('computed-keys', 'computed property key', ['computed keys'], 'create the object, then assign o[key] = value'),
  labels: syntax('labels', 'labelled statement', ['label break'], 'use a flag or move the loops into a function and return'),
  taggedTemplates: syntax('tagged-templates', 'tagged template', ['tagged template'], 'call the function with the strings and values'),
  newTarget: syntax('new-target', 'new.target', ['new.target'], 'test `this instanceof F`'),
  bigint: syntax('bigint', 'BigInt literal', ['BigInt'], 'use numbers (or a byte array)'),
  errorSubclass: syntax(
    'error-subclass',
    'class extending a built-in Error type',
    ['Error subclass'],
    'create the error with new Error(message) and set its name/fields',
  ),
  hoisting: syntax(
    'function-hoisting',
    'function used before its declaration',
    ['function hoisting at top', 'function decl after return', 'TypeScript ES5 __generator helper as emitted'],
    'Espruino defines a function declaration only when execution reaches it: move the declaration above its first use',
  ),
  parseError: syntax('parse-error', 'not parseable JavaScript', [], 'fix the syntax error'),
} as const satisfies Record<string, DialectFeature>;

export interface MissingApi {
  /** The table row showing it missing: a ReferenceError / 'Function "x" not found!' row, or a `typeof` row printing 'undefined'. */
  table: string;
  hint: string;
}

/** Globals Espruino 2v29 does not define, each shown missing by a row of the table. */
export const missingGlobals: Readonly<Record<string, MissingApi>> = {
  Map: { table: 'Map', hint: 'use a plain object (keys are strings) or an array of pairs' },
  Set: { table: 'Set', hint: 'use a plain object of keys or an array with indexOf' },
  WeakMap: { table: 'WeakMap', hint: 'store the data on the object itself' },
  Symbol: { table: 'Symbol', hint: 'use string keys' },
  Proxy: { table: 'Proxy', hint: 'use explicit getters/setters' },
  // Rows whose snippet is `console.log(typeof X)` and printed 'undefined': the row's status is
  // 'ok' (typeof never throws) but the measurement is that X is absent.
  Reflect: { table: 'Reflect', hint: 'use Object.* and Function.prototype.apply' },
  TextEncoder: { table: 'TextEncoder', hint: 'use E.toUint8Array (bytes of a string)' },
  TextDecoder: { table: 'TextDecoder', hint: 'use E.toString (string from bytes)' },
  setImmediate: { table: 'setImmediate', hint: 'use setTimeout(fn, 0)' },
  queueMicrotask: { table: 'queueMicrotask', hint: 'use setTimeout(fn, 0) or Promise.resolve().then(fn)' },
};

/**
 * Globals V8 has that Espruino 2v29 does not, with no table row: their evidence is Espruino's
 * source (src/jswrap_*.c defines Error, SyntaxError, TypeError, InternalError and ReferenceError
 * and no other error type; encodeURIComponent/decodeURIComponent but not encodeURI, decodeURI,
 * escape or unescape; no BigInt, weak references, Intl, WebAssembly, shared memory or iterator
 * helpers). The Espruino-dialect host leaves them out too.
 */
export const unmeasuredGlobals: Readonly<Record<string, string>> = {
  WeakSet: 'use a flag property on the object',
  WeakRef: 'hold the object strongly',
  FinalizationRegistry: 'release resources explicitly',
  BigInt: 'use numbers (or a byte array)',
  BigInt64Array: 'use Int32Array pairs',
  BigUint64Array: 'use Uint32Array pairs',
  Intl: 'format numbers and dates by hand',
  WebAssembly: 'not available on microcontrollers',
  SharedArrayBuffer: 'use ArrayBuffer',
  Atomics: 'not needed: Espruino is single-threaded',
  Iterator: 'iterate arrays with for / for-of',
  AggregateError: 'use Error',
  EvalError: 'use Error',
  RangeError: 'use Error (or TypeError)',
  URIError: 'use Error',
  encodeURI: 'use encodeURIComponent',
  decodeURI: 'use decodeURIComponent',
  escape: 'use encodeURIComponent',
  unescape: 'use decodeURIComponent',
};

/** Static methods Espruino 2v29's built-ins lack ('Function "x" not found!'), keyed `Global.name`. */
export const missingMethods: Readonly<Record<string, MissingApi>> = {
  'Promise.race': { table: 'Promise.race', hint: 'settle a shared flag from each promise' },
  'Array.from': { table: 'Array.from', hint: 'use Array.prototype.slice.call(x) or a loop' },
  'Object.freeze': { table: 'Object.freeze', hint: 'do without: nothing on Espruino freezes objects' },
  'Number.isInteger': { table: 'Number.isInteger', hint: "use typeof x === 'number' && Math.floor(x) === x" },
  'Math.trunc': { table: 'Math.trunc', hint: 'use x < 0 ? Math.ceil(x) : Math.floor(x)' },
  'Math.imul': { table: 'Math.imul', hint: 'multiply 16-bit halves, or (a * b) | 0 when the product fits in 53 bits' },
};

/**
 * Built-in error constructors a class may not extend: Espruino's are native functions, and
 * `super()` in the subclass fails ("Calling 'super' outside of class", row 'Error subclass').
 * Measured for Error; the others are made by the same constructor code in src/jswrap_error.c.
 */
export const nativeErrorTypes: ReadonlySet<string> = new Set(['Error', 'TypeError', 'SyntaxError', 'ReferenceError', 'InternalError']);

/** The feature for a missing global, or undefined if Espruino has it. */
export function globalFeature(name: string): DialectFeature | undefined {
  const measured = Object.hasOwn(missingGlobals, name) ? missingGlobals[name] : undefined;
  if (measured) return { id: `global:${name}`, label: `global ${name}`, table: [measured.table], hint: measured.hint };
  const hint = Object.hasOwn(unmeasuredGlobals, name) ? unmeasuredGlobals[name] : undefined;
  if (hint !== undefined) return { id: `global:${name}`, label: `global ${name}`, table: [], hint };
  return undefined;
}

/** The feature for a missing static method `owner.name`, or undefined if Espruino has it. */
export function methodFeature(owner: string, name: string): DialectFeature | undefined {
  const key = `${owner}.${name}`;
  const measured = Object.hasOwn(missingMethods, key) ? missingMethods[key] : undefined;
  if (!measured) return undefined;
  return { id: `method:${key}`, label: `${key}()`, table: [measured.table], hint: measured.hint };
}
