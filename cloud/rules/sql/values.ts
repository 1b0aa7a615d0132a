/**
 * AWS IoT SQL values and their conversions (2016-03-23). JSON values map to JS values; AWS's
 * `Undefined` (a missing field, a function given bad arguments) is JS `undefined`; a payload
 * that is not JSON is a Buffer. Int is a JS number that is an integer (2016-03-23 treats `10.0`
 * as Int), Decimal any other number.
 *
 * Conversions follow the SQL reference: a string converts to a number only if it reads as one,
 * to a Boolean only if it is "true" or "false" (any case); Boolean never converts to a number
 * implicitly; Array, Object, Null and Undefined never convert. A failed conversion is Undefined.
 */

export type SqlValue = unknown;

const numeric = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);

/** A number from an Int, a Decimal or a numeric string; else undefined. */
export function toNumber(v: SqlValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && numeric.test(v)) return Number(v);
  return undefined;
}

/** A Boolean from a Boolean or "true"/"false" in any case; else undefined. */
export function toBoolean(v: SqlValue): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const lower = v.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
  }
  return undefined;
}

/** A string from a string, a number or a Boolean (arrays and objects as their JSON); else undefined. */
export function toText(v: SqlValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v === null || v === undefined) return undefined;
  return JSON.stringify(v);
}

/** `=`: Undefined if either side is; numbers by value, strings, Booleans, null, arrays and objects deeply; different types are not equal. */
export function equals(a: SqlValue, b: SqlValue): boolean | undefined {
  if (a === undefined || b === undefined) return undefined;
  return deepEqual(a, b);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** `cast(v AS type)`: the explicit conversions, which also turn Booleans into numbers (true = 1). */
export function cast(v: SqlValue, type: 'Int' | 'Decimal' | 'Boolean' | 'String'): SqlValue {
  switch (type) {
    case 'String':
      return toText(v);
    case 'Boolean':
      if (typeof v === 'number') return v !== 0;
      return toBoolean(v);
    case 'Decimal':
    case 'Int': {
      const n = typeof v === 'boolean' ? Number(v) : toNumber(v);
      if (n === undefined) return undefined;
      return type === 'Int' ? Math.trunc(n) : n;
    }
  }
}
