/**
 * The waterfall's flat row list: the tree in pre-order with depth, computed once
 * per trace. Collapsing a subtree is then skipping a contiguous index range,
 * and rendering touches only the rows in the viewport.
 */
import type { SpanNode, SpanTree } from './span-tree';

export interface SpanRow {
  readonly node: SpanNode;
  /** 0 for top-level rows. */
  readonly depth: number;
  /** Row index of the parent, -1 at the top level. */
  readonly parentRow: number;
  /** Exclusive end of this row's subtree: rows (index, subtreeEnd) are its descendants. */
  readonly subtreeEnd: number;
}

export function buildRows(tree: SpanTree): SpanRow[] {
  const nodes: SpanNode[] = [];
  const depths: number[] = [];
  const parents: number[] = [];
  const stack: Array<{ node: SpanNode; depth: number; parentRow: number }> = [];
  for (let i = tree.roots.length - 1; i >= 0; i--) stack.push({ node: tree.roots[i]!, depth: 0, parentRow: -1 });
  while (stack.length > 0) {
    const { node, depth, parentRow } = stack.pop()!;
    const row = nodes.length;
    nodes.push(node);
    depths.push(depth);
    parents.push(parentRow);
    for (let i = node.children.length - 1; i >= 0; i--) {
      stack.push({ node: node.children[i]!, depth: depth + 1, parentRow: row });
    }
  }

  // In pre-order a subtree ends at the next row that is not deeper than its root.
  const ends = new Int32Array(nodes.length).fill(nodes.length);
  const open: number[] = [];
  for (let i = 0; i < nodes.length; i++) {
    while (open.length > 0 && depths[open[open.length - 1]!]! >= depths[i]!) ends[open.pop()!] = i;
    open.push(i);
  }

  return nodes.map((node, i) => ({ node, depth: depths[i]!, parentRow: parents[i]!, subtreeEnd: ends[i]! }));
}

export function hasChildren(rows: readonly SpanRow[], row: number): boolean {
  return rows[row]!.subtreeEnd > row + 1;
}

/** Row indices of the direct children of `row`. */
export function childRows(rows: readonly SpanRow[], row: number): number[] {
  const out: number[] = [];
  const end = rows[row]!.subtreeEnd;
  for (let i = row + 1; i < end; i = rows[i]!.subtreeEnd) out.push(i);
  return out;
}

export function maxDepth(rows: readonly SpanRow[]): number {
  let max = -1;
  for (const row of rows) if (row.depth > max) max = row.depth;
  return max;
}
