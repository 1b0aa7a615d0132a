import { describe, expect, it } from 'vitest';
import { formatEspruinoBench, runEspruinoBench } from './run.js';

describe('runEspruinoBench', () => {
  it('measures every workload native, with TypeScript helpers and with mote helpers, on both engines', async () => {
    const result = await runEspruinoBench({ steps: 2_000, rounds: 1 });
    expect(result.rows).toHaveLength(36);
    for (const engine of ['node', 'node --jitless'] as const) {
      for (const runtime of ['native', 'typescript', 'mote'] as const) {
        const rows = result.rows.filter((r) => r.engine === engine && r.runtime === runtime);
        expect(rows.map((r) => r.workload)).toContain('generator resume through yield*');
        expect(rows.find((r) => r.workload === 'hand-written state machine')?.ratio).toBe(1);
        for (const r of rows) expect(Number.isFinite(r.ratio) && r.ratio > 0, `${engine} ${runtime} ${r.workload}`).toBe(true);
      }
    }
    expect(result.conformanceBytes.mote).toBeGreaterThan(10_000);
    expect(result.conformanceBytes.typescript).toBeGreaterThan(10_000);
    expect(result.conformanceBytes.moteMinified).toBeLessThan(result.conformanceBytes.mote);
    const text = formatEspruinoBench(result);
    expect(text).toContain('node --jitless: cost per step');
    expect(text).toContain('kernel: taskYield round-robin');
    expect(text).toMatch(/lowered kernel conformance bundle: \d+ bytes with mote's helpers/);
  }, 120_000);
});
