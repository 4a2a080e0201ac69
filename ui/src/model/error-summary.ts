/** A trace's errors at a glance: each distinct status message of its error spans, most frequent first. */
import { isErrorSpan } from './span-facts';
import type { SpanRow } from './span-rows';

export interface ErrorGroup {
  /** The status message; empty when the spans set none. */
  readonly message: string;
  readonly count: number;
  /** Row of the first span (in tree order) with this message. */
  readonly firstRow: number;
}

export function buildErrorSummary(rows: readonly SpanRow[]): ErrorGroup[] {
  const groups = new Map<string, { message: string; count: number; firstRow: number }>();
  rows.forEach((row, i) => {
    const span = row.node.span;
    if (!isErrorSpan(span)) return;
    const group = groups.get(span.status.message);
    if (group) group.count++;
    else groups.set(span.status.message, { message: span.status.message, count: 1, firstRow: i });
  });
  return [...groups.values()].sort((a, b) => b.count - a.count || a.firstRow - b.firstRow);
}
