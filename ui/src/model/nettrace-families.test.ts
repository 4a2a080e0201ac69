import { describe, expect, it } from 'vitest';
import { buildRequestFamilyTable, formatThreshold, REQUEST_THRESHOLDS_NS, sortEventLogFamilies } from './nettrace-families';

describe('net/trace family tables', () => {
  it('heads the columns like /debug/requests', () => {
    expect(REQUEST_THRESHOLDS_NS.map(formatThreshold)).toEqual(['≥0', '≥50ms', '≥100ms', '≥200ms', '≥500ms', '≥1s', '≥10s', '≥100s']);
    expect(formatThreshold(1_500_000_000)).toBe('≥1500ms');
    expect(formatThreshold(250_000)).toBe('≥250µs');
    expect(formatThreshold(1_234_567)).toBe('≥1.235ms');
  });

  it('builds one row per family in name order, a count per threshold, 0 where none was sent', () => {
    const table = buildRequestFamilyTable([
      { family: 'http.Server', active: 0, buckets: [{ minNano: 0, count: 3 }], errors: 0 },
      {
        family: 'grpc.Recv.Checkout',
        active: 1,
        buckets: [
          { minNano: 0, count: 4 },
          { minNano: 50e6, count: 3 },
          { minNano: 100e6, count: 2 },
          { minNano: 500e6, count: 1 },
        ],
        errors: 1,
      },
    ]);
    expect(table.columns.map((c) => c.label)).toEqual(['≥0', '≥50ms', '≥100ms', '≥200ms', '≥500ms', '≥1s', '≥10s', '≥100s']);
    expect(table.rows.map((r) => r.family)).toEqual(['grpc.Recv.Checkout', 'http.Server']);
    expect(table.rows[0]).toEqual({ family: 'grpc.Recv.Checkout', active: 1, counts: [4, 3, 2, 0, 1, 0, 0, 0], errors: 1 });
    expect(table.rows[1]!.counts).toEqual([3, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('adds a column for a threshold the server sends beyond x/net/trace\'s', () => {
    const table = buildRequestFamilyTable([{ family: 'f', active: 0, buckets: [{ minNano: 10e6, count: 2 }], errors: 0 }]);
    expect(table.columns.map((c) => c.label).slice(0, 3)).toEqual(['≥0', '≥10ms', '≥50ms']);
    expect(table.rows[0]!.counts.slice(0, 3)).toEqual([0, 2, 0]);
  });

  it('orders event-log families by name', () => {
    const errors = { '10s': 0, '1m': 0, '10m': 0, '1h': 0, '10h': 0 };
    expect(sortEventLogFamilies([{ family: 'z', total: 1, errors }, { family: 'a', total: 2, errors }]).map((f) => f.family)).toEqual(['a', 'z']);
  });
});
