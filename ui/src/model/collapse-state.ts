/**
 * Which subtrees are folded, as a set of row indices. Every operation returns a
 * new set so a component can hand it to Lit as a changed property.
 */
import { hasChildren, type SpanRow } from './span-rows';

export type CollapsedRows = ReadonlySet<number>;

/** Indices of the rows a reader sees, skipping folded subtrees. */
export function visibleRows(rows: readonly SpanRow[], collapsed: CollapsedRows): Int32Array {
  const out = new Int32Array(rows.length);
  let count = 0;
  let i = 0;
  while (i < rows.length) {
    out[count++] = i;
    i = collapsed.has(i) ? rows[i]!.subtreeEnd : i + 1;
  }
  return out.subarray(0, count);
}

export function toggleCollapsed(rows: readonly SpanRow[], collapsed: CollapsedRows, row: number): Set<number> {
  const next = new Set(collapsed);
  if (next.has(row)) next.delete(row);
  else if (hasChildren(rows, row)) next.add(row);
  return next;
}

export function setCollapsed(rows: readonly SpanRow[], collapsed: CollapsedRows, row: number, folded: boolean): Set<number> {
  if (folded === collapsed.has(row) || (folded && !hasChildren(rows, row))) return new Set(collapsed);
  return toggleCollapsed(rows, collapsed, row);
}

/**
 * Shows `levels` levels (1 = top-level rows only). Deeper parents are folded as
 * well, so expanding one row reveals one more level rather than a whole subtree.
 */
export function collapseToDepth(rows: readonly SpanRow[], levels: number): Set<number> {
  const next = new Set<number>();
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.depth >= levels - 1 && hasChildren(rows, i)) next.add(i);
  }
  return next;
}

/** Unfolds every ancestor of `row` so that it becomes visible. */
export function revealRow(rows: readonly SpanRow[], collapsed: CollapsedRows, row: number): Set<number> {
  const next = new Set(collapsed);
  for (let p = rows[row]!.parentRow; p >= 0; p = rows[p]!.parentRow) next.delete(p);
  return next;
}
