import { describe, expect, it } from 'vitest';
import { LatencySketch } from '../../sketch/latency-sketch.js';
import { groupBucketRows, type BucketRow } from './latency-reader.js';
import { latencyBucketOf } from './span-rows.js';

/** What ClickHouse's GROUP BY returns for these durations: one row per (error, bucket). */
function bucketRows(durations: ReadonlyArray<{ ns: bigint; error: boolean }>, slice = 0): BucketRow[] {
  const rows = new Map<string, BucketRow>();
  for (const d of durations) {
    const bucket = latencyBucketOf(d.ns);
    const key = `${d.error}:${bucket}`;
    const row = rows.get(key) ?? { name: 'op', kind: 2, slice, is_error: d.error ? 1 : 0, bucket, n: '0', sum_ns: '0', min_ns: String(d.ns), max_ns: String(d.ns) };
    row.n = String(Number(row.n) + 1);
    row.sum_ns = String(BigInt(row.sum_ns) + d.ns);
    if (d.ns < BigInt(row.min_ns)) row.min_ns = String(d.ns);
    if (d.ns > BigInt(row.max_ns)) row.max_ns = String(d.ns);
    rows.set(key, row);
  }
  return [...rows.values()];
}

describe('groupBucketRows', () => {
  it('builds the very sketch that adding every duration builds, and one of the failed spans', () => {
    const durations = Array.from({ length: 500 }, (_, i) => ({ ns: BigInt(Math.round(1000 * 1.037 ** (i % 97))) + BigInt(i), error: i % 7 === 0 }));
    durations.push({ ns: 0n, error: false }, { ns: 0n, error: true });
    const [group] = groupBucketRows(bucketRows(durations));
    const direct = new LatencySketch();
    const errors = new LatencySketch();
    for (const d of durations) {
      direct.add(d.ns);
      if (d.error) errors.add(d.ns);
    }
    expect(group!.all.count).toBe(direct.count);
    expect(group!.all.zeroCount).toBe(2);
    expect(group!.all.sumNs).toBe(direct.sumNs);
    for (const q of [0, 0.5, 0.9, 0.99, 1]) expect(group!.all.quantile(q)).toBe(direct.quantile(q));
    expect(group!.errors.count).toBe(errors.count);
    expect(group!.errors.quantile(0.5)).toBe(errors.quantile(0.5));
  });

  it('keeps groups (operation, slice) apart', () => {
    const rows = [...bucketRows([{ ns: 10n, error: false }], 0), ...bucketRows([{ ns: 20n, error: false }, { ns: 30n, error: false }], 3)];
    const groups = groupBucketRows(rows);
    expect(groups.map((g) => [g.slice, g.all.count])).toEqual([
      [0, 1],
      [3, 2],
    ]);
  });
});
