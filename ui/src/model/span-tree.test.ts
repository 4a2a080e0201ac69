import { describe, expect, it } from 'vitest';
import { buildSpanTree } from './span-tree';
import { buildRows, childRows, hasChildren, maxDepth } from './span-rows';
import { makeSpan, sid } from './fixtures/make-span';

const names = (rows: ReturnType<typeof buildRows>): string[] => rows.map((r) => `${'  '.repeat(r.depth)}${r.node.span.name}`);

describe('buildSpanTree + buildRows', () => {
  it('orders children by start and lists the tree in pre-order with depth', () => {
    const tree = buildSpanTree([
      makeSpan({ id: 'c2', parent: 'root', start: 5, end: 8 }),
      makeSpan({ id: 'root', start: 0, end: 10 }),
      makeSpan({ id: 'c1', parent: 'root', start: 1, end: 4 }),
      makeSpan({ id: 'g1', parent: 'c1', start: 2, end: 3 }),
    ]);
    const rows = buildRows(tree);
    expect(names(rows)).toEqual(['root', '  c1', '    g1', '  c2']);
    expect(rows.map((r) => r.parentRow)).toEqual([-1, 0, 1, 0]);
    expect(rows.map((r) => r.subtreeEnd)).toEqual([4, 3, 3, 4]);
    expect(childRows(rows, 0)).toEqual([1, 3]);
    expect(hasChildren(rows, 1)).toBe(true);
    expect(hasChildren(rows, 2)).toBe(false);
    expect(maxDepth(rows)).toBe(2);
    expect(tree.baseNanos).toBe(BigInt(tree.nodes[1]!.span.startTimeUnixNano));
    expect(tree.nodes[0]!.start).toBe(5_000_000);
  });

  it('shows spans whose parent is missing at the top level, flagged as orphans', () => {
    const tree = buildSpanTree([
      makeSpan({ id: 'root', start: 0, end: 10 }),
      makeSpan({ id: 'lost', parent: 'gone', start: 3, end: 4 }),
      makeSpan({ id: 'kid', parent: 'lost', start: 3.5, end: 3.8 }),
    ]);
    const rows = buildRows(tree);
    expect(names(rows)).toEqual(['root', 'lost', '  kid']);
    expect(rows.map((r) => r.node.issue)).toEqual([null, 'orphan', null]);
  });

  it('breaks parent cycles without hanging and keeps every span', () => {
    const spans = [
      makeSpan({ id: 'root', start: 0, end: 10 }),
      makeSpan({ id: 'a', parent: 'b', start: 1, end: 2 }),
      makeSpan({ id: 'b', parent: 'a', start: 1.5, end: 3 }),
      makeSpan({ id: 'hang', parent: 'a', start: 1.6, end: 1.7 }),
      makeSpan({ id: 'self', parent: 'self', start: 4, end: 5 }),
    ];
    const rows = buildRows(buildSpanTree(spans));
    expect(rows).toHaveLength(spans.length);
    expect(new Set(rows.map((r) => r.node.index)).size).toBe(spans.length);
    const cycleRoots = rows.filter((r) => r.node.issue === 'cycle').map((r) => r.node.span.name);
    expect(cycleRoots).toHaveLength(2);
    expect(cycleRoots).toContain('self');
    // The component {a, b, hang} hangs below a single cycle breaker.
    const breaker = rows.find((r) => r.node.issue === 'cycle' && r.node.span.name !== 'self')!;
    expect(breaker.depth).toBe(0);
    expect(rows.filter((r) => ['a', 'b', 'hang'].includes(r.node.span.name)).every((r) => r.node.issue !== 'orphan')).toBe(true);
  });

  it('keeps duplicate span IDs as separate rows and attaches children to the first', () => {
    const tree = buildSpanTree([
      makeSpan({ id: 'root', start: 0, end: 10 }),
      makeSpan({ id: 'dup', parent: 'root', start: 1, end: 2, name: 'first' }),
      makeSpan({ id: 'dup', parent: 'root', start: 3, end: 4, name: 'second' }),
      makeSpan({ id: 'kid', parent: 'dup', start: 1.2, end: 1.5 }),
    ]);
    const rows = buildRows(tree);
    expect(names(rows)).toEqual(['root', '  first', '    kid', '  second']);
    expect(rows.map((r) => r.node.duplicate)).toEqual([false, false, false, true]);
    expect(tree.byId.get(sid('dup'))!.span.name).toBe('first');
  });

  it('treats a duplicate that names itself as parent as part of a cycle, not a hang', () => {
    const rows = buildRows(
      buildSpanTree([makeSpan({ id: 'x', parent: 'x', start: 0, end: 1 }), makeSpan({ id: 'x', parent: 'x', start: 0, end: 1 })]),
    );
    expect(rows).toHaveLength(2);
  });

  it('clamps an end before the start to an instant', () => {
    const tree = buildSpanTree([makeSpan({ id: 'r', start: 5, end: 1 })]);
    expect(tree.nodes[0]!.end).toBe(tree.nodes[0]!.start);
  });

  it('handles an empty trace', () => {
    const tree = buildSpanTree([]);
    expect(buildRows(tree)).toEqual([]);
    expect(tree.baseNanos).toBe(0n);
  });

  it('builds a 100,000-deep chain without recursion', () => {
    const spans = Array.from({ length: 100_000 }, (_, i) => makeSpan({ id: `s${i}`, parent: i ? `s${i - 1}` : undefined, start: i / 1000, end: 200 }));
    const rows = buildRows(buildSpanTree(spans));
    expect(rows).toHaveLength(100_000);
    expect(rows[99_999]!.depth).toBe(99_999);
    expect(rows[0]!.subtreeEnd).toBe(100_000);
  });
});
