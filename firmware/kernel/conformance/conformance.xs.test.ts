import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { bundleForXS, runOnXS } from '../../host/xs/index.js';
import { scenarios } from './index.js';

type Traces = Record<string, { preemptive: string[]; cooperative: string[] }>;

describe('kernel conformance on the XS engine (@agoric/xsnap)', () => {
  let traces: Traces;

  beforeAll(async () => {
    const bundle = await bundleForXS(fileURLToPath(new URL('./xs-entry.ts', import.meta.url)));
    const run = await runOnXS(bundle, { timeoutMs: 60_000 });
    traces = run.result as Traces;
  }, 90_000);

  test('every scenario ran on XS', () => {
    expect(Object.keys(traces).sort()).toEqual(scenarios.map((s) => s.name).sort());
  });

  for (const s of scenarios) {
    test(`${s.name} preemptive`, () => {
      expect(traces[s.name].preemptive).toEqual(s.expected.preemptive);
    });
    test(`${s.name} cooperative`, () => {
      expect(traces[s.name].cooperative).toEqual(s.expected.cooperative);
    });
  }
});
