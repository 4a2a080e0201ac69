import { describe, expect, it } from 'vitest';
import { nanosBase } from '@threadline/shared';
import { SpanTreeBuilder, buildSpanTree } from './span-tree';
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

describe('SpanTreeBuilder', () => {
  it('builds from batches the tree a single build gives, with parents final only at the end', () => {
    const spans = [
      makeSpan({ id: 'c1', parent: 'root', start: 1, end: 4 }),
      makeSpan({ id: 'g1', parent: 'c1', start: 2, end: 3 }),
      // Earlier than every span of the first batch: the offsets move to it.
      makeSpan({ id: 'root', start: -5, end: 10 }),
      makeSpan({ id: 'late', parent: 'nowhere', start: 6, end: 7 }),
    ];
    const builder = new SpanTreeBuilder();
    builder.add(spans.slice(0, 2));
    builder.add(spans.slice(2));
    // A parent ID fixed after its span was added (as a compact trace's trailer does).
    spans[3]!.parentSpanId = sid('root');
    const tree = builder.finish();
    expect(tree.baseNanos).toBe(BigInt(spans[2]!.startTimeUnixNano));
    expect(tree.nodes.map((n) => [n.start, n.end])).toEqual([[6e6, 9e6], [7e6, 8e6], [0, 15e6], [11e6, 12e6]]);
    expect(names(buildRows(tree))).toEqual(['root', '  c1', '    g1', '  late']);
    expect(buildRows(tree)).toEqual(buildRows(buildSpanTree(spans)));
  });

  it('measures from the earliest start exactly when the first batch is far from it', () => {
    const ancient = { ...makeSpan({ id: 'zero', start: 0, end: 0 }), startTimeUnixNano: '1000', endTimeUnixNano: '2000' };
    const builder = new SpanTreeBuilder();
    builder.add([makeSpan({ id: 'now', start: 0, end: 1 })]);
    builder.add([ancient]);
    const tree = builder.finish();
    expect(tree.baseNanos).toBe(1000n);
    expect(tree.nodes[1]!.start).toBe(0);
    expect(tree.nodes[1]!.end).toBe(1000);
    expect(tree.nodes[0]!.start).toBe(Number(BigInt(tree.nodes[0]!.span.startTimeUnixNano) - 1000n));
  });

  it("takes the offsets a batch comes with when they count from the tree's base, and reads the times otherwise", () => {
    const spans = [makeSpan({ id: 'root', start: 0, end: 10 }), makeSpan({ id: 'c1', parent: 'root', start: 1, end: 4 }), makeSpan({ id: 'c2', parent: 'root', start: 2, end: 3 })];
    const base = nanosBase(BigInt(spans[0]!.startTimeUnixNano));
    // Offsets unlike the times, to see which were taken; NaN (not known) falls back to the time.
    const builder = new SpanTreeBuilder();
    builder.add(spans.slice(0, 2), { base, startEnd: [0, 20e6, 5e6, Number.NaN] });
    // Another base object: its offsets are not taken.
    builder.add(spans.slice(2), { base: nanosBase(base.nanos), startEnd: [7e6, 8e6] });
    const tree = builder.finish();
    expect(tree.nodes.map((n) => [n.start, n.end])).toEqual([[0, 20e6], [5e6, 5e6], [2e6, 3e6]]);
    // What the decoder gives, the numbers the times spell, builds the tree the times build.
    const exact = new SpanTreeBuilder();
    exact.add(spans, { base, startEnd: spans.flatMap((s) => [s.startTimeUnixNano, s.endTimeUnixNano].map((t) => Number(BigInt(t) - base.nanos))) });
    expect(buildRows(exact.finish())).toEqual(buildRows(buildSpanTree(spans)));
  });

  it('gives an empty tree when no span came', () => {
    expect(new SpanTreeBuilder().finish()).toMatchObject({ baseNanos: 0n, nodes: [], roots: [] });
  });
});
