/** Start and end (ns offsets from the trace's base time) of every row, raw or skew-adjusted. */
import type { SpanRow } from './span-rows';

export interface RowTimes {
  readonly start: Float64Array;
  readonly end: Float64Array;
  /** Earliest start and latest end over all rows. */
  readonly min: number;
  readonly max: number;
}

export function buildRowTimes(rows: readonly SpanRow[], shift: Float64Array): RowTimes {
  const start = new Float64Array(rows.length);
  const end = new Float64Array(rows.length);
  let min = rows.length > 0 ? Infinity : 0;
  let max = rows.length > 0 ? -Infinity : 0;
  for (let i = 0; i < rows.length; i++) {
    start[i] = rows[i]!.node.start + shift[i]!;
    end[i] = rows[i]!.node.end + shift[i]!;
    if (start[i]! < min) min = start[i]!;
    if (end[i]! > max) max = end[i]!;
  }
  return { start, end, min, max };
}
