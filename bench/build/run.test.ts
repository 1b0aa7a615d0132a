import { describe, expect, it } from 'vitest';
import { formatBuildBench, runBuildBench } from './run.js';

describe('runBuildBench', () => {
  it('measures resume cost per runtime and engine, and bundle bytes per app and target', async () => {
    const result = await runBuildBench({ steps: 2_000, rounds: 1 });
    for (const engine of ['node', 'node --jitless'] as const) {
      for (const runtime of ['native', 'typescript', 'mote'] as const) {
        const rows = result.rows.filter((r) => r.engine === engine && r.runtime === runtime);
        expect(rows.map((r) => r.workload)).toContain('generator resume through yield*');
        expect(rows.find((r) => r.workload === 'hand-written state machine')?.ratio).toBe(1);
        for (const r of rows) expect(Number.isFinite(r.ratio) && r.ratio > 0, `${engine} ${runtime} ${r.workload}`).toBe(true);
      }
    }
    const xs = result.rows.filter((r) => r.engine === 'xs');
    expect(new Set(xs.map((r) => r.runtime))).toEqual(new Set(['native']));
    expect(xs.map((r) => r.workload)).toContain('kernel: taskYield round-robin');
    expect(result.bundles.map((b) => b.app)).toEqual(['blink', 'sensor-queue', 'kernel conformance']);
    for (const b of result.bundles) {
      expect(b.espruino).toBeLessThan(b.espruinoReadable);
      expect(b.moddable).toBeGreaterThan(10_000);
      expect(b.moddableModules).toBeGreaterThan(5);
    }
    const text = formatBuildBench(result);
    expect(text).toContain('node --jitless: cost per step');
    expect(text).toContain('xs: cost per step');
    expect(text).toMatch(/blink\s+\d+\s+\d+\s+\d+\s+\d\.\d\d\s+\d+\s+\d+/);
  }, 180_000);
});
