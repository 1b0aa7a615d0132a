import { parse } from 'acorn';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { checkDialect, type DialectProblem } from './dialect.js';
import { missingGlobals, missingMethods, syntaxFeatures, unmeasuredGlobals } from './features.js';
import { analyzeScopes } from './scope.js';
import { dialectTable, type DialectCase } from './table.js';
import { GENERATOR_HELPER_ROW, tscEs5AsyncOutput } from './test-support.js';

const features = (code: string) => checkDialect(code).map((p) => p.feature);

/** The feature ids that explain a failing table row: every feature naming the row as its evidence. */
function featureIdsFor(row: DialectCase): string[] {
  const ids: string[] = [];
  for (const feature of Object.values(syntaxFeatures)) if (feature.table.includes(row.feature)) ids.push(feature.id);
  for (const [name, api] of Object.entries(missingGlobals)) if (api.table === row.feature) ids.push(`global:${name}`);
  for (const [key, api] of Object.entries(missingMethods)) if (api.table === row.feature) ids.push(`method:${key}`);
  return ids;
}

/** Free (undeclared) identifiers a snippet reads, and the `Global.member` accesses on them. */
function freeNames(code: string): { globals: Set<string>; members: Set<string> } {
  const analysis = analyzeScopes(parse(code, { ecmaVersion: 'latest', locations: true }));
  const globals = new Set<string>();
  const members = new Set<string>();
  for (const ref of analysis.references) {
    if (ref.binding) continue;
    globals.add(ref.id.name);
    const parent = analysis.parentOf(ref.id);
    if (parent?.type === 'MemberExpression' && parent.object === ref.id && !parent.computed && parent.property.type === 'Identifier') {
      members.add(`${ref.id.name}.${parent.property.name}`);
    }
  }
  return { globals, members };
}

describe('checkDialect against the measured table (dialect-2v29.json)', () => {
  const rows = dialectTable.cases;
  const errorRows = rows.filter((row) => row.status === 'error' && row.feature !== GENERATOR_HELPER_ROW);
  const okRows = rows.filter((row) => row.status === 'ok');

  it('has the rows this test relies on', () => {
    expect(rows.length).toBeGreaterThan(120);
    expect(rows.map((row) => row.feature)).toContain(GENERATOR_HELPER_ROW);
    expect(new Set(rows.map((row) => row.feature)).size).toBe(rows.length);
  });

  it.each(errorRows.map((row) => [row.feature, row] as const))('rejects the failing row %s, with the feature that explains it', (_, row) => {
    const problems = checkDialect(row.code);
    expect(problems.length).toBeGreaterThan(0);
    const expected = featureIdsFor(row);
    expect(expected.length, `no feature in features.ts names the row '${row.feature}'`).toBeGreaterThan(0);
    expect(problems.map((p) => p.feature)).toEqual(expect.arrayContaining([expect.toSatisfy((id: string) => expected.includes(id))]));
  });

  // Every 'ok' row passes, with no exception: the rows whose snippet is `typeof X` of a missing
  // global (Reflect, TextEncoder, ...) are fine because typeof never throws on Espruino either.
  it.each(okRows.map((row) => [row.feature, row] as const))('accepts the working row %s', (_, row) => {
    expect(checkDialect(row.code)).toEqual([]);
  });

  it(`rejects the row '${GENERATOR_HELPER_ROW}': tsc's ES5 __generator declares verb and step after a return`, () => {
    // The row's `code` is a description, not code; this is the code it describes. Espruino failed
    // with 'ReferenceError: "verb" is not defined' (raised inside the promise, hence "Unhandled
    // promise rejection"), which is the hoisting rule's "declared after a return" case.
    const emitted = tscEs5AsyncOutput();
    expect(emitted).toContain('function verb(n)');
    const problems = checkDialect(emitted);
    const hoisting = problems.filter((p) => p.feature === 'function-hoisting');
    expect(hoisting.map((p) => /function '(\w+)'/.exec(p.message)?.[1])).toEqual(expect.arrayContaining(['verb', 'step']));
    expect(hoisting.every((p) => p.message.includes('follows a return'))).toBe(true);
    // Its feature tests (typeof Symbol, typeof Iterator) are guarded and not reported.
    expect(problems.filter((p) => p.feature.startsWith('global:'))).toEqual([]);
  });

  it('names only table rows that exist, and covers every failing row', () => {
    const keys = new Set(rows.map((row) => row.feature));
    const cited = [
      ...Object.values(syntaxFeatures).flatMap((f) => f.table),
      ...Object.values(missingGlobals).map((g) => g.table),
      ...Object.values(missingMethods).map((m) => m.table),
    ];
    for (const row of cited) expect(keys, `features.ts cites a row the table lacks: '${row}'`).toContain(row);
    for (const row of rows.filter((r) => r.status === 'error')) expect(cited).toContain(row.feature);
  });

  it('lists exactly the missing globals the table reveals', () => {
    // A ReferenceError naming a global the snippet reads, or `typeof X` printing 'undefined'.
    const derived = new Set<string>();
    for (const row of rows.filter((r) => r.feature !== GENERATOR_HELPER_ROW)) {
      const referenceError = /ReferenceError: "(\w+)" is not defined/.exec(row.output);
      if (referenceError && freeNames(row.code).globals.has(referenceError[1]!)) derived.add(referenceError[1]!);
      const typeofRow = /^console\.log\(typeof (\w+)\)$/.exec(row.code);
      if (typeofRow && row.output === 'undefined') derived.add(typeofRow[1]!);
    }
    expect([...derived].sort()).toEqual(Object.keys(missingGlobals).sort());
    for (const row of Object.values(missingGlobals)) expect(derived).toContain(row.table);
  });

  it('lists exactly the missing methods the table reveals', () => {
    const derived = new Set<string>();
    for (const row of rows.filter((r) => r.feature !== GENERATOR_HELPER_ROW)) {
      const notFound = /Function "(\w+)" not found!/.exec(row.output);
      if (!notFound) continue;
      for (const member of freeNames(row.code).members) if (member.endsWith(`.${notFound[1]}`)) derived.add(member);
    }
    expect([...derived].sort()).toEqual(Object.keys(missingMethods).sort());
  });

  it('keeps the unmeasured globals apart from the measured ones', () => {
    for (const name of Object.keys(unmeasuredGlobals)) expect(Object.keys(missingGlobals)).not.toContain(name);
    expect(features('var r = new RangeError("pin 99")')).toEqual(['global:RangeError']);
  });
});

describe('missing globals and methods', () => {
  it('reports a global read as a free identifier, naming it', () => {
    const [problem] = checkDialect('var m = new Map();\nm.set("a", 1);');
    expect(problem).toMatchObject({ feature: 'global:Map', line: 1, column: 13 });
    expect(problem!.message).toMatch(/^1:13: Map is not defined on Espruino 2v29/);
  });

  it('is scope-aware: a variable, parameter, function or class named like a global is fine', () => {
    expect(checkDialect('function Map() { this.k = {} } var m = new Map();')).toEqual([]);
    expect(checkDialect('function f(Set) { return new Set() } f(Object)')).toEqual([]);
    expect(checkDialect('(function () { var Symbol = { iterator: "@@it" }; return Symbol.iterator })()')).toEqual([]);
    expect(checkDialect('{ let Proxy = 1; console.log(Proxy) }')).toEqual([]);
    expect(checkDialect('try { f() } catch (Map) { console.log(Map) }')).toEqual([]);
    expect(features('{ let Proxy = 1 } console.log(Proxy)')).toEqual(['global:Proxy']);
  });

  it('ignores property names, keys and labels that look like globals', () => {
    expect(checkDialect('var o = { Map: 1, Set: function () {} }; o.Map = o.Set; console.log(o.Map)')).toEqual([]);
    expect(checkDialect('class A { Symbol() { return 1 } }')).toEqual([]);
  });

  it('accepts typeof tests and code guarded by them', () => {
    expect(checkDialect('console.log(typeof Map)')).toEqual([]);
    expect(checkDialect('var s = typeof Set !== "undefined" ? new Set() : null')).toEqual([]);
    expect(checkDialect('if ("function" === typeof Symbol) { var it = Symbol.iterator }')).toEqual([]);
    expect(checkDialect('if (typeof WeakMap === "undefined") { var w = {} } else { var w = new WeakMap() }')).toEqual([]);
    expect(checkDialect('var ok = typeof Reflect === "object" && Reflect.ownKeys({})')).toEqual([]);
    expect(features('var s = typeof Set === "undefined" ? new Set() : null')).toEqual(['global:Set']);
    expect(features('if (typeof Map !== "undefined") {} new Map()')).toEqual(['global:Map']);
  });

  it('accepts a polyfill: a global or member the program assigns itself', () => {
    expect(checkDialect('Math.trunc = Math.trunc || function (x) { return x < 0 ? Math.ceil(x) : Math.floor(x) };\nconsole.log(Math.trunc(-2.5))')).toEqual([]);
    expect(checkDialect('TextEncoder = function () {}; new TextEncoder()')).toEqual([]);
  });

  it('reports a missing static method when it is called or passed on, not when its existence is tested', () => {
    expect(features('console.log(Math.trunc(2.7))')).toEqual(['method:Math.trunc']);
    expect(features('var f = Array.from; f([1])')).toEqual(['method:Array.from']);
    expect(features('var x = Number["isInteger"](3)')).toEqual(['method:Number.isInteger']);
    expect(checkDialect('var t = Math.trunc ? Math.trunc(1.5) : Math.floor(1.5)')).toEqual([]);
    expect(checkDialect('if (Object.freeze) Object.freeze(o); var o = {}')).toEqual([]);
    expect(checkDialect('var has = typeof Array.from === "function" || Array.from !== undefined')).toEqual([]);
    expect(checkDialect('var p = Promise.race === undefined ? null : Promise.race([])')).toEqual([]);
    // Array.from on a local `Array` is not the built-in.
    expect(checkDialect('var Array = { from: function (x) { return x } }; Array.from(1)')).toEqual([]);
  });

  it('reports the unmeasured globals too (evidence: Espruino source)', () => {
    expect(features('new WeakSet(); Intl.NumberFormat; BigInt(1)')).toEqual(['global:WeakSet', 'global:Intl', 'global:BigInt']);
    expect(checkDialect('new TypeError("x"); new ReferenceError("y"); new SyntaxError("z"); encodeURIComponent("a b")')).toEqual([]);
  });
});

describe('syntax features', () => {
  it.each([
    ['var f = function* () { yield 1 }', 'generators'],
    ['var f = async () => 1', 'async-await'],
    ['var o = { async m() {} }', 'async-await'],
    ['[a, b] = [b, a]', 'array-destructuring'],
    ['for (var [k, v] of [[1, 2]]) {}', 'array-destructuring'],
    ['try {} catch ({ message }) {}', 'object-destructuring'],
    ['var f = ({ a }) => a', 'param-destructuring'],
    ['function f([a] = []) {}', 'param-destructuring'],
    ['new F(...xs)', 'spread-call'],
    ['x **= 2', 'exponent-operator'],
    ['a ||= 1', 'logical-assignment'],
    ['a && a.b?.()', 'optional-chaining'],
    ['class A { [k]() {} }', 'computed-keys'],
    ['class A { static [k] = 1 }', 'computed-keys'],
    ['a: { break a }', 'labels'],
    ['String.raw`x`', 'tagged-templates'],
    ['var n = 10n', 'bigint'],
    ['var E = class extends TypeError {}', 'error-subclass'],
  ])('%s -> %s', (code, feature) => {
    expect(features(code)).toContain(feature);
  });

  it('reports a nested destructuring pattern once', () => {
    expect(features('var { a: { b }, c: [d] } = x')).toEqual(['object-destructuring']);
  });

  it('allows what the table shows working: classes with fields, getters, ??, optional catch, numeric separators', () => {
    const code = `
      class A extends Object { x = 1; static n = 2; get g() { return this.x } static s() { return 1 } }
      var o = { a: 1, m() { return 2 }, get x() { return 3 } };
      var v = null ?? 1_000;
      try { throw 1 } catch { }
      for (const c of 'ab') { let t = \`\${c}!\`; }
    `;
    expect(checkDialect(code)).toEqual([]);
  });

  it('does not report a class extending a local class named Error', () => {
    expect(checkDialect('function Error(m) { this.m = m } class E2 extends Error {}')).toEqual([]);
  });

  it('parses modules too, and reports code that does not parse', () => {
    expect(features('export const m = new Map()')).toEqual(['global:Map']);
    const [problem] = checkDialect('var = 1');
    expect(problem).toMatchObject({ feature: 'parse-error', line: 1 });
  });

  it('returns problems in source order with 1-based lines and columns', () => {
    const problems = checkDialect('var a = 2 ** 3;\n  var s = new Set([...a]);');
    expect(problems.map((p) => [p.feature, p.line, p.column])).toEqual([
      ['exponent-operator', 1, 9],
      ['global:Set', 2, 15],
      ['spread-array', 2, 20],
    ]);
  });
});

describe('function hoisting (Espruino defines a function declaration when execution reaches it)', () => {
  const hoisted = (code: string) => checkDialect(code).filter((p) => p.feature === 'function-hoisting');
  const names = (problems: DialectProblem[]) => problems.map((p) => /function '(\w+)'/.exec(p.message)?.[1]);

  it('reports a call above the declaration in the same scope (table: function hoisting at top)', () => {
    expect(names(hoisted("console.log(h()); function h(){ return 'hoisted' }"))).toEqual(['h']);
  });

  it('reports any use of a function declared after a return (table: function decl after return)', () => {
    expect(names(hoisted("function outer(){ return inner(); function inner(){ return 'ok' } } console.log(outer())"))).toEqual(['inner']);
    // Even from a callback that runs later: the declaration never runs.
    expect(names(hoisted('function o(){ setTimeout(function(){ g() }, 1); throw 1; function g(){} }'))).toEqual(['g']);
  });

  it('accepts a use inside a function that is only called after the declaration', () => {
    expect(hoisted('function main(){ helper() } function helper(){} main()')).toEqual([]);
    expect(hoisted('var run = function(){ return helper() }; function helper(){ return 1 } run()')).toEqual([]);
    expect(hoisted('function fib(n){ return n < 2 ? n : fib(n - 1) + fib(n - 2) } fib(5)')).toEqual([]);
  });

  it('reports a use inside a function called before the declaration, naming where it runs', () => {
    const problems = hoisted('function main(){ return helper() }\nmain();\nfunction helper(){ return 1 }');
    expect(names(problems)).toEqual(['helper']);
    expect(problems[0]!.message).toContain('in a function that can run at 2:1, before its declaration at 3:1');
    // Through two levels of calls, and through an immediately invoked function.
    expect(names(hoisted('function a(){ b() } function b(){ c() } a(); function c(){}'))).toEqual(['c']);
    expect(names(hoisted('(function(){ h() })(); function h(){}'))).toEqual(['h']);
    expect(names(hoisted('[1].forEach(function(){ h() }); function h(){}'))).toEqual(['h']);
  });

  it('treats setTimeout/setInterval callbacks, promise reactions and stored methods as running later', () => {
    expect(hoisted('setTimeout(function(){ h() }, 10); function h(){}')).toEqual([]);
    expect(hoisted('Promise.resolve().then(function(){ h() }); function h(){}')).toEqual([]);
    expect(hoisted('var exports = {}; exports.run = function(){ h() }; function h(){}')).toEqual([]);
    // esbuild's __export(target, { name: () => name }) for a module's exports.
    expect(hoisted('function __export(t, all){} var ns = {}; __export(ns, { f: () => f }); function f(){}')).toEqual([]);
  });

  it('follows objects and classes held in variables to their first use', () => {
    expect(hoisted('var api = { start(){ h() } }; function h(){} api.start()')).toEqual([]);
    expect(names(hoisted('var api = { start(){ h() } }; api.start(); function h(){}'))).toEqual(['h']);
    expect(hoisted('class A { m(){ return h() } } function h(){} new A().m()')).toEqual([]);
    expect(names(hoisted('class A { m(){ return h() } } new A().m(); function h(){}'))).toEqual(['h']);
    expect(names(hoisted('class A { static x = h() } function h(){}'))).toEqual(['h']);
  });

  it('accepts the ordering bundlers emit: helpers first, or an IIFE with the entry code last', () => {
    expect(hoisted('(() => { function a(){ return b() } function b(){ return 1 } console.log(a()) })()')).toEqual([]);
    expect(hoisted(tscEs5AsyncOutput().replace(/var __generator[\s\S]*?\n};\n/, ''))).toEqual([]);
  });
});

describe('source maps', () => {
  const ts = 'const m: number = 1;\n\nexport function f(xs: number[]) {\n  return new Map<string, number>();\n}\n';
  const { code, map } = transformSync(ts, { loader: 'ts', sourcemap: 'external', sourcefile: 'src/main.ts' });

  it('reports the original TypeScript file:line:column', () => {
    const [problem] = checkDialect(code, { sourceMap: map });
    expect(problem!.feature).toBe('global:Map');
    expect(problem!.source).toMatchObject({ file: 'src/main.ts', line: 4 });
    expect(problem!.message).toMatch(/^src\/main\.ts:4:\d+: Map is not defined on Espruino 2v29/);
    // The bundle position stays in line/column.
    expect(problem).toMatchObject({ line: 3 });
  });

  it('takes the map parsed as well as as text', () => {
    expect(checkDialect(code, { sourceMap: JSON.parse(map) })[0]!.source).toEqual(checkDialect(code, { sourceMap: map })[0]!.source);
  });
});
