import { compareDecimalNanos, type Span } from '@threadline/shared';

/**
 * The order of a trace's spans that SpanStore.getTrace promises: start, then span ID. Kept
 * here, outside any one store, for the readers that put a trace's pages back in that order.
 */
type Sortable = Pick<Span, 'startTimeUnixNano' | 'spanId'>;

/** Start order, span ID breaking ties. */
export function compareByStart(a: Sortable, b: Sortable): number {
  return compareDecimalNanos(a.startTimeUnixNano, b.startTimeUnixNano) || compareIds(a.spanId, b.spanId);
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
