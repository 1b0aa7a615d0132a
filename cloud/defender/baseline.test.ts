// The percentile statistical behaviours compare with: linear interpolation between closest ranks.
import { describe, expect, it } from 'vitest';
import { percentile } from './baseline.js';

describe('percentile', () => {
  it('interpolates between the closest ranks of the sorted values', () => {
    const fleet = [40, 3, 5, 3, 4]; // sorted: 3 3 4 5 40
    expect(percentile(fleet, 'p0')).toBe(3);
    expect(percentile(fleet, 'p50')).toBe(4);
    expect(percentile(fleet, 'p90')).toBeCloseTo(26); // rank 3.6: 5 + 0.6 × 35
    expect(percentile(fleet, 'p99')).toBeCloseTo(38.6); // rank 3.96
    expect(percentile(fleet, 'p100')).toBe(40);
    expect(fleet).toEqual([40, 3, 5, 3, 4]); // not sorted in place
  });

  it('of one value is that value; of none is an error', () => {
    expect(percentile([7], 'p99.9')).toBe(7);
    expect(() => percentile([], 'p90')).toThrow(RangeError);
  });
});
