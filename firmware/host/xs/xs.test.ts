import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleForXS, runOnXS, XsError } from './index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Awaits a run that must fail and returns its XsError. */
async function failure(run: Promise<unknown>): Promise<XsError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(XsError);
  return error as XsError;
}

describe('bundleForXS + runOnXS', () => {
  it('runs a TypeScript module with a generator, a class and async code on XS', async () => {
    const bundle = await bundleForXS(fixture('generator-class.ts'));
    expect(bundle).not.toMatch(/\bimport\b|\bexport\b/);

    const { output, result } = await runOnXS(bundle);
    expect(output).toEqual(['fifo holds 3: 0,1,1', 'sync done', 'after await']);
    expect(result).toEqual({ fib10: [0, 1, 1, 2, 3, 5, 8, 13, 21, 34] });
  });

  it('reports a bundling error for a missing entry', async () => {
    await expect(bundleForXS(fixture('missing.ts'))).rejects.toThrow(/Could not resolve/);
  });
});

describe('runOnXS', () => {
  it('has no result unless the script sets one', async () => {
    expect(await runOnXS('hostLog("a"); hostLog(1 + 1)')).toEqual({ output: ['a', '2'] });
  });

  it('does not have Node globals on XS', async () => {
    const { output } = await runOnXS(`
      for (const name of ['process', 'require', 'Buffer', 'module', '__dirname', 'setTimeout', 'console'])
        hostLog(name + ' ' + typeof globalThis[name]);
      hostLog('require ' + typeof require);
    `);
    expect(output).toEqual([
      'process undefined',
      'require undefined',
      'Buffer undefined',
      'module undefined',
      '__dirname undefined',
      'setTimeout undefined',
      'console undefined',
      'require undefined',
    ]);
  });

  it('rejects with the error a script throws, keeping the lines logged before', async () => {
    const error = await failure(runOnXS('hostLog("before"); throw new RangeError("pin 99 does not exist"); hostLog("after")'));
    expect(error.kind).toBe('exception');
    expect(error.message).toBe('RangeError: pin 99 does not exist');
    expect(error.output).toEqual(['before']);
  });

  it('rejects on a promise rejection nobody handles', async () => {
    const error = await failure(runOnXS('Promise.resolve().then(() => { throw new TypeError("late") })'));
    expect(error.kind).toBe('unhandled');
    expect(error.message).toBe('unhandled on XS: TypeError: late');
  });

  it('stops an infinite loop after timeoutMs', async () => {
    const started = Date.now();
    const error = await failure(runOnXS('hostLog("looping"); for (;;) {}', { timeoutMs: 300 }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe('XS script did not finish within 300 ms');
    expect(error.output).toEqual(['looping']);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('stops an infinite loop at computeLimit, whatever the machine speed', async () => {
    const error = await failure(runOnXS('for (;;) {}', { computeLimit: 1e6, timeoutMs: 10_000 }));
    expect(error.kind).toBe('compute');
    expect(error.message).toBe('XS script exceeded the compute limit of 1000000 computrons');
  });

  it('lets a script finish within computeLimit', async () => {
    const { result } = await runOnXS('let s = 0; for (let i = 0; i < 1000; i++) s += i; hostResult(s)', { computeLimit: 1e6 });
    expect(result).toBe(499500);
  });
});
