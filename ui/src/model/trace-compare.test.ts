import { describe, expect, it } from 'vitest';
import { buildSpanTree } from './span-tree';
import { buildRows } from './span-rows';
import { buildRowTimes } from './row-times';
import { buildTraceComparison, type CompareInput } from './trace-compare';
import { makeSpan, MS, type SpanSpec } from './fixtures/make-span';

function input(specs: SpanSpec[]): CompareInput {
  const rows = buildRows(buildSpanTree(specs.map(makeSpan)));
  return { rows, times: buildRowTimes(rows, new Float64Array(rows.length)) };
}

describe('trace compare', () => {
  const a = input([
    { id: 'r', name: 'GET', service: 'web', start: 0, end: 100 },
    { id: 'q1', parent: 'r', name: 'query', service: 'db', start: 10, end: 20 },
    { id: 'q2', parent: 'r', name: 'query', service: 'db', start: 30, end: 40 },
    { id: 'c', parent: 'r', name: 'cache', service: 'redis', start: 50, end: 55 },
  ]);
  const b = input([
    { id: 'r', name: 'GET', service: 'web', start: 0, end: 300 },
    { id: 'q1', parent: 'r', name: 'query', service: 'db', start: 10, end: 200 },
    { id: 'p', parent: 'r', name: 'charge', service: 'payments', start: 210, end: 290 },
    { id: 'x', parent: 'p', name: 'query', service: 'db', start: 220, end: 230 },
  ]);

  it('aligns spans by service/operation path, summing repeats, and keeps one-sided paths', () => {
    const rows = buildTraceComparison(a, b);
    expect(rows.map((r) => [r.depth, `${r.service}:${r.operation}`, r.a?.count ?? 0, r.b?.count ?? 0])).toEqual([
      [0, 'web:GET', 1, 1],
      [1, 'db:query', 2, 1],
      [1, 'redis:cache', 1, 0],
      [1, 'payments:charge', 0, 1],
      [2, 'db:query', 0, 1],
    ]);
    expect(rows[0]).toMatchObject({ a: { totalNanos: 100 * MS, firstRow: 0 }, b: { totalNanos: 300 * MS } });
    expect(rows[1]).toMatchObject({ a: { totalNanos: 20 * MS, firstRow: 1 }, b: { totalNanos: 190 * MS, firstRow: 1 } });
  });

  it('compares a trace with itself as all-equal rows', () => {
    const rows = buildTraceComparison(a, a);
    expect(rows.every((r) => r.a !== null && r.b !== null && r.a.totalNanos === r.b.totalNanos)).toBe(true);
  });
});
