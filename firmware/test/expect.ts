/**
 * `expect(actual)` for device tests: jest-style matchers whose failures throw an Error with a
 * message that says what was expected and what came, e.g. `expected 3 to be 4`. `.not` negates
 * any matcher. Engine-neutral (no Map, Set, Object.is or Symbol: Espruino lacks them).
 */

/** A short readable form of a value for failure messages. */
export function show(value: unknown, depth = 0): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null || typeof value !== 'object') return typeof value === 'function' ? 'function' : String(value);
  if (depth > 3) return '…';
  if (value instanceof Uint8Array) return `Uint8Array [${Array.prototype.slice.call(value, 0, 32).join(', ')}${value.length > 32 ? ', …' : ''}]`;
  if (Array.isArray(value)) return `[${value.map((item) => show(item, depth + 1)).join(', ')}]`;
  if (value instanceof Error) return `Error(${JSON.stringify(value.message)})`;
  const keys = Object.keys(value);
  return `{${keys.map((key) => `${key}: ${show((value as Record<string, unknown>)[key], depth + 1)}`).join(', ')}}`;
}

function same(a: unknown, b: unknown): boolean {
  // NaN is the one value not === itself; -0 and 0 count as the same here.
  return a === b || (a !== a && b !== b);
}

/** Deep equality of plain data: primitives, arrays, Uint8Arrays and plain objects (own keys). */
export function equal(a: unknown, b: unknown): boolean {
  if (same(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array || Array.isArray(a) || Array.isArray(b)) {
    if (Array.isArray(a) !== Array.isArray(b) || a instanceof Uint8Array !== b instanceof Uint8Array) return false;
    const x = a as ArrayLike<unknown>;
    const y = b as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!equal(x[i], y[i])) return false;
    return true;
  }
  const keysA = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) if (!equal((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  return true;
}

function thrownMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Expectation {
  /** The same matchers, negated. */
  not!: Expectation;

  constructor(
    private readonly actual: unknown,
    private readonly negated: boolean,
  ) {}

  /** Fails unless `pass` (or, negated, unless not `pass`): "expected <actual> [not ]<what>". */
  private check(pass: boolean, what: string): void {
    if (pass === this.negated) throw new Error(`expected ${show(this.actual)} ${this.negated ? 'not ' : ''}${what}`);
  }

  /** Identity (===; NaN equals NaN). */
  toBe(expected: unknown): void {
    this.check(same(this.actual, expected), `to be ${show(expected)}`);
  }

  /** Deep equality of plain data (arrays, Uint8Arrays, objects; undefined properties ignored). */
  toEqual(expected: unknown): void {
    this.check(equal(this.actual, expected), `to equal ${show(expected)}`);
  }

  toBeTruthy(): void {
    this.check(!!this.actual, 'to be truthy');
  }

  toBeFalsy(): void {
    this.check(!this.actual, 'to be falsy');
  }

  toBeUndefined(): void {
    this.check(this.actual === undefined, 'to be undefined');
  }

  toBeDefined(): void {
    this.check(this.actual !== undefined, 'to be defined');
  }

  toBeNull(): void {
    this.check(this.actual === null, 'to be null');
  }

  toBeGreaterThan(n: number): void {
    this.check((this.actual as number) > n, `to be greater than ${n}`);
  }

  toBeGreaterThanOrEqual(n: number): void {
    this.check((this.actual as number) >= n, `to be greater than or equal to ${n}`);
  }

  toBeLessThan(n: number): void {
    this.check((this.actual as number) < n, `to be less than ${n}`);
  }

  toBeLessThanOrEqual(n: number): void {
    this.check((this.actual as number) <= n, `to be less than or equal to ${n}`);
  }

  /** Within half a unit of the `digits`-th decimal place (default 2), as jest's. */
  toBeCloseTo(n: number, digits = 2): void {
    const pass = typeof this.actual === 'number' && Math.abs(this.actual - n) < Math.pow(10, -digits) / 2;
    this.check(pass, `to be close to ${n} (${digits} digits)`);
  }

  /** An array holding `item` (===), or a string holding the substring `item`. */
  toContain(item: unknown): void {
    const actual = this.actual;
    const pass = typeof actual === 'string' ? actual.indexOf(String(item)) >= 0 : Array.isArray(actual) && actual.some((x) => same(x, item));
    this.check(pass, `to contain ${show(item)}`);
  }

  toHaveLength(length: number): void {
    const actual = this.actual as { length?: unknown } | null | undefined;
    this.check(actual !== null && actual !== undefined && actual.length === length, `to have length ${length}`);
  }

  /** A string matching a RegExp, or containing a string. */
  toMatch(pattern: RegExp | string): void {
    const text = String(this.actual);
    this.check(typeof pattern === 'string' ? text.indexOf(pattern) >= 0 : pattern.test(text), `to match ${String(pattern)}`);
  }

  /** `actual` is a function that throws; with `expected`, its message contains it (string) or matches it (RegExp). */
  toThrow(expected?: string | RegExp): void {
    if (typeof this.actual !== 'function') throw new Error(`expected a function to call, got ${show(this.actual)}`);
    let threw = false;
    let message = '';
    try {
      (this.actual as () => unknown)();
    } catch (error) {
      threw = true;
      message = thrownMessage(error);
    }
    const matches = expected === undefined || (typeof expected === 'string' ? message.indexOf(expected) >= 0 : expected.test(message));
    const what = expected === undefined ? 'to throw' : `to throw ${show(expected)}`;
    if (threw && matches === !this.negated) return;
    if (!threw && this.negated) return;
    throw new Error(`expected the function ${this.negated ? 'not ' : ''}${what}, ${threw ? `it threw ${JSON.stringify(message)}` : 'it returned'}`);
  }
}

export function expect(actual: unknown): Expectation {
  const expectation = new Expectation(actual, false);
  expectation.not = new Expectation(actual, true);
  return expectation;
}

/** Fails the running test with `message`. */
export function fail(message: string): never {
  throw new Error(message);
}
