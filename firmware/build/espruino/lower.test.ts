import { describe, expect, it } from 'vitest';
import { lower } from './lower.js';

const lowered = (source: string) => lower(source, 'input.js').code;

describe('lower: generator bodies for mote’s __generator', () => {
  it('returns op codes, reads the resumed value as state.x, calls __generator(body)', () => {
    const code = lowered('function* g(q) { const a = yield 1; const b = yield* q(); return a + b; }');
    expect(code).toContain('return __generator(function (_a) {');
    expect(code).toContain('return _a.v = 1, 4;');
    expect(code).toContain('a = _a.x;');
    expect(code).toContain('return _a.v = q(), 5;');
    expect(code).toContain('return _a.v = a + b, 2;');
    expect(code).not.toMatch(/\.sent\(|__values|\[4|\[2/);
  });

  it('keeps jumps in the body when it has no try regions, but not from inner loops', () => {
    const code = lowered('function* g(n) { outer: for (let i = 0; i < n; i++) { for (let j = 0; j < n; j++) if (j > i) continue outer; yield i; } }');
    expect(code).toMatch(/for \(;;\)\s+switch \(_a\.label\)/);
    expect(code).toMatch(/_a\.label = \d+;\s+break;/);
    expect(code).toMatch(/return -\d+;/); // the continue from the inner, native loop
  });

  it('routes jumps through __generator when the body has try regions', () => {
    const code = lowered('function* g() { for (;;) { try { yield 1; } finally { f(); } } }');
    expect(code).toContain('_a.tr([');
    expect(code).not.toContain('for (;;)\n');
    expect(code).toMatch(/return -\d+;/);
    expect(code).toContain('return 7;');
  });

  it('passes this and arguments as locals', () => {
    const code = lowered('var o = { *m() { yield this.v + arguments.length; } };');
    expect(code).toMatch(/var (_this_\d+) = this, (arguments_\d+) = arguments;/);
    expect(code).toMatch(/return _a\.v = _this_\d+\.v \+ arguments_\d+\.length, 4;/);
  });
});

describe('lower: the rest of the ES5 output', () => {
  it('declares functions before other statements, so nothing relies on hoisting', () => {
    const code = lowered('class A {} class B extends A { m() { return 1; } }');
    expect(code.indexOf('function B()')).toBeLessThan(code.indexOf('__extends(B, _super)'));
  });

  it('guards for-of operands, except literal arrays and strings', () => {
    const code = lowered('for (const x of xs) f(x); for (const y of [1, 2]) f(y); for (const c of "ab") f(c);');
    expect(code.match(/__forOf\(/g)).toHaveLength(1);
  });

  it('names classes after their variable and fixes the prototype of Error subclasses', () => {
    const code = lowered('var Queue = class extends Base {}; class Oops extends Error {}');
    expect(code).toContain('function Queue(');
    expect(code).not.toContain('class_1');
    expect(code).toMatch(/Object\.setPrototypeOf\(_this, _newTarget\.prototype\)/);
  });

  it("'typescript' runtime: TypeScript's output and helpers as is", () => {
    const code = lower('function* g() { yield 1; }', 'input.js', { runtime: 'typescript' }).code;
    expect(code).toContain('function verb(');
    expect(code).toContain('return [4, 1];');
  });

  it('rejects syntax errors with the position', () => {
    expect(() => lowered('let = ;')).toThrow(/input\.js:1:/);
  });
});
