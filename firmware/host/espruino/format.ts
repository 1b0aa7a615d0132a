/**
 * How Espruino 2v29 prints values: console.log (src/jswrap_interactive.c, jswrap_interface_print)
 * writes strings as they are and anything else through jsfGetJSONWithCallback (src/jswrap_json.c)
 * with JSON_PRETTY | JSON_SOME_NEWLINES | JSON_SHOW_OBJECT_NAMES, arguments separated by spaces:
 *
 * - `[ 1, 2, 3 ]`, `[  ]`; `{ "a": 1 }`, `{  }` (keys always quoted);
 * - an item that is not a number, boolean, null or undefined starts a new line, indented two
 *   spaces per level, and so does every fifth object entry; the closing bracket then follows a
 *   newline at the parent's indent: `[\n  "a",\n  "b"\n ]`;
 * - strings inside structures in double quotes, escaped (`\n`, `\"`, `\xHH` below 32 and 127-255);
 * - typed arrays as `new Uint8Array([1, 2])` (`new Uint8Array(4)` when all zero), an ArrayBuffer
 *   as `new Uint8Array([1, 2]).buffer` (`new ArrayBuffer(4)` when all zero);
 * - an instance of a class whose constructor is a global prefixed by its name: `A: { "x": 1 }`;
 * - functions as `function (a,b) {...}`; a value met again while printing itself as ` ... `.
 *
 * Not measured (the table only prints primitives) and approximated: numbers print as in V8
 * (Espruino's float formatting can differ in the last digits), errors as `Name: message`,
 * dates as `Date: <toString()>`, and a non-default toString of a class instance is not called.
 * Host-side code: it reads guest objects but never runs guest code.
 */

export interface FormatContext {
  /** The guest's Object.prototype (objects from the vm context have their own). */
  objectPrototype: object;
  /** The global name under which `ctor` is reachable in the guest, if any. */
  globalNameOf(ctor: unknown): string | undefined;
}

const ITEMS_ON_LINE_OBJECT = 4;

const tagOf = (value: object) => Object.prototype.toString.call(value).slice(8, -1);

/** Espruino's escapeCharacter for %q. */
function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    switch (code) {
      case 8: out += '\\b'; break;
      case 12: out += '\\f'; break;
      case 10: out += '\\n'; break;
      case 7: out += '\\a'; break;
      case 13: out += '\\r'; break;
      case 9: out += '\\t'; break;
      case 92: out += '\\\\'; break;
      case 34: out += '\\"'; break;
      default:
        if (code < 8 && !(next >= 48 && next <= 55)) out += `\\${code}`;
        else if (code < 32 || (code >= 127 && code <= 255)) out += `\\x${code.toString(16).padStart(2, '0')}`;
        else out += text[i];
    }
  }
  return `${out}"`;
}

/** jsonNeedsNewLine: everything but undefined, null and numbers (booleans are numbers to Espruino). */
const needsNewLine = (value: unknown) => !(value === undefined || value === null || typeof value === 'number' || typeof value === 'boolean');

const indent = (depth: number) => '\n' + '  '.repeat(depth);

function formatFunction(fn: Function): string {
  const source = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) return 'function () { [native code] }';
  const block = /^[^(]*\(([^)]*)\)\s*(?:=>\s*)?\{([\s\S]*)\}\s*$/.exec(source);
  const arrow = /^(?:\(([^)]*)\)|([\w$]+))\s*=>\s*([\s\S]*)$/.exec(source);
  const params = (list: string) => list.split(',').map((p) => p.trim()).filter(Boolean).join(',');
  if (block) return `function (${params(block[1]!)}) {${block[2]}}`;
  if (arrow) return `function (${params(arrow[1] ?? arrow[2] ?? '')}) {return ${arrow[3]}}`;
  return 'function () {}';
}

function formatBytes(view: ArrayLike<number>, name: string, isBuffer: boolean, length: number): string {
  const items = Array.prototype.slice.call(view) as number[];
  if (items.every((item) => item === 0)) return `new ${isBuffer ? 'ArrayBuffer' : name}(${length})`;
  return `new ${name}([${items.map(String).join(', ')}])${isBuffer ? '.buffer' : ''}`;
}

/** One value as Espruino's console.log prints it (a top-level string included, quoted). */
export function formatValue(value: unknown, context: FormatContext, depth = 0, seen: Set<object> = new Set()): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value !== 'object' && typeof value !== 'function') return String(value);
  if (seen.has(value)) return ' ... ';
  seen.add(value);
  try {
    if (typeof value === 'function') return formatFunction(value);
    const tag = tagOf(value);
    if (tag === 'ArrayBuffer') {
      const buffer = value as ArrayBuffer;
      return formatBytes(new Uint8Array(buffer), 'Uint8Array', true, buffer.byteLength);
    }
    if (ArrayBuffer.isView(value) && tag !== 'DataView') {
      const view = value as unknown as ArrayLike<number>;
      return formatBytes(view, tag, false, view.length);
    }
    if (tag === 'Error') {
      const error = value as { name?: unknown; message?: unknown };
      return `${String(error.name)}: ${String(error.message)}`;
    }
    if (tag === 'Date') return `Date: ${String(value)}`;
    if (Array.isArray(value)) return formatArray(value, context, depth, seen);
    return formatObject(value, context, depth, seen);
  } finally {
    seen.delete(value);
  }
}

function formatArray(array: unknown[], context: FormatContext, depth: number, seen: Set<object>): string {
  let out = '[ ';
  let needNewLine = false;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    if (i > 0) out += ', ';
    const newNeedsNewLine = needsNewLine(item);
    if (needNewLine || newNeedsNewLine) {
      out += indent(depth + 1);
      needNewLine = false;
    }
    out += formatValue(item, context, depth + 1, seen);
    needNewLine = newNeedsNewLine;
  }
  if (needNewLine) out += indent(depth);
  return `${out} ]`;
}

function formatObject(object: object, context: FormatContext, depth: number, seen: Set<object>): string {
  let out = '';
  const proto = Object.getPrototypeOf(object) as { constructor?: unknown } | null;
  if (proto && proto !== context.objectPrototype && Object.hasOwn(proto, 'constructor')) {
    const name = context.globalNameOf(proto.constructor);
    if (name) out += `${name}: `;
  }
  out += '{ ';
  let needNewLine = false;
  let sinceNewLine = 0;
  let first = true;
  for (const key of Object.keys(object)) {
    const descriptor = Object.getOwnPropertyDescriptor(object, key);
    if (!descriptor || descriptor.get || descriptor.set) continue; // Espruino hides getters and setters
    const item = descriptor.value as unknown;
    sinceNewLine++;
    if (!first) out += ', ';
    const newNeedsNewLine = needsNewLine(item);
    if (sinceNewLine > ITEMS_ON_LINE_OBJECT) needNewLine = true;
    if (needNewLine || newNeedsNewLine) {
      out += indent(depth + 1);
      needNewLine = false;
      sinceNewLine = 0;
    }
    out += `${quote(key)}: ${formatValue(item, context, depth + 1, seen)}`;
    first = false;
    needNewLine = newNeedsNewLine;
  }
  if (needNewLine) out += indent(depth);
  return `${out} }`;
}

/** The text console.log(...args) prints (without the final newline). */
export function formatLog(args: ArrayLike<unknown>, context: FormatContext): string {
  return Array.prototype.map.call(args, (arg: unknown) => (typeof arg === 'string' ? arg : formatValue(arg, context))).join(' ');
}

/** What `%v` (jsvAsString) gives for a value: strings as they are, errors as `Name: message`. */
export function asString(value: unknown): string {
  if (typeof value === 'object' && value !== null && tagOf(value) === 'Error') {
    const error = value as { name?: unknown; message?: unknown };
    return `${String(error.name)}: ${String(error.message)}`;
  }
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The line Espruino prints for an exception nobody caught. */
export function formatUncaught(value: unknown, context: FormatContext): string {
  if (typeof value === 'object' && value !== null && tagOf(value) === 'Error') return `Uncaught ${asString(value)}`;
  return `Uncaught ${formatValue(value, context)}`;
}
