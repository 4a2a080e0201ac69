/**
 * The critical path as Jaeger computes it: children are clipped to their parent
 * (those entirely outside it are dropped), then from the root's end walk back in
 * time, at each span descending into the last-finishing child that ends before
 * the cursor; the span's own time between children is on the path. Iterative,
 * with a per-span cursor into its children sorted by end, so a wide or deep
 * trace costs O(n log n) and cannot overflow the stack.
 */
import type { SpanRow } from './span-rows';
import type { RowTimes } from './row-times';

export interface CriticalSegment {
  readonly row: number;
  readonly start: number;
  readonly end: number;
}

/** The row the path starts from: the longest real root, else the first top-level row. */
export function criticalPathRoot(rows: readonly SpanRow[], times: RowTimes): number {
  let best = -1;
  for (let i = 0; i < rows.length; i = rows[i]!.subtreeEnd) {
    if (rows[i]!.node.issue !== null) continue;
    if (best < 0 || times.end[i]! - times.start[i]! > times.end[best]! - times.start[best]!) best = i;
  }
  return best >= 0 || rows.length === 0 ? best : 0;
}

export function buildCriticalPath(rows: readonly SpanRow[], times: RowTimes, root: number): CriticalSegment[] {
  if (root < 0 || root >= rows.length) return [];
  const subtreeEnd = rows[root]!.subtreeEnd;
  const clipStart = new Map<number, number>();
  const clipEnd = new Map<number, number>();
  const children = new Map<number, number[]>();
  clipStart.set(root, times.start[root]!);
  clipEnd.set(root, times.end[root]!);
  for (let i = root + 1; i < subtreeEnd; i++) {
    const parent = rows[i]!.parentRow;
    const parentStart = clipStart.get(parent);
    const parentEnd = clipEnd.get(parent);
    // A dropped parent drops its whole subtree.
    if (parentStart === undefined || parentEnd === undefined) continue;
    const start = times.start[i]!;
    const end = times.end[i]!;
    if (start >= parentEnd || end <= parentStart) continue;
    clipStart.set(i, Math.max(start, parentStart));
    clipEnd.set(i, Math.min(end, parentEnd));
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(i);
  }
  for (const list of children.values()) list.sort((a, b) => clipEnd.get(b)! - clipEnd.get(a)!);

  const next = new Map<number, number>();
  const segments: CriticalSegment[] = [];
  const push = (row: number, start: number, end: number): void => {
    if (start < end) segments.push({ row, start, end });
  };

  let current = root;
  let cursor = clipEnd.get(root)!;
  let returning = false;
  for (;;) {
    const list = children.get(current) ?? [];
    let at = next.get(current) ?? 0;
    // Coming back from a child, only children that end strictly before it started count.
    if (returning) while (at < list.length && clipEnd.get(list[at]!)! >= cursor) at++;
    const child = list[at];
    if (child !== undefined) {
      next.set(current, at + 1);
      push(current, clipEnd.get(child)!, cursor);
      current = child;
      cursor = clipEnd.get(child)!;
      returning = false;
    } else {
      push(current, clipStart.get(current)!, cursor);
      if (current === root) break;
      cursor = clipStart.get(current)!;
      current = rows[current]!.parentRow;
      returning = true;
    }
  }
  return segments;
}

/** Segments grouped by row, for rendering. */
export function groupSegmentsByRow(segments: readonly CriticalSegment[]): Map<number, CriticalSegment[]> {
  const byRow = new Map<number, CriticalSegment[]>();
  for (const segment of segments) {
    let list = byRow.get(segment.row);
    if (!list) byRow.set(segment.row, (list = []));
    list.push(segment);
  }
  return byRow;
}
