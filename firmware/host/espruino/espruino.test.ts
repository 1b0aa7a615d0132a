import { createHash } from 'node:crypto';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { checkDialect } from '../../build/espruino/dialect.js';
import { missingGlobals, missingMethods, unmeasuredGlobals } from '../../build/espruino/features.js';
import { dialectTable } from '../../build/espruino/table.js';
import { GENERATOR_HELPER_ROW, tscEs5AsyncOutput } from '../../build/espruino/test-support.js';
import { ESPRUINO_GLOBALS, EspruinoHostError, runOnEspruinoHost, type EspruinoHostOptions } from './index.js';
import { shareLoopBindings } from './loop-bindings.js';

const run = async (code: string, opts?: EspruinoHostOptions) => (await runOnEspruinoHost(code, opts)).output;

/** Awaits a run that must fail and returns its EspruinoHostError. */
async function failure(running: Promise<unknown>): Promise<EspruinoHostError> {
  const error = await running.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EspruinoHostError);
  return error as EspruinoHostError;
}

describe('runOnEspruinoHost against the measured table (dialect-2v29.json)', () => {
  const okRows = dialectTable.cases.filter((row) => row.status === 'ok');
  const errorRows = dialectTable.cases.filter((row) => row.status === 'error' && row.feature !== GENERATOR_HELPER_ROW);

  // Every 'ok' row, no exception: the table joins printed lines with ' / '.
  it.each(okRows.map((row) => [row.feature, row] as const))('prints what Espruino printed for %s', async (_, row) => {
    expect((await run(row.code)).join(' / ')).toBe(row.output);
  });

  it.each(errorRows.map((row) => [row.feature, row] as const))('rejects the failing row %s', async (_, row) => {
    const error = await failure(runOnEspruinoHost(row.code));
    expect(error.kind).toBe('dialect');
    expect(error.problems.length).toBeGreaterThan(0);
  });

  it(`rejects the row '${GENERATOR_HELPER_ROW}' (its code: what tsc --target ES5 emits for an async function)`, async () => {
    const error = await failure(runOnEspruinoHost(tscEs5AsyncOutput()));
    expect(error.kind).toBe('dialect');
    expect(new Set(error.problems.map((p) => p.feature))).toEqual(new Set(['function-hoisting']));
    expect(error.message).toContain("function 'verb' is used, but its declaration");
  });

  it('lacks, at run time too, every global and method the failing rows use (checker bypassed with eval)', async () => {
    const rows = [
      ...Object.values(missingGlobals).map((g) => [g.table, 'ReferenceError'] as const),
      ...Object.values(missingMethods).map((m) => [m.table, 'TypeError'] as const),
    ].map(([feature, error]) => [dialectTable.cases.find((c) => c.feature === feature)!, error] as const);
    const apiRows = rows.filter(([row]) => row.status === 'error');
    expect(apiRows.length).toBe(11);
    const code = apiRows
      .map(([row]) => `try { eval(${JSON.stringify(row.code)}); console.log("ran") } catch (e) { console.log(${JSON.stringify(row.feature)} + ": " + e.name) }`)
      .join('\n');
    expect(await run(code)).toEqual(apiRows.map(([row, error]) => `${row.feature}: ${error}`));
  });

  it("orders a promise reaction after the timers due at the same moment (row 'promise reaction vs due timers')", async () => {
    const row = dialectTable.cases.find((c) => c.feature === 'promise reaction vs due timers')!;
    expect(row.node_output).toBe('sync,then1,then2,timeout0,p-then,t5b');
    expect(await run(row.code)).toEqual(['sync,then1,then2,timeout0,t5b,p-then']);
  });
});

describe('globals', () => {
  it('rejects a bundle that uses Map, naming Map', async () => {
    const error = await failure(runOnEspruinoHost('var cache = new Map();\ncache.set("k", 1);\nconsole.log(cache.get("k"));'));
    expect(error.kind).toBe('dialect');
    expect(error.message).toContain('Map is not defined on Espruino 2v29');
    expect(error.problems).toMatchObject([{ feature: 'global:Map', line: 1, column: 17 }]);
    expect(error.output).toEqual([]);
  });

  it('names the original TypeScript position when given the source map', async () => {
    const { code, map } = transformSync('const xs: number[] = [1];\nconst s = new Set<number>(xs);\n', { loader: 'ts', sourcemap: 'external', sourcefile: 'src/app.ts' });
    const error = await failure(runOnEspruinoHost(code, { sourceMap: map }));
    expect(error.message).toMatch(/src\/app\.ts:2:\d+: Set is not defined/);
  });

  it('has no global but those Espruino 2v29 has', async () => {
    const [names] = await run('console.log(Object.getOwnPropertyNames(globalThis).sort().join(","))');
    expect(names!.split(',')).toEqual([...ESPRUINO_GLOBALS].sort());
  });

  it('adds the hardware functions only with a virtual board', async () => {
    const script = 'console.log(typeof digitalWrite, typeof setWatch, typeof I2C1)';
    expect((await runOnEspruinoHost(script, { board: {} })).output).toEqual(['function function object']);
    expect((await runOnEspruinoHost(script)).output).toEqual(['undefined undefined undefined']);
  });

  it('has none of the globals the checker reports, and the checker accepts all it has', async () => {
    const absent = [...Object.keys(missingGlobals), ...Object.keys(unmeasuredGlobals)];
    const [types] = await run(`console.log([${absent.map((n) => `typeof ${n}`).join(', ')}].join(' '))`);
    expect(types).toBe(absent.map(() => 'undefined').join(' '));
    for (const name of ESPRUINO_GLOBALS.filter((n) => n !== '__moteRun')) expect(checkDialect(`${name}`), name).toEqual([]);
  });

  it('lacks the static methods the table shows missing, and Promise.race and friends', async () => {
    const methods = [...Object.keys(missingMethods), 'Promise.any', 'Promise.allSettled', 'Promise.prototype.finally'];
    expect(await run(`console.log([${methods.map((m) => `typeof ${m}`).join(', ')}].join(' '))`)).toEqual([methods.map(() => 'undefined').join(' ')]);
  });

  it("makes only errors the script creates instances of TypeError, as on Espruino (row 'Error stack')", async () => {
    expect(await run('var e = new TypeError("t"); console.log(e instanceof TypeError, e instanceof Error, e.name, e.message, String(e))')).toEqual([
      'true true TypeError t TypeError: t',
    ]);
    expect(await run('try { undefined() } catch (e) { console.log(e instanceof TypeError, e instanceof Error) }')).toEqual(['false true']);
    expect(await run('console.log(new InternalError("i") instanceof Error, typeof RangeError)')).toEqual(['true undefined']);
  });

  it('has Espruino-only helpers: E, btoa/atob on binary strings, getTime, process.memory, crypto', async () => {
    expect(
      await run(`
        console.log(E.toString([104, 105], "!", new Uint8Array([63]), { data: 46, count: 3 }));
        console.log(E.toUint8Array("ab", [1, 2], 258).join(","));
        console.log(new Uint8Array(E.toArrayBuffer("\\x01\\xff")).join(","));
        console.log(btoa("\\xff\\x00"), atob("/wA=") === "\\xff\\x00", btoa([104, 105]));
        var m = process.memory();
        console.log(m.total, m.free + m.usage === m.total, typeof m.blocksize, process.version);
        console.log(new Uint8Array(require("crypto").SHA256("abc")).length);
      `),
    ).toEqual(['hi!?...', '97,98,1,2,2', '1,255', '/wA= true aGk=', '16383 true number 2v29', '32']);
    const [hex] = await run('var h = new Uint8Array(require("crypto").SHA256("abc")); var s = ""; for (var i = 0; i < h.length; i++) s += (h[i] < 16 ? "0" : "") + h[i].toString(16); console.log(s)');
    expect(hex).toBe(createHash('sha256').update('abc').digest('hex'));
  });

  it('prints a syntax error V8 finds (module code: Espruino runs scripts) as uncaught', async () => {
    expect(await run('export var x = 1')).toEqual(['Uncaught SyntaxError: Unexpected token \'export\'']);
  });

  it('throws for a module it does not have', async () => {
    expect(await run('try { require("net") } catch (e) { console.log(e.message) }')).toEqual(['Module net not found']);
  });
});

describe('console.log output, as Espruino formats it', () => {
  it.each([
    ['console.log(1, "a", true, null, undefined)', ['1 a true null undefined']],
    ['console.log([1, 2, 3], [])', ['[ 1, 2, 3 ] [  ]']],
    ['console.log({ a: 1, b: null }, {})', ['{ "a": 1, "b": null } {  }']],
    ['console.log(["a", "b"])', ['[ ', '  "a", ', '  "b"', ' ]']],
    ['console.log({ s: "x\\ny" })', ['{ ', '  "s": "x\\ny"', ' }']],
    ['console.log({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 })', ['{ "a": 1, "b": 2, "c": 3, "d": 4, ', '  "e": 5, "f": 6 }']],
    ['console.log(new Uint8Array([1, 2]), new Uint8Array(3), new Float32Array([1.5]))', ['new Uint8Array([1, 2]) new Uint8Array(3) new Float32Array([1.5])']],
    ['console.log(new Uint8Array([7]).buffer, new ArrayBuffer(2))', ['new Uint8Array([7]).buffer new ArrayBuffer(2)']],
    ['class Point { constructor() { this.x = 1 } } console.log(new Point())', ['Point: { "x": 1 }']],
    ['(function () { class Local { constructor() { this.y = 2 } } console.log(new Local()) })()', ['{ "y": 2 }']],
    ['var o = { a: 1 }; o.self = o; console.log(o)', ['{ "a": 1, ', '  "self":  ... ', ' }']],
    ['console.log(function (a, b) { return a + b })', ['function (a,b) { return a + b }']],
    ['console.log(new Error("e"))', ['Error: e']],
  ])('%s', async (code, lines) => {
    expect(await run(code)).toEqual(lines);
  });
});

describe('events and time', () => {
  it('runs timers in simulated time: Date.now() and getTime() follow it, and nothing waits for real', async () => {
    const started = Date.now();
    const output = await run('setTimeout(function (a, b) { console.log(Date.now(), getTime(), a + b, new Date().getTime()) }, 3000, 1, 2)', { timeoutMs: 5000 });
    expect(output).toEqual(['3000 3 3 3000']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops after timeoutMs of simulated time, with intervals still armed', async () => {
    expect(await run('var n = 0; setInterval(function () { n++ }, 100); setTimeout(function () { console.log(n) }, 1050)', { timeoutMs: 1100 })).toEqual(['10']);
  });

  it('clears every timer when clearTimeout is called with no argument', async () => {
    expect(await run('setTimeout(function () { console.log("a") }, 10); setInterval(function () { console.log("b") }, 10); clearTimeout(); console.log("done")')).toEqual(['done']);
  });

  it('evaluates a string callback', async () => {
    expect(await run('setTimeout("console.log(\'from string\')", 5)')).toEqual(['from string']);
  });

  it('runs promise reactions as events after the main script, before later timers', async () => {
    expect(
      await run(`
        setTimeout(function () { console.log("timer 0") }, 0);
        Promise.resolve(1).then(function (v) { console.log("then", v); return new Promise(function (r) { setTimeout(function () { r(v + 1) }, 50) }) })
          .then(function (v) { console.log("adopted", v); throw new Error("bad") })
          .then(function () { console.log("skipped") })
          .catch(function (e) { console.log("caught", e.message) });
        Promise.all([1, Promise.resolve(2), Promise.reject(3)]).then(null, function (r) { console.log("all rejected", r) });
        console.log("sync");
      `),
    ).toEqual(['sync', 'then 1', 'all rejected 3', 'timer 0', 'adopted 2', 'caught bad']);
  });

  it('prints uncaught exceptions and unhandled rejections as Espruino does, and keeps running', async () => {
    expect(
      await run(`
        setTimeout(function () { console.log("still running") }, 10);
        Promise.reject(new Error("nobody")); 
        setTimeout(function () { throw "a string" }, 5);
        null.x;
      `),
    ).toEqual([
      "Uncaught TypeError: Cannot read properties of null (reading 'x')",
      'Uncaught Error: Unhandled promise rejection: Error: nobody',
      'Uncaught "a string"',
      'still running',
    ]);
  });

  it('rejects with kind timeout when the script computes for too long, keeping what it printed', async () => {
    const started = Date.now();
    const error = await failure(runOnEspruinoHost('console.log("before"); for (;;) {}', { timeoutMs: 200 }));
    expect(error.kind).toBe('timeout');
    expect(error.output).toEqual(['before']);
    const inTimer = await failure(runOnEspruinoHost('setTimeout(function () { console.log("tick"); for (;;) {} }, 10)', { timeoutMs: 200 }));
    expect(inTimer.kind).toBe('timeout');
    expect(inTimer.output).toEqual(['tick']);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('loop bindings (one per loop, as on Espruino)', () => {
  it('rewrites let/const loop heads into a block around the loop, keeping lines', () => {
    expect(shareLoopBindings('for (let i = 0; i < 3; i++) f(i)')).toBe('{let i = 0; for (; i < 3; i++) f(i)}');
    expect(shareLoopBindings('for (const k in o) g(k)\nfor (let v of a) h(v)')).toBe('{let k; for (k in o) g(k)}\n{let v; for (v of a) h(v)}');
    expect(shareLoopBindings('for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) f(i, j)')).toBe(
      '{let i = 0; for (; i < 2; i++) {let j = 0; for (; j < 2; j++) f(i, j)}}',
    );
    expect(shareLoopBindings('for (var i = 0; i < 1; i++) {}')).toBe('for (var i = 0; i < 1; i++) {}');
  });

  it('gives closures made in a loop the last value, and keeps let block-scoped', async () => {
    expect(await run('var fs = []; for (const s of ["a", "b"]) fs.push(function () { return s }); console.log(fs[0]() + fs[1](), typeof s)')).toEqual(['bb undefined']);
  });
});

describe('Storage', () => {
  it('reads the files it was given, writes, erases and lists, and returns the files without touching the input', async () => {
    const initial = { config: '{"rate":5}', old: 'x' };
    const { output, storage } = await runOnEspruinoHost(
      `
      var s = require("Storage");
      console.log(s.read("config"), s.readJSON("config").rate, s.read("missing"), s.read("config", 2, 4));
      s.write("log", "a");
      s.writeJSON("state", { on: true });
      s.erase("old");
      console.log(s.list().join(","), s.list(/^s/).join(","), s.readJSON("state").on);
    `,
      { storage: initial },
    );
    expect(output).toEqual(['{"rate":5} 5 undefined rate', 'config,log,state state true']);
    expect(storage).toEqual({ config: '{"rate":5}', log: 'a', state: '{"on":true}' });
    expect(initial).toEqual({ config: '{"rate":5}', old: 'x' });
  });

  it('creates a sized file and fills it in at offsets, as Storage.write documents', async () => {
    const { output, storage } = await runOnEspruinoHost(`
      var f = require("Storage");
      f.write("a", "Hello", 0, 14);
      console.log(E.toUint8Array(f.read("a").slice(5)).join(","));
      f.write("a", " ", 5);
      f.write("a", "World!!!", 6);
      console.log(f.read("a"));
      try { f.write("a", "too long", 10) } catch (e) { console.log("error") }
      try { f.write("nope", "x", 3) } catch (e) { console.log("error") }
      f.write("a", " ", 0);
      console.log(JSON.stringify(f.read("a")));
      f.write("bytes", new Uint8Array([0, 255]));
      console.log(new Uint8Array(f.readArrayBuffer("bytes")).join(","));
    `);
    expect(output).toEqual(['255,255,255,255,255,255,255,255,255', 'Hello World!!!', 'error', 'error', '" "', '0,255']);
    expect(storage.bytes).toBe('\x00\xff');
  });

  it('reports its space and is a function, as Espruino libraries are', async () => {
    expect(
      await run('var s = require("Storage"); var st = s.getStats(); s.write("f", "1234"); console.log(typeof s, st.totalBytes > 0, st.fileCount, s.getStats().fileCount, st.freeBytes - s.getFree())', {
        storage: { a: 'x' },
      }),
    ).toEqual(['function true 1 2 36']);
  });
});
