import { Parser, type Node } from 'acorn';
import { full } from 'acorn-walk';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { beforeAll, describe, expect, it } from 'vitest';
import { scenarios } from '../../kernel/conformance/index.js';
import { bundleForXS } from '../../host/xs/bundle.js';
import { packageFile } from '../../../scripts/lib/paths.js';
import { buildEspruino, type EspruinoBuild } from './index.js';
import { runInVm } from './vm-run.js';

const cwd = packageFile('.');
const fixture = packageFile('firmware/build/espruino/fixtures/generators-entry.ts');
const conformanceEntry = packageFile('firmware/kernel/conformance/xs-entry.ts');

type Logs = { sync: Record<string, unknown[]>; async: unknown[] };

/** Node types the Espruino 2v29 parser rejects (dialect-2v29.json), and why. */
function forbiddenNodes(code: string): string[] {
  const ast = Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'script', locations: true });
  const found: string[] = [];
  const at = (n: Node, what: string) => found.push(`${what} at ${n.loc?.start.line}:${n.loc?.start.column}`);
  full(ast, (n: Node) => {
    const node = n as Node & Record<string, unknown>;
    switch (n.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        if (node.generator) at(n, 'generator function');
        if (node.async) at(n, 'async function');
        break;
      case 'YieldExpression':
      case 'AwaitExpression':
      case 'SpreadElement':
      case 'RestElement':
      case 'ObjectPattern':
      case 'ArrayPattern':
      case 'AssignmentPattern':
      case 'ChainExpression':
      case 'LabeledStatement':
      case 'TaggedTemplateExpression':
      case 'MetaProperty':
        at(n, n.type);
        break;
      case 'Identifier':
        if (node.name === 'Symbol' || node.name === 'Map' || node.name === 'Set' || node.name === 'WeakMap') at(n, `global ${node.name}`);
        break;
      case 'BinaryExpression':
      case 'AssignmentExpression':
        if (node.operator === '**' || node.operator === '**=') at(n, node.operator as string);
        if (node.operator === '??=' || node.operator === '||=' || node.operator === '&&=') at(n, node.operator as string);
        break;
      case 'Property':
        if (node.computed) at(n, 'computed key');
        break;
      case 'Literal':
        if (typeof node.bigint === 'string') at(n, 'BigInt');
        break;
    }
  });
  return found;
}

/** Function declarations that are not at the top of their block (Espruino does not hoist). */
function lateFunctions(code: string): string[] {
  const ast = Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'script', locations: true });
  const late: string[] = [];
  const check = (body: Node[]) => {
    let seenOther = false;
    for (const s of body) {
      const stmt = s as Node & { expression?: { type: string; value?: unknown } };
      if (s.type === 'FunctionDeclaration') {
        if (seenOther) late.push(`line ${s.loc?.start.line}`);
      } else if (!(s.type === 'ExpressionStatement' && stmt.expression?.type === 'Literal' && typeof stmt.expression.value === 'string')) {
        seenOther = true;
      }
    }
  };
  full(ast, (n: Node) => {
    if (n.type === 'Program' || n.type === 'BlockStatement') check((n as unknown as { body: Node[] }).body);
  });
  return late;
}

describe('buildEspruino: generator semantics (fixtures/generators.ts)', () => {
  let native: Logs;
  let lowered: Logs;
  let build: EspruinoBuild;
  beforeAll(async () => {
    build = await buildEspruino(fixture, { cwd });
    native = (await runInVm(await bundleForXS(fixture))) as Logs;
    lowered = (await runInVm(build.code, { espruinoGlobals: true })) as Logs;
  });

  it('the native run exercises every case', () => {
    expect(Object.keys(native.sync).length).toBeGreaterThan(20);
    for (const [name, log] of Object.entries(native.sync)) expect(log[0], name).not.toBe('case threw');
  });

  it('lowered cases log exactly what native generators log', () => {
    const { 'for-of over an iterator is an error, not zero turns': nativeForOf, ...nativeRest } = native.sync;
    const { 'for-of over an iterator is an error, not zero turns': loweredForOf, ...loweredRest } = lowered.sync;
    for (const name of Object.keys(nativeRest)) expect(loweredRest[name], name).toEqual(nativeRest[name]);
    expect(Object.keys(loweredRest)).toEqual(Object.keys(nativeRest));
    // The one intended difference: iterating an iterator with for-of fails loudly once lowered.
    expect(nativeForOf).toEqual([['turns', 1]]);
    expect(loweredForOf).toEqual([['threw', 'TypeError']]);
  });

  it('async functions lowered over the generator helper', () => {
    expect(lowered.async).toEqual(native.async);
    expect(lowered.async).toEqual([4, 'Error: async failure', [6, 8]]);
  });

  it('the output has none of the syntax Espruino rejects, and no late function declarations', () => {
    expect(forbiddenNodes(build.code)).toEqual([]);
    expect(lateFunctions(build.code)).toEqual([]);
  });

  it('prepends only the helpers the code uses', () => {
    for (const name of ['__generator', '__extends', '__assign', '__rest', '__spreadArray', '__forOf', '__makeTemplateObject', '__awaiter']) {
      expect(build.code, name).toContain(`var ${name} = `);
    }
    expect(build.modules.find((m) => m.path === '<mote helpers>')?.bytes).toBeGreaterThan(0);
  });
});

describe('buildEspruino: kernel conformance (firmware/kernel/conformance/xs-entry.ts)', () => {
  let build: EspruinoBuild;
  let traces: Record<string, { preemptive: string[]; cooperative: string[] }>;
  beforeAll(async () => {
    build = await buildEspruino(conformanceEntry, { cwd });
    traces = (await runInVm(build.code, { espruinoGlobals: true })) as typeof traces;
  });

  for (const s of scenarios) {
    for (const mode of ['preemptive', 'cooperative'] as const) {
      it(`${s.name} (${mode}) matches the expected trace`, () => {
        expect(traces[s.name]?.[mode]).toEqual(s.expected[mode]);
      });
    }
  }

  it('has no generators, Symbol, spread, destructuring or other syntax Espruino rejects', () => {
    expect(build.code).not.toMatch(/function\s*\*/);
    expect(forbiddenNodes(build.code)).toEqual([]);
    expect(lateFunctions(build.code)).toEqual([]);
  });

  it('uses only mote helpers, each once', () => {
    expect(build.code).not.toContain('__values');
    expect(build.code.match(/var __generator = /g)).toHaveLength(1);
    expect(build.code).not.toMatch(/function verb\b/);
  });

  it('module bytes add up to the script', () => {
    const total = build.modules.reduce((t, m) => t + m.bytes, 0);
    expect(total).toBe(Buffer.byteLength(build.code, 'utf8'));
    expect(build.modules.map((m) => m.path)).toContain('firmware/kernel/kernel.ts');
  });

  it('the source map leads back to the .ts sources', () => {
    const map = new TraceMap(build.map);
    const lines = build.code.split('\n');
    const find = (text: string) => {
      const line = lines.findIndex((l) => l.includes(text));
      expect(line, text).toBeGreaterThanOrEqual(0);
      return originalPositionFor(map, { line: line + 1, column: lines[line].indexOf(text) });
    };
    const sourceLine = (source: string, line: number) => (build.map.sourcesContent?.[build.map.sources.indexOf(source)] ?? '').split('\n')[line - 1];

    const queued = find(': undefined cannot be queued');
    expect(queued.source).toBe('firmware/kernel/queue.ts');
    expect(sourceLine('firmware/kernel/queue.ts', queued.line as number)).toContain('undefined cannot be queued');

    // Inside a lowered generator body: the yield of a kernel call.
    const checkpoint = find('_a.v = Token.Checkpoint, 4');
    expect(checkpoint.source).toMatch(/^firmware\/kernel\/[a-z-]+\.ts$/);
    expect(sourceLine(checkpoint.source as string, checkpoint.line as number)).toContain('Token.Checkpoint');

    const hostCall = find('hostResult(runAll(');
    expect(hostCall.source).toBe('firmware/kernel/conformance/xs-entry.ts');
    expect(hostCall.line).toBe(10);
  });
});

describe('buildEspruino({ minify: true }): kernel conformance', () => {
  let build: EspruinoBuild;
  let plainBytes: number;
  let traces: Record<string, { preemptive: string[]; cooperative: string[] }>;
  beforeAll(async () => {
    build = await buildEspruino(conformanceEntry, { cwd, minify: true });
    plainBytes = Buffer.byteLength((await buildEspruino(conformanceEntry, { cwd })).code, 'utf8');
    traces = (await runInVm(build.code, { espruinoGlobals: true })) as typeof traces;
  });

  it('every scenario matches its expected traces', () => {
    for (const s of scenarios) {
      expect(traces[s.name]?.preemptive, `${s.name} preemptive`).toEqual(s.expected.preemptive);
      expect(traces[s.name]?.cooperative, `${s.name} cooperative`).toEqual(s.expected.cooperative);
    }
  });

  it('is smaller, still ES5 for Espruino, functions still declared before use', () => {
    expect(Buffer.byteLength(build.code, 'utf8')).toBeLessThan(plainBytes * 0.6);
    expect(forbiddenNodes(build.code)).toEqual([]);
    expect(lateFunctions(build.code)).toEqual([]);
  });

  it('module bytes add up, helpers included, and the map still leads to the sources', () => {
    expect(build.modules.reduce((t, m) => t + m.bytes, 0)).toBe(Buffer.byteLength(build.code, 'utf8'));
    expect(build.modules.find((m) => m.path === '<mote helpers>')?.bytes).toBeGreaterThan(1000);
    const map = new TraceMap(build.map);
    const lines = build.code.split('\n');
    const line = lines.findIndex((l) => l.includes(': undefined cannot be queued'));
    const pos = originalPositionFor(map, { line: line + 1, column: lines[line].indexOf(': undefined cannot be queued') });
    expect(pos.source).toBe('firmware/kernel/queue.ts');
    const text = build.map.sourcesContent?.[build.map.sources.indexOf('firmware/kernel/queue.ts')]?.split('\n')[(pos.line as number) - 1];
    expect(text).toContain('undefined cannot be queued');
  });
});
