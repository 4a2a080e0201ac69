/**
 * The heatmap's geometry and selection. Columns are time buckets (oldest left), rows are
 * latency buckets (fastest at the bottom). A dragged box snaps to whole cells, so the
 * span query it makes covers exactly the cells' bounds and finds exactly the spans the
 * cells count (the server's buckets are exact for their bounds).
 */
import { bandIndexRange, type LatencyBucket } from './latency-bands';
import type { LatencySelection } from './operations-query';

export interface HeatmapGrid {
  /** Unix ns of each column's start. */
  readonly timeStartsNs: readonly bigint[];
  readonly timeBucketNs: bigint;
  readonly latencyBuckets: readonly LatencyBucket[];
  /** counts[column][row] */
  readonly counts: readonly (readonly number[])[];
  readonly errorCounts: readonly (readonly number[])[];
}

/** Both ends included. */
export interface CellRange {
  readonly col0: number;
  readonly col1: number;
  readonly row0: number;
  readonly row1: number;
}

/** A box in fractions of the plot area: x from the left, y from the top. */
export interface PlotBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export function cellRangeFromBox(box: PlotBox, columns: number, rows: number): CellRange {
  const [col0, col1] = bandIndexRange(box.x0, box.x1, columns);
  // The top of the plot is the slowest row.
  const [row0, row1] = bandIndexRange(1 - box.y0, 1 - box.y1, rows);
  return { col0, col1, row0, row1 };
}

/** The cells' box in plot fractions, for drawing a selection. */
export function boxOfCells(range: CellRange, columns: number, rows: number): PlotBox {
  return {
    x0: range.col0 / columns,
    x1: (range.col1 + 1) / columns,
    y0: 1 - (range.row1 + 1) / rows,
    y1: 1 - range.row0 / rows,
  };
}

/** Start and duration bounds of the spans the cells count. */
export function selectionOfCells(range: CellRange, grid: HeatmapGrid): LatencySelection {
  const start = grid.timeStartsNs[range.col0]!;
  const end = grid.timeStartsNs[range.col1]! + grid.timeBucketNs - 1n;
  return {
    startNs: start.toString(),
    endNs: end.toString(),
    minNs: String(grid.latencyBuckets[range.row0]!.lowNs),
    maxNs: String(grid.latencyBuckets[range.row1]!.highNs),
  };
}

/** The cells a selection (from the URL, maybe made on other data) overlaps; null when it overlaps none. */
export function cellsOfSelection(selection: LatencySelection, grid: HeatmapGrid): CellRange | null {
  const start = BigInt(selection.startNs);
  const end = BigInt(selection.endNs);
  const min = Number(selection.minNs);
  const max = Number(selection.maxNs);
  const cols = grid.timeStartsNs.flatMap((t, i) => (t <= end && t + grid.timeBucketNs - 1n >= start ? [i] : []));
  const rows = grid.latencyBuckets.flatMap((b, i) => (b.lowNs <= max && b.highNs >= min ? [i] : []));
  if (cols.length === 0 || rows.length === 0) return null;
  return { col0: cols[0]!, col1: cols[cols.length - 1]!, row0: rows[0]!, row1: rows[rows.length - 1]! };
}

export function countCells(range: CellRange, grid: HeatmapGrid): { count: number; errorCount: number } {
  let count = 0;
  let errorCount = 0;
  for (let c = range.col0; c <= range.col1; c++) {
    for (let r = range.row0; r <= range.row1; r++) {
      count += grid.counts[c]?.[r] ?? 0;
      errorCount += grid.errorCounts[c]?.[r] ?? 0;
    }
  }
  return { count, errorCount };
}

/** The largest cell count, for the colour scale. */
export function maxCellCount(counts: readonly (readonly number[])[]): number {
  let max = 0;
  for (const column of counts) for (const n of column) if (n > max) max = n;
  return max;
}
