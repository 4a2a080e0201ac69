import type { Span, SpanEvent } from '@threadline/shared';
import { parseJsonText } from './span-json.js';
import { sortByStart } from './trace-chunks.js';

/** A request trace joined to a span of the trace being read, as nettrace_requests keeps it. */
export interface JoinedRecordRow {
  span_id: string;
  /** The record as a span (JSON), a child of `span_id`. */
  span: string;
}

/** Event times of other receivers' spans are not validated; anything unreadable sorts first. */
function timeKey(ns: string): bigint {
  return /^\d{1,19}$/.test(ns) ? BigInt(ns) : -1n;
}

function sortEventsByTime(events: SpanEvent[]): SpanEvent[] {
  const keyed = events.map((event) => ({ event, key: timeKey(event.timeUnixNano) }));
  // Array.prototype.sort is stable: events at the same time keep their order.
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.event);
}

/**
 * Joins a trace's request traces to its spans, however the spans arrive (whole or in
 * pages): each record's events are appended to the span it names, whose events are then
 * sorted by time; a record whose span never came is shown as its own span instead.
 */
export class NettraceJoin {
  /** Record spans by the span ID they name, in row order. */
  private readonly pending = new Map<string, Span[]>();

  constructor(rows: readonly JoinedRecordRow[]) {
    for (const row of rows) {
      const list = this.pending.get(row.span_id);
      const recordSpan = parseJsonText<Span>(row.span);
      if (list) list.push(recordSpan);
      else this.pending.set(row.span_id, [recordSpan]);
    }
  }

  get empty(): boolean {
    return this.pending.size === 0;
  }

  /** Extends the spans that records name; each span ID is taken once (the first copy wins, as when reading). */
  extend(spans: readonly Span[]): void {
    if (this.pending.size === 0) return;
    for (const span of spans) {
      const records = this.pending.get(span.spanId);
      if (!records) continue;
      this.pending.delete(span.spanId);
      for (const record of records) {
        span.events.push(...record.events);
        span.droppedEventsCount += record.droppedEventsCount;
      }
      span.events = sortEventsByTime(span.events);
    }
  }

  /** The spans of records whose span was not among those extended. */
  standIns(): Span[] {
    return [...this.pending.values()].flat();
  }
}

/**
 * A whole trace (in start order) with its request traces joined (NettraceJoin): a record's
 * own span stands in, in start order, while the span it names is missing.
 */
export function joinWholeTrace(spans: Span[], rows: readonly JoinedRecordRow[]): Span[] {
  if (rows.length === 0) return spans;
  const join = new NettraceJoin(rows);
  join.extend(spans);
  const standIns = join.standIns();
  return standIns.length === 0 ? spans : sortByStart([...spans, ...standIns]);
}
