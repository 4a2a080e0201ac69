/**
 * The trace as a flame graph (icicle): one lane per tree depth, each span a box
 * spanning its time. Boxes narrower than `minWidth` (a fraction of the trace) are
 * left out with their subtrees, so a 100k-span trace draws what a screen can show.
 */
import type { RowTimes } from './row-times';
import type { SpanRow } from './span-rows';

export interface FlameBox {
  readonly row: number;
  readonly depth: number;
  /** Fractions (0…1) of the trace's time range. */
  readonly left: number;
  readonly width: number;
}

export interface FlameGraph {
  readonly boxes: readonly FlameBox[];
  /** Lanes drawn: the deepest drawn box's depth + 1. */
  readonly lanes: number;
  /** Spans left out because they (or an ancestor) were too narrow. */
  readonly hidden: number;
}

export function buildFlameGraph(rows: readonly SpanRow[], times: RowTimes, minWidth: number): FlameGraph {
  const range = times.max - times.min;
  const boxes: FlameBox[] = [];
  let lanes = 0;
  let hidden = 0;
  let i = 0;
  while (i < rows.length) {
    const width = range > 0 ? (times.end[i]! - times.start[i]!) / range : 1;
    if (width < minWidth) {
      hidden += rows[i]!.subtreeEnd - i;
      i = rows[i]!.subtreeEnd;
      continue;
    }
    const depth = rows[i]!.depth;
    boxes.push({ row: i, depth, left: range > 0 ? (times.start[i]! - times.min) / range : 0, width });
    lanes = Math.max(lanes, depth + 1);
    i++;
  }
  return { boxes, lanes, hidden };
}
