import { describe, expect, it } from 'vitest';
import type { Scenario } from '../kernel/conformance/harness.js';
import { scenarios } from '../kernel/conformance/index.js';
import { check } from './kernel-conformance.js';

describe('kernel conformance checker', () => {
  it('reports the first line where a trace differs from the expected one', async () => {
    const real = scenarios.find((s) => s.name === 'example') as Scenario;
    const wrong: Scenario = Object.assign({}, real, {
      expected: { preemptive: real.expected.cooperative, cooperative: real.expected.cooperative },
    });
    const results = await check('node', [wrong]);
    const pre = results.find((r) => r.mode === 'preemptive');
    const coop = results.find((r) => r.mode === 'cooperative');
    expect(coop?.pass).toBe(true);
    expect(pre?.pass).toBe(false);
    // Preemptive: the receiver runs inside the send (line 2); cooperative: the sender runs on.
    expect(pre?.firstDifference).toBe(1);
    expect(pre?.actual[1]).toBe('0 rx 0');
    expect(pre?.expected[1]).toBe('0 tx sent 0');
  });
});
