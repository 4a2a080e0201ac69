import { describe, expect, it } from 'vitest';
import { buildSpanTree } from './span-tree';
import { buildRows } from './span-rows';
import { buildRowTimes } from './row-times';
import { buildFlameGraph } from './flame-graph';
import { makeSpan } from './fixtures/make-span';

describe('flame graph', () => {
  const rows = buildRows(
    buildSpanTree([
      makeSpan({ id: 'root', start: 0, end: 100 }),
      makeSpan({ id: 'a', parent: 'root', start: 10, end: 60 }),
      makeSpan({ id: 'tiny', parent: 'a', start: 20, end: 20.05 }),
      makeSpan({ id: 'under', parent: 'tiny', start: 20, end: 20.04 }),
      makeSpan({ id: 'b', parent: 'root', start: 70, end: 90 }),
    ]),
  );
  const times = buildRowTimes(rows, new Float64Array(rows.length));

  it('puts each span in its depth lane at its share of the trace', () => {
    const graph = buildFlameGraph(rows, times, 0);
    expect(graph.lanes).toBe(4);
    expect(graph.hidden).toBe(0);
    expect(graph.boxes[1]).toEqual({ row: 1, depth: 1, left: 0.1, width: 0.5 });
    expect(graph.boxes[4]!.depth).toBe(1);
    expect(graph.boxes[4]!.left).toBeCloseTo(0.7);
  });

  it('leaves out boxes narrower than the minimum, with their subtrees', () => {
    const graph = buildFlameGraph(rows, times, 0.001);
    expect(graph.boxes.map((b) => b.row)).toEqual([0, 1, 4]);
    expect(graph.hidden).toBe(2);
    expect(graph.lanes).toBe(2);
  });
});
