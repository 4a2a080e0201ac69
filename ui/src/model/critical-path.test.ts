import { describe, expect, it } from 'vitest';
import { buildSpanTree } from './span-tree';
import { buildRows } from './span-rows';
import { buildRowTimes } from './row-times';
import { buildCriticalColumns, buildCriticalPath, criticalPathRoot, indexCriticalPath } from './critical-path';
import { makeSpan, MS, type SpanSpec } from './fixtures/make-span';

function path(specs: SpanSpec[]): string[] {
  const rows = buildRows(buildSpanTree(specs.map(makeSpan)));
  const times = buildRowTimes(rows, new Float64Array(rows.length));
  return buildCriticalPath(rows, times, criticalPathRoot(rows, times)).map(
    (s) => `${rows[s.row]!.node.span.name} ${s.start / MS}-${s.end / MS}`,
  );
}

describe('critical path', () => {
  it('follows the last-finishing child and skips children that overlap it', () => {
    expect(
      path([
        { id: 'root', start: 0, end: 100 },
        { id: 'a', parent: 'root', start: 10, end: 40 },
        { id: 'b', parent: 'root', start: 30, end: 90 },
        { id: 'c', parent: 'b', start: 40, end: 60 },
      ]),
    ).toEqual(['root 90-100', 'b 60-90', 'c 40-60', 'b 30-40', 'root 0-30']);
  });

  it('takes earlier sequential children on the way back', () => {
    expect(
      path([
        { id: 'root', start: 0, end: 100 },
        { id: 'a', parent: 'root', start: 10, end: 25 },
        { id: 'b', parent: 'root', start: 30, end: 90 },
      ]),
    ).toEqual(['root 90-100', 'b 30-90', 'root 25-30', 'a 10-25', 'root 0-10']);
  });

  it('clips children to the parent and drops those outside it', () => {
    expect(
      path([
        { id: 'root', start: 10, end: 100 },
        { id: 'early', parent: 'root', start: 0, end: 20 },
        { id: 'late', parent: 'root', start: 100, end: 120 },
      ]),
    ).toEqual(['root 20-100', 'early 10-20']);
  });

  it('covers the whole root when it has no children', () => {
    expect(path([{ id: 'root', start: 0, end: 5 }])).toEqual(['root 0-5']);
  });

  it('starts from the longest real root, not from an orphan', () => {
    expect(
      path([
        { id: 'orphan', parent: 'missing', start: 0, end: 500 },
        { id: 'root', start: 1, end: 50 },
      ]),
    ).toEqual(['root 1-50']);
  });

  it('stays linear on a very wide trace', () => {
    const specs: SpanSpec[] = [{ id: 'root', start: 0, end: 100_000 }];
    for (let i = 0; i < 50_000; i++) specs.push({ id: `c${i}`, parent: 'root', start: i * 2, end: i * 2 + 1 });
    const segments = path(specs);
    // Sequential children are all on the path, with the root's gaps between them.
    expect(new Set(segments.map((s) => s.split(' ')[0])).size).toBe(50_001);
    expect(segments).toHaveLength(100_000);
  });

  it('finds each row\'s segments in path order, and none for rows off the path', () => {
    const rows = buildRows(
      buildSpanTree(
        [
          { id: 'root', start: 0, end: 100 },
          { id: 'a', parent: 'root', start: 10, end: 25 },
          { id: 'b', parent: 'root', start: 30, end: 90 },
          { id: 'c', parent: 'b', start: 40, end: 60 },
          { id: 'late', parent: 'root', start: 120, end: 130 },
        ].map(makeSpan),
      ),
    );
    const times = buildRowTimes(rows, new Float64Array(rows.length));
    const root = criticalPathRoot(rows, times);
    const segments = buildCriticalPath(rows, times, root);
    const byRow = indexCriticalPath(buildCriticalColumns(rows, times, root));
    for (let row = 0; row < rows.length; row++) {
      const expected = segments.filter((s) => s.row === row);
      expect(byRow.get(row)).toEqual(expected.length > 0 ? expected : undefined);
    }
    expect(byRow.get(0)!.map((s) => [s.start / MS, s.end / MS])).toEqual([[90, 100], [25, 30], [0, 10]]);
    expect(byRow.get(rows.length)).toBeUndefined();
  });
});
