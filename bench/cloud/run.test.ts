import { describe, expect, it } from 'vitest';
import { formatCloudBench, runCloudBench } from './run.js';

describe('cloud bench', () => {
  it('measures the broker alone against a rule into the store, and query latency over generated points', async () => {
    const result = await runCloudBench({ clients: 2, messages: 50, points: 20_000, queries: 3 });
    const [alone, rule] = result.throughput;
    expect(alone).toMatchObject({ path: 'broker alone', messages: 100, ratio: 1 });
    expect(rule).toMatchObject({ path: 'rule into the store', messages: 100 });
    expect(rule!.perSecond).toBeGreaterThan(0);
    expect(rule!.ratio).toBeCloseTo(rule!.perSecond / alone!.perSecond, 6);
    expect(result.queries).toMatchObject({ points: 20_000, series: 20 });
    expect(result.queries.rows.map((r) => r.kind)).toEqual(['range: 1 h of raw points', 'buckets: 1 d by 1 h, min/max/avg', 'downsample: whole series to 500']);
    // 1,000 points a series: windows are capped at the series.
    expect(result.queries.rows.map((r) => r.scanned)).toEqual([1000, 1000, 1000]);
    for (const row of result.queries.rows) expect(row.p95).toBeGreaterThanOrEqual(row.p50);
    expect(result.queries.rows[0]!.ratio).toBeUndefined();
    expect(result.queries.rows[2]!.baselineP50).toBeGreaterThan(0);
    expect(formatCloudBench(result).split('\n')).toHaveLength(9);
  }, 60_000);
});
