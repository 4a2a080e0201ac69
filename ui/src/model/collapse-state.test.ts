import { describe, expect, it } from 'vitest';
import { buildSpanTree } from './span-tree';
import { buildRows } from './span-rows';
import { collapseToDepth, revealRow, setCollapsed, toggleCollapsed, visibleRows } from './collapse-state';
import { makeSpan } from './fixtures/make-span';

// root(0) ─ a(1) ─ a1(2) ─ a1x(3)
//         └ b(4) ─ b1(5)
const rows = buildRows(
  buildSpanTree([
    makeSpan({ id: 'root', start: 0, end: 10 }),
    makeSpan({ id: 'a', parent: 'root', start: 1, end: 5 }),
    makeSpan({ id: 'a1', parent: 'a', start: 2, end: 4 }),
    makeSpan({ id: 'a1x', parent: 'a1', start: 2.5, end: 3 }),
    makeSpan({ id: 'b', parent: 'root', start: 6, end: 9 }),
    makeSpan({ id: 'b1', parent: 'b', start: 7, end: 8 }),
  ]),
);

describe('collapse state', () => {
  it('shows everything when nothing is collapsed', () => {
    expect([...visibleRows(rows, new Set())]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('skips a collapsed subtree and restores it on toggle', () => {
    const folded = toggleCollapsed(rows, new Set(), 1);
    expect([...visibleRows(rows, folded)]).toEqual([0, 1, 4, 5]);
    expect([...visibleRows(rows, toggleCollapsed(rows, folded, 1))]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('does not collapse a leaf and never mutates its input', () => {
    const before = new Set<number>();
    expect(toggleCollapsed(rows, before, 3).size).toBe(0);
    toggleCollapsed(rows, before, 1);
    expect(before.size).toBe(0);
  });

  it('sets a row folded or unfolded idempotently', () => {
    const folded = setCollapsed(rows, new Set(), 4, true);
    expect(setCollapsed(rows, folded, 4, true)).toEqual(new Set([4]));
    expect(setCollapsed(rows, folded, 4, false)).toEqual(new Set());
  });

  it('collapses to depth N, folding every deeper parent too', () => {
    expect([...visibleRows(rows, collapseToDepth(rows, 1))]).toEqual([0]);
    const two = collapseToDepth(rows, 2);
    expect([...visibleRows(rows, two)]).toEqual([0, 1, 4]);
    // Expanding `a` reveals one more level only.
    expect([...visibleRows(rows, toggleCollapsed(rows, two, 1))]).toEqual([0, 1, 2, 4]);
    expect(collapseToDepth(rows, 10).size).toBe(0);
  });

  it('reveals a hidden row by unfolding its ancestors', () => {
    const all = collapseToDepth(rows, 1);
    expect([...visibleRows(rows, all)]).not.toContain(3);
    // Only the ancestors of row 3 unfold; b (4) stays folded.
    expect([...visibleRows(rows, revealRow(rows, all, 3))]).toEqual([0, 1, 2, 3, 4]);
  });
});
