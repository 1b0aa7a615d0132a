/**
 * Statistical baselines: the percentile of the fleet's values a statistical behaviour compares
 * each device with. AWS's statistic names; the percentile is the linearly interpolated one
 * (numpy's default, Excel's PERCENTILE.INC): over the n values sorted ascending, p-th percentile =
 * v[⌊r⌋] + (r − ⌊r⌋) × (v[⌊r⌋+1] − v[⌊r⌋]) with rank r = p/100 × (n − 1).
 */

export const statistics = ['p0', 'p0.01', 'p0.1', 'p1', 'p10', 'p50', 'p90', 'p99', 'p99.9', 'p99.99', 'p100'] as const;
export type Statistic = (typeof statistics)[number];

/** The statistic of `values` (at least one). */
export function percentile(values: readonly number[], statistic: Statistic): number {
  if (values.length === 0) throw new RangeError('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Number(statistic.slice(1)) / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (rank - below) * (sorted[above]! - sorted[below]!);
}
