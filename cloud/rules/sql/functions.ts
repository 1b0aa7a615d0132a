/**
 * AWS IoT SQL's built-in functions that mote implements, by lower-case name: their arity (checked
 * by the parser) and what they compute. As in AWS, a function given an argument of the wrong
 * type returns Undefined instead of failing the rule. Functions that read the message or the
 * store get the evaluation context.
 */
import { createHash, randomUUID } from 'node:crypto';
import { isObject, toNumber, toText, type SqlValue } from './values.js';

/** What functions may read besides their arguments: the message and the cloud around it. */
export interface EvalContext {
  /** The topic as rules see it (Basic Ingest's `$aws/rules/{rule}/` prefix removed). */
  topic: string;
  /** The payload as bytes. */
  payload: Buffer;
  clientId?: string;
  /** The certificate id or device token id the publisher connected with. */
  principal?: string;
  /** When the message arrived, epoch ms: the same for every timestamp() of one evaluation. */
  timestamp: number;
  /** A shadow document ({state, metadata, version, timestamp}), or undefined if there is none. */
  getThingShadow?: (thingName: string, shadowName: string | undefined) => Promise<object | undefined>;
}

export interface SqlFunction {
  /** Fewest and most arguments. */
  arity: [number, number];
  /** May take `*` (the whole payload) as an argument. */
  takesPayload?: boolean;
  call(args: SqlValue[], context: EvalContext): SqlValue | Promise<SqlValue>;
}

/** A function of one number, Undefined for anything that is not one or for a result that is not finite. */
const math = (f: (x: number) => number): SqlFunction => ({
  arity: [1, 1],
  call: ([x]) => {
    const n = toNumber(x);
    if (n === undefined) return undefined;
    const r = f(n);
    return Number.isFinite(r) ? r : undefined;
  },
});

const math2 = (f: (x: number, y: number) => number): SqlFunction => ({
  arity: [2, 2],
  call: ([x, y]) => {
    const a = toNumber(x);
    const b = toNumber(y);
    if (a === undefined || b === undefined) return undefined;
    const r = f(a, b);
    return Number.isFinite(r) ? r : undefined;
  },
});

/** A function of strings (numbers and Booleans read as their text). */
const text = (arity: [number, number], f: (...s: string[]) => SqlValue): SqlFunction => ({
  arity,
  call: (args) => {
    const strings = args.map(toText);
    return strings.every((s): s is string => s !== undefined) ? f(...strings) : undefined;
  },
});

const integers = (f: (a: bigint, b: bigint) => bigint): SqlFunction => ({
  arity: [2, 2],
  call: ([x, y]) => {
    const a = toNumber(x);
    const b = toNumber(y);
    if (a === undefined || b === undefined || !Number.isInteger(a) || !Number.isInteger(b)) return undefined;
    return Number(BigInt.asIntN(64, f(BigInt(a), BigInt(b))));
  },
});

const hash = (algorithm: string): SqlFunction => ({
  arity: [1, 1],
  call: ([v]) => {
    const s = toText(v);
    return s === undefined ? undefined : createHash(algorithm).update(s, 'utf8').digest('hex');
  },
});

/** A pattern from the rule; a bad one makes the function Undefined rather than failing the rule. */
function regex(pattern: string, flags = ''): RegExp | undefined {
  try {
    return new RegExp(pattern, flags);
  } catch {
    return undefined;
  }
}

const pad = (atStart: boolean): SqlFunction => ({
  arity: [2, 2],
  call: ([s, n]) => {
    const str = toText(s);
    const count = toNumber(n);
    if (str === undefined || count === undefined || !Number.isInteger(count) || count < 0) return undefined;
    return atStart ? ' '.repeat(count) + str : str + ' '.repeat(count);
  },
});

/** `get(a, index)` / `get(o, key)`: an array element or an object member. */
function member(container: SqlValue, key: SqlValue): SqlValue {
  if (Array.isArray(container)) {
    const i = toNumber(key);
    return i !== undefined && Number.isInteger(i) && i >= 0 ? container[i] : undefined;
  }
  if (isObject(container)) {
    const k = toText(key);
    return k !== undefined && Object.hasOwn(container, k) ? container[k] : undefined;
  }
  return undefined;
}

/** decode(v, 'base64'): the bytes as JSON if they are JSON, else as text if UTF-8, else the bytes. */
function decodeBytes(bytes: Buffer): SqlValue {
  const asText = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (!Buffer.from(asText, 'utf8').equals(bytes)) return bytes;
  try {
    return JSON.parse(asText) as unknown;
  } catch {
    return asText;
  }
}

function payloadBytes(v: SqlValue): Buffer | undefined {
  if (Buffer.isBuffer(v)) return v;
  if (v === undefined) return undefined;
  return Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8');
}

export const functions: Record<string, SqlFunction> = {
  // Numbers
  abs: math(Math.abs),
  ceil: math(Math.ceil),
  floor: math(Math.floor),
  round: math((x) => Math.sign(x) * Math.round(Math.abs(x))),
  sign: math(Math.sign),
  sqrt: math(Math.sqrt),
  exp: math(Math.exp),
  ln: math(Math.log),
  log: math(Math.log10),
  sin: math(Math.sin), cos: math(Math.cos), tan: math(Math.tan),
  asin: math(Math.asin), acos: math(Math.acos), atan: math(Math.atan),
  sinh: math(Math.sinh), cosh: math(Math.cosh), tanh: math(Math.tanh),
  atan2: math2(Math.atan2),
  power: math2(Math.pow),
  mod: math2((a, b) => (b === 0 ? NaN : ((a % b) + b) % b)),
  remainder: math2((a, b) => (b === 0 ? NaN : a % b)),
  trunc: math2((x, digits) => Math.trunc(x * 10 ** digits) / 10 ** digits),
  rand: { arity: [0, 0], call: () => Math.random() },
  bitand: integers((a, b) => a & b),
  bitor: integers((a, b) => a | b),
  bitxor: integers((a, b) => a ^ b),
  bitnot: { arity: [1, 1], call: ([x]) => (typeof x === 'number' && Number.isInteger(x) ? ~x : undefined) },

  // Strings
  concat: { arity: [2, Infinity], call: (args) => {
    if (args.every(Array.isArray)) return (args as unknown[][]).flat(1);
    const parts = args.map(toText);
    return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
  } },
  length: { arity: [1, 1], call: ([v]) => (typeof v === 'string' ? [...v].length : Array.isArray(v) ? v.length : undefined) },
  lower: text([1, 1], (s) => s.toLowerCase()),
  upper: text([1, 1], (s) => s.toUpperCase()),
  trim: text([1, 1], (s) => s.trim()),
  ltrim: text([1, 1], (s) => s.trimStart()),
  rtrim: text([1, 1], (s) => s.trimEnd()),
  lpad: pad(true),
  rpad: pad(false),
  substring: { arity: [2, 3], call: ([v, from, to]) => {
    const s = toText(v);
    const start = toNumber(from);
    const end = to === undefined ? s?.length : toNumber(to);
    if (s === undefined || start === undefined || end === undefined) return undefined;
    return s.slice(Math.max(0, Math.trunc(start)), Math.max(0, Math.trunc(end)));
  } },
  startswith: text([2, 2], (s, prefix) => s.startsWith(prefix)),
  endswith: text([2, 2], (s, suffix) => s.endsWith(suffix)),
  indexof: text([2, 2], (s, part) => s.indexOf(part)),
  replace: text([3, 3], (s, find, by) => s.split(find).join(by)),
  regexp_matches: text([2, 2], (s, p) => regex(p)?.test(s)),
  regexp_replace: text([3, 3], (s, p, by) => {
    const r = regex(p, 'g');
    return r && s.replace(r, by.replace(/\\(\d)/g, '$$$1'));
  }),
  regexp_substr: text([2, 2], (s, p) => regex(p)?.exec(s)?.[0] ?? ''),
  chr: { arity: [1, 1], call: ([v]) => {
    const n = toNumber(v);
    return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
  } },
  numbytes: text([1, 1], (s) => Buffer.byteLength(s, 'utf8')),
  md5: hash('md5'),
  sha1: hash('sha1'),
  sha224: hash('sha224'),
  sha256: hash('sha256'),
  sha384: hash('sha384'),
  sha512: hash('sha512'),
  newuuid: { arity: [0, 0], call: () => randomUUID() },

  // JSON values
  get: { arity: [2, 2], call: ([container, key]) => member(container, key) },
  get_or_default: { arity: [2, 2], call: ([v, fallback]) => (v === undefined || v === null ? fallback : v) },
  isnull: { arity: [1, 1], call: ([v]) => v === null },
  isundefined: { arity: [1, 1], call: ([v]) => v === undefined },
  encode: { arity: [2, 2], takesPayload: true, call: ([v, scheme]) => {
    const bytes = payloadBytes(v);
    return bytes && toText(scheme) === 'base64' ? bytes.toString('base64') : undefined;
  } },
  decode: { arity: [2, 2], takesPayload: true, call: ([value, scheme]) => {
    // decode(*, 'base64'): `*` is the payload's bytes.
    const v = Buffer.isBuffer(value) ? value.toString('latin1').trim() : value;
    if (typeof v !== 'string' || toText(scheme) !== 'base64' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) return undefined;
    return decodeBytes(Buffer.from(v, 'base64'));
  } },

  // The message and the cloud
  topic: { arity: [0, 1], call: ([n], { topic }) => {
    if (n === undefined) return topic;
    const i = toNumber(n);
    return i !== undefined && Number.isInteger(i) && i >= 1 ? topic.split('/')[i - 1] : undefined;
  } },
  clientid: { arity: [0, 0], call: (_args, { clientId }) => clientId ?? 'n/a' },
  principal: { arity: [0, 0], call: (_args, { principal }) => principal },
  timestamp: { arity: [0, 0], call: (_args, { timestamp }) => timestamp },
  sql_version: { arity: [0, 0], call: () => '2016-03-23' },
  get_thing_shadow: { arity: [2, 3], call: async (args, { getThingShadow }) => {
    // The last argument is the role ARN AWS reads the shadow with; mote needs no role.
    const thingName = toText(args[0]);
    const shadowName = args.length === 3 ? toText(args[1]) : undefined;
    if (thingName === undefined || (args.length === 3 && shadowName === undefined) || !getThingShadow) return undefined;
    return (await getThingShadow(thingName, shadowName)) ?? undefined;
  } },
};
