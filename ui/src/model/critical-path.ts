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

/**
 * The path's segments in path order (from the root's end backwards), as parallel columns:
 * a 100k-span trace's path has hundreds of thousands of segments, and one object each
 * (with the maps the walk used) was the largest part of the page's heap.
 */
export interface CriticalColumns {
  readonly rows: Int32Array;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
}

/** Grows typed columns by doubling, so that the walk allocates O(log n) times. */
class ColumnWriter {
  length = 0;
  private rows = new Int32Array(64);
  private starts = new Float64Array(64);
  private ends = new Float64Array(64);

  push(row: number, start: number, end: number): void {
    if (start >= end) return;
    if (this.length === this.rows.length) {
      const grow = <T extends Int32Array | Float64Array>(old: T, next: T): T => (next.set(old), next);
      this.rows = grow(this.rows, new Int32Array(this.length * 2));
      this.starts = grow(this.starts, new Float64Array(this.length * 2));
      this.ends = grow(this.ends, new Float64Array(this.length * 2));
    }
    this.rows[this.length] = row;
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length++;
  }

  finish(): CriticalColumns {
    return { rows: this.rows.slice(0, this.length), starts: this.starts.slice(0, this.length), ends: this.ends.slice(0, this.length) };
  }
}

export function buildCriticalColumns(rows: readonly SpanRow[], times: RowTimes, root: number): CriticalColumns {
  const out = new ColumnWriter();
  if (root < 0 || root >= rows.length) return out.finish();
  const subtreeEnd = rows[root]!.subtreeEnd;
  // Clipped times per row; NaN marks a row that is dropped (or outside the root's subtree).
  const clipStart = new Float64Array(rows.length).fill(Number.NaN);
  const clipEnd = new Float64Array(rows.length).fill(Number.NaN);
  clipStart[root] = times.start[root]!;
  clipEnd[root] = times.end[root]!;
  const kept: number[] = [];
  const childCount = new Int32Array(rows.length + 1);
  for (let i = root + 1; i < subtreeEnd; i++) {
    const parent = rows[i]!.parentRow;
    const parentStart = clipStart[parent]!;
    const parentEnd = clipEnd[parent]!;
    // A dropped parent (NaN) drops its whole subtree: every comparison with NaN is false.
    if (!(parentStart <= parentEnd)) continue;
    const start = times.start[i]!;
    const end = times.end[i]!;
    if (start >= parentEnd || end <= parentStart) continue;
    clipStart[i] = Math.max(start, parentStart);
    clipEnd[i] = Math.min(end, parentEnd);
    kept.push(i);
    childCount[parent + 1]!++;
  }
  // Children of each row as one array sliced by offsets, each slice latest end first.
  const firstChild = childCount;
  for (let i = 1; i <= rows.length; i++) firstChild[i]! += firstChild[i - 1]!;
  const children = new Int32Array(kept.length);
  const fill = firstChild.slice(0, rows.length);
  for (const i of kept) children[fill[rows[i]!.parentRow]!++] = i;
  for (let p = 0; p < rows.length; p++) {
    if (firstChild[p + 1]! - firstChild[p]! > 1) children.subarray(firstChild[p]!, firstChild[p + 1]!).sort((a, b) => clipEnd[b]! - clipEnd[a]!);
  }

  const next = new Int32Array(rows.length);
  let current = root;
  let cursor = clipEnd[root]!;
  let returning = false;
  for (;;) {
    const from = firstChild[current]!;
    const count = firstChild[current + 1]! - from;
    let at = next[current]!;
    // Coming back from a child, only children that end strictly before it started count.
    if (returning) while (at < count && clipEnd[children[from + at]!]! >= cursor) at++;
    if (at < count) {
      const child = children[from + at]!;
      next[current] = at + 1;
      out.push(current, clipEnd[child]!, cursor);
      current = child;
      cursor = clipEnd[child]!;
      returning = false;
    } else {
      out.push(current, clipStart[current]!, cursor);
      if (current === root) break;
      cursor = clipStart[current]!;
      current = rows[current]!.parentRow;
      returning = true;
    }
  }
  return out.finish();
}

/** The path as segment objects, in path order (for tests and small traces). */
export function buildCriticalPath(rows: readonly SpanRow[], times: RowTimes, root: number): CriticalSegment[] {
  const c = buildCriticalColumns(rows, times, root);
  return Array.from(c.rows, (row, k) => ({ row, start: c.starts[k]!, end: c.ends[k]! }));
}

/** A row's segments, looked up when the row is drawn. */
export interface CriticalByRow {
  get(row: number): readonly CriticalSegment[] | undefined;
}

/**
 * The segments ordered by row (path order within a row), found by binary search: the
 * waterfall asks only for the rows it draws, so objects are made only for those.
 */
export function indexCriticalPath(c: CriticalColumns): CriticalByRow {
  // Segment indexes by row, in segment order within a row: a counting sort (rows are small
  // non-negative integers), linear where a typed-array sort with a comparator took ~60 ms for 100k rows.
  const segments = c.rows.length;
  let maxRow = 0;
  for (let k = 0; k < segments; k++) if (c.rows[k]! > maxRow) maxRow = c.rows[k]!;
  const firstOfRow = new Int32Array(maxRow + 2);
  for (let k = 0; k < segments; k++) firstOfRow[c.rows[k]! + 1]!++;
  for (let r = 1; r < firstOfRow.length; r++) firstOfRow[r]! += firstOfRow[r - 1]!;
  const order = new Int32Array(segments);
  const rowOf = new Int32Array(segments);
  for (let k = 0; k < segments; k++) {
    const row = c.rows[k]!;
    const at = firstOfRow[row]!++;
    order[at] = k;
    rowOf[at] = row;
  }
  return {
    get(row: number): readonly CriticalSegment[] | undefined {
      let lo = 0;
      let hi = rowOf.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (rowOf[mid]! < row) lo = mid + 1;
        else hi = mid;
      }
      const found: CriticalSegment[] = [];
      for (let k = lo; k < rowOf.length && rowOf[k] === row; k++) found.push({ row, start: c.starts[order[k]!]!, end: c.ends[order[k]!]! });
      return found.length > 0 ? found : undefined;
    },
  };
}
