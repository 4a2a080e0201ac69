import { describe, expect, it } from 'vitest';
import { buildTraceView } from './trace-view';
import { makeSpan, MS, sid, TRACE_ID } from './fixtures/make-span';

const view = buildTraceView(TRACE_ID, [
  makeSpan({ id: 'client', service: 'web', host: 'h1', start: 0, end: 100 }),
  makeSpan({ id: 'server', parent: 'client', service: 'api', host: 'h2', start: -10, end: 20, error: true }),
  makeSpan({ id: 'lost', parent: 'nowhere', service: 'api', host: 'h2', start: 50, end: 60 }),
]);

describe('buildTraceView', () => {
  it('summarizes the raw trace', () => {
    const { summary } = view.timelines.raw;
    expect(summary).toMatchObject({
      rootService: 'web',
      rootOperation: 'client',
      durationNanos: 110 * MS,
      services: ['web', 'api'],
      spanCount: 3,
      depth: 2,
      errorCount: 1,
      orphanCount: 1,
    });
    expect(summary.startNanos).toBe(view.tree.baseNanos);
  });

  it('keeps the adjusted timeline inside the root once skew is removed', () => {
    const { summary, times } = view.timelines.adjusted;
    expect(view.skew.skewedCount).toBe(1);
    expect(summary.durationNanos).toBe(100 * MS);
    const server = view.rowBySpanId.get(sid('server'))!;
    expect(times.start[server]! - times.min).toBe(35 * MS);
  });

  it('computes a critical path for each timeline', () => {
    const client = view.rowBySpanId.get(sid('client'))!;
    expect(view.timelines.raw.critical.get(client)).toBeDefined();
    // Offsets count from the raw base (the server's raw start, -10ms): the client is 10..110, the adjusted server 45..75.
    const server = view.rowBySpanId.get(sid('server'))!;
    expect(view.timelines.adjusted.critical.get(server)).toEqual([{ row: server, start: 45 * MS, end: 75 * MS }]);
  });
});

describe('rowBySpanId', () => {
  it('gives the first row of an ID, also when a repeat of it comes first in the rows', () => {
    const dup = buildTraceView(TRACE_ID, [
      makeSpan({ id: 'root', start: 0, end: 10 }),
      makeSpan({ id: 'x', parent: 'root', start: 8, end: 9 }),
      makeSpan({ id: 'x', parent: 'root', start: 1, end: 2 }),
      makeSpan({ id: 'y', parent: 'x', start: 8.5, end: 8.6 }),
    ]);
    expect(dup.rows.map((r) => `${r.node.span.name}@${r.node.start / MS}`)).toEqual(['root@0', 'x@1', 'x@8', 'y@8.5']);
    expect(dup.rowBySpanId.get(sid('x'))).toBe(1);
    expect(dup.rowBySpanId.get(sid('y'))).toBe(3);
    expect(dup.rowBySpanId.get(sid('root'))).toBe(0);
    expect(dup.rowBySpanId.has(sid('y'))).toBe(true);
    expect(dup.rowBySpanId.get(sid('nope'))).toBeUndefined();
    expect(dup.rowBySpanId.has(sid('nope'))).toBe(false);
  });
});
