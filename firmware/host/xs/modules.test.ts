import { describe, expect, it } from 'vitest';
import { XsError, runModulesOnXS } from './index.js';

async function failure(run: Promise<unknown>): Promise<XsError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(XsError);
  return error as XsError;
}

describe('runModulesOnXS', () => {
  it('links modules by name, with live bindings, and evaluates each once, dependencies first', async () => {
    const { output, result } = await runModulesOnXS(
      {
        main: 'import { count, bump } from "lib/counter"; import "lib/log"; bump(); bump(); hostResult(count);',
        'lib/counter': 'import "lib/log"; hostLog("counter"); export let count = 0; export function bump() { count++; }',
        'lib/log': 'hostLog("log");',
      },
      'main',
    );
    expect(output).toEqual(['log', 'counter']);
    expect(result).toBe(2);
  });

  it('resolves ./ and ../ against the importing module name', async () => {
    const { result } = await runModulesOnXS(
      {
        'app/main': 'import { a } from "./lib/a"; hostResult(a);',
        'app/lib/a': 'import { b } from "../b"; export const a = "a" + b;',
        'app/b': 'export const b = "b";',
      },
      'app/main',
    );
    expect(result).toBe('ab');
  });

  it('loads modules for import() too', async () => {
    const { result } = await runModulesOnXS({ main: 'import("late").then((m) => hostResult(m.late));', late: 'export const late = 42;' }, 'main');
    expect(result).toBe(42);
  });

  it('gives modules the globals of the xsnap worker', async () => {
    const { output } = await runModulesOnXS({ main: 'hostLog([typeof setImmediate, typeof TextEncoder, typeof print].join())' }, 'main');
    expect(output).toEqual(['function,function,function']);
  });

  it('fails with kind exception for a missing module, a syntax error or a throw', async () => {
    const missing = await failure(runModulesOnXS({ main: 'import "nope";' }, 'main'));
    expect(missing.kind).toBe('exception');
    expect(missing.message).toContain('module "nope" not found');

    const syntax = await failure(runModulesOnXS({ main: 'export const = 1;' }, 'main'));
    expect(syntax.kind).toBe('exception');
    expect(syntax.message).toContain('SyntaxError');

    const thrown = await failure(runModulesOnXS({ main: 'hostLog("ran"); throw new RangeError("pin 99")' }, 'main'));
    expect(thrown.kind).toBe('exception');
    expect(thrown.message).toBe('RangeError: pin 99');
    expect(thrown.output).toEqual(['ran']);
  });

  it('evaluates sources as modules: strict, with import.meta, top-level this undefined', async () => {
    const { result } = await runModulesOnXS({ main: 'hostResult([typeof this, typeof import.meta, (function () { return this; })() === undefined])' }, 'main');
    expect(result).toEqual(['undefined', 'object', true]);
  });
});
