import { describe, expect, it } from 'vitest';
import { formatFlashBench, runFlashBench } from './run.js';

describe('flash bench', () => {
  it('measures both images against the line rate: random data cannot beat it, compressible data does', async () => {
    const rows = await runFlashBench({ kib: 32, rounds: 1, baudRates: [921600] });
    expect(rows.map((r) => r.image)).toEqual(['compressible', 'random']);
    const [packed, random] = rows;
    expect(random.sentBytes).toBeGreaterThan(32 * 1024);
    expect(random.ratio).toBeLessThan(1);
    expect(packed.sentBytes).toBeLessThan(random.sentBytes / 2);
    expect(packed.ratio).toBeGreaterThan(random.ratio);
    expect(formatFlashBench(rows).split('\n')).toHaveLength(3);
  }, 30_000);
});
