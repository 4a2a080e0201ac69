import { describe, expect, it } from 'vitest';
import { buildSpanTree } from './span-tree';
import { buildRows } from './span-rows';
import { buildRowTimes } from './row-times';
import { buildTraceStats } from './trace-stats';
import { makeSpan, MS } from './fixtures/make-span';

describe('trace statistics', () => {
  // frontend GET 0–100 ms → api 10–60 (→ db 20–30, db 25–50 overlapping) and api 70–90 (error).
  const rows = buildRows(
    buildSpanTree([
      makeSpan({ id: 'root', name: 'GET', service: 'frontend', start: 0, end: 100 }),
      makeSpan({ id: 'a1', parent: 'root', name: 'call', service: 'api', start: 10, end: 60 }),
      makeSpan({ id: 'd1', parent: 'a1', name: 'query', service: 'db', start: 20, end: 30 }),
      makeSpan({ id: 'd2', parent: 'a1', name: 'query', service: 'db', start: 25, end: 50 }),
      makeSpan({ id: 'a2', parent: 'root', name: 'call', service: 'api', start: 70, end: 90, error: true }),
    ]),
  );
  const stats = buildTraceStats(rows, buildRowTimes(rows, new Float64Array(rows.length)));

  it('sums count, errors, total and self time per service, most self time first', () => {
    expect(stats.services).toEqual([
      { service: 'api', operation: '', count: 2, errorCount: 1, totalNanos: 70 * MS, selfNanos: 40 * MS, maxNanos: 50 * MS },
      { service: 'db', operation: '', count: 2, errorCount: 0, totalNanos: 35 * MS, selfNanos: 35 * MS, maxNanos: 25 * MS },
      { service: 'frontend', operation: '', count: 1, errorCount: 0, totalNanos: 100 * MS, selfNanos: 30 * MS, maxNanos: 100 * MS },
    ]);
  });

  it('does the same per service and operation; self times add up to the covered time', () => {
    expect(stats.operations.map((g) => [g.service, g.operation, g.count])).toEqual([
      ['api', 'call', 2],
      ['db', 'query', 2],
      ['frontend', 'GET', 1],
    ]);
    const selfSum = stats.operations.reduce((sum, g) => sum + g.selfNanos, 0);
    // 100 ms of trace, but the two db queries overlap by 5 ms and each counts its own.
    expect(selfSum).toBe(105 * MS);
  });
});
