import { describe, expect, it } from 'vitest';
import { compareOperationRows, formatPercent, formatRate, inboundErrorRate, sortOperationRows, type OperationRow } from './operation-rows';

function row(name: string, fields: Partial<OperationRow> = {}): OperationRow {
  return { name, spanKind: 'server', count: 10, errorCount: 0, rate: 1, errorRate: 0, p50: 1, p90: 2, p99: 3, p99Series: [], ...fields };
}

describe('operations table', () => {
  const rows = compareOperationRows(
    [row('b', { p99: 30, rate: 5 }), row('a', { p99: 10, rate: 5 }), row('c', { p99: Number.NaN, rate: 1 }), row('a', { spanKind: 'client', p99: 20 })],
    [],
  );
  const order = (sorted: OperationRow[]): string[] => sorted.map((r) => `${r.name}/${r.spanKind}`);

  it('sorts by name, then kind', () => {
    expect(order(sortOperationRows(rows, 'name', 'asc'))).toEqual(['a/client', 'a/server', 'b/server', 'c/server']);
    expect(order(sortOperationRows(rows, 'name', 'desc'))).toEqual(['c/server', 'b/server', 'a/server', 'a/client']);
  });

  it('sorts numbers either way, missing values last, ties by name', () => {
    expect(order(sortOperationRows(rows, 'p99', 'desc'))).toEqual(['b/server', 'a/client', 'a/server', 'c/server']);
    expect(order(sortOperationRows(rows, 'p99', 'asc'))).toEqual(['a/server', 'a/client', 'b/server', 'c/server']);
    expect(order(sortOperationRows(rows, 'rate', 'desc'))).toEqual(['a/server', 'b/server', 'a/client', 'c/server']);
  });

  it('compares each operation with the previous window, and sorts by the change', () => {
    const compared = compareOperationRows(
      [row('a', { rate: 3, errorRate: 0.1, p50: 10, p99: 100 }), row('b', { rate: 1, p50: 5, p99: 300 }), row('new', { rate: 1 })],
      [row('a', { rate: 2, errorRate: 0.05, p50: 10, p99: 40, count: 20 }), row('b', { rate: 1, p50: 6, p99: 100 }), row('new', { spanKind: 'client' })],
    );
    expect(compared[0]!.change).toEqual({ previousCount: 20, dRate: 0.5, dErrorRate: 0.05, dP50: 0, dP99: 60 });
    expect(compared[1]!.change).toMatchObject({ dRate: 0, dP50: -1, dP99: 200 });
    expect(compared[2]!.change.dP99).toBeNaN();
    expect(order(sortOperationRows(compared, 'dP99', 'desc'))).toEqual(['b/server', 'a/server', 'new/server']);
    expect(order(sortOperationRows(compared, 'dRate', 'desc'))).toEqual(['a/server', 'b/server', 'new/server']);
  });

  it('formats rates and error shares compactly', () => {
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(0.0555)).toBe('0.06/s');
    expect(formatRate(12.34)).toBe('12.3/s');
    expect(formatRate(2500)).toBe('2.5k/s');
    expect(formatRate(0.001)).toBe('0.06/min');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.0004)).toBe('<0.1%');
    expect(formatPercent(0.015)).toBe('1.5%');
    expect(formatPercent(0.25)).toBe('25%');
  });
});

describe('inbound error rate', () => {
  it('counts the server and consumer spans a service served, else all of them', () => {
    const served = [row('GET', { spanKind: 'server', count: 90, errorCount: 9 }), row('q', { spanKind: 'consumer', count: 10, errorCount: 1 }), row('db', { spanKind: 'client', count: 50, errorCount: 50 })];
    expect(inboundErrorRate(served)).toBeCloseTo(0.1);
    expect(inboundErrorRate([row('work', { spanKind: 'internal', count: 4, errorCount: 1 })])).toBe(0.25);
    expect(inboundErrorRate([])).toBeNaN();
  });
});
