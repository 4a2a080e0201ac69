/**
 * Find-in-trace over everything a span holds: name, service, kind, IDs, status
 * (`status=error`) and its message, attributes, resource and scope attributes,
 * event names and event attributes (net/trace lines are events). The query is
 * whitespace-separated terms that must all match: free text and `key=value`
 * match as case-insensitive substrings, `>120ms` keeps spans longer than a
 * duration and `>10%` spans longer than that share of the trace.
 */
import { anyValueToString, type KeyValue } from '@threadline/shared';
import { parseDuration } from './duration';
import { isErrorSpan, spanKindName, statusName } from './span-facts';
import type { SpanRow } from './span-rows';

export interface FindQuery {
  /** Lowercase substrings, all of which must occur. */
  readonly terms: readonly string[];
  /** Spans must last longer than this many ns (0: no limit). */
  readonly longerThanNanos: number;
  /** Spans must last longer than this share (0…1) of the trace (0: no limit). */
  readonly longerThanFraction: number;
  readonly errorsOnly: boolean;
}

export const EMPTY_FIND: FindQuery = { terms: [], longerThanNanos: 0, longerThanFraction: 0, errorsOnly: false };

export function isEmptyFind(query: FindQuery): boolean {
  return query.terms.length === 0 && query.longerThanNanos === 0 && query.longerThanFraction === 0 && !query.errorsOnly;
}

/**
 * Reads what a person typed. A `>…` term that is neither a duration nor a
 * percentage stays a text term, so nothing typed is silently dropped.
 */
export function parseFindQuery(text: string, errorsOnly = false): FindQuery {
  const terms: string[] = [];
  let longerThanNanos = 0;
  let longerThanFraction = 0;
  for (const raw of text.trim().toLowerCase().split(/\s+/)) {
    if (raw === '') continue;
    const percent = /^>(\d+(?:\.\d+)?)%$/.exec(raw);
    if (percent) {
      longerThanFraction = Number(percent[1]) / 100;
      continue;
    }
    if (raw.length > 1 && raw.startsWith('>')) {
      try {
        longerThanNanos = parseDuration(raw.slice(1));
        continue;
      } catch {
        // Not a duration: searched for as text.
      }
    }
    terms.push(raw);
  }
  return { terms, longerThanNanos, longerThanFraction, errorsOnly };
}

function pushAttributes(parts: string[], attributes: readonly KeyValue[]): void {
  for (const kv of attributes) parts.push(`${kv.key}=${anyValueToString(kv.value)}`);
}

/** One lowercase searchable text per row; built once, on the first search. */
export function buildFindIndex(rows: readonly SpanRow[]): string[] {
  return rows.map(({ node: { span } }) => {
    const parts = [
      span.name,
      span.serviceName,
      `span=${span.spanId}`,
      `parent=${span.parentSpanId}`,
      `trace=${span.traceId}`,
      `kind=${spanKindName(span.kind)}`,
      `status=${statusName(span.status.code)}`,
      span.status.message,
      `scope=${span.scope.name}`,
    ];
    pushAttributes(parts, span.attributes);
    pushAttributes(parts, span.resource.attributes);
    for (const event of span.events) {
      parts.push(event.name);
      pushAttributes(parts, event.attributes);
    }
    return parts.join('\n').toLowerCase();
  });
}

/** Matching row indices, in row order; an empty query matches nothing. */
export function findRows(rows: readonly SpanRow[], index: readonly string[], query: FindQuery): number[] {
  if (isEmptyFind(query)) return [];
  let traceStart = Infinity;
  let traceEnd = -Infinity;
  for (const { node } of rows) {
    if (node.start < traceStart) traceStart = node.start;
    if (node.end > traceEnd) traceEnd = node.end;
  }
  const minNanos = Math.max(query.longerThanNanos, query.longerThanFraction * (traceEnd - traceStart));
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const { node } = rows[i]!;
    if (query.errorsOnly && !isErrorSpan(node.span)) continue;
    if (minNanos > 0 && node.end - node.start <= minNanos) continue;
    const text = index[i]!;
    if (query.terms.every((term) => text.includes(term))) out.push(i);
  }
  return out;
}

/** Row indices of the spans with an error status, in row order. */
export function errorRows(rows: readonly SpanRow[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) if (isErrorSpan(rows[i]!.node.span)) out.push(i);
  return out;
}

/**
 * The rows filter mode shows: every match and its ancestors (so the tree still
 * reads top-down), in row order.
 */
export function filterRows(rows: readonly SpanRow[], matches: readonly number[]): Int32Array {
  const keep = new Uint8Array(rows.length);
  for (const match of matches) {
    for (let r = match; r >= 0 && !keep[r]; r = rows[r]!.parentRow) keep[r] = 1;
  }
  const out = new Int32Array(rows.length);
  let count = 0;
  for (let i = 0; i < rows.length; i++) if (keep[i]) out[count++] = i;
  return out.subarray(0, count);
}

/** The match to go to from `current` (a row index) in `direction`, wrapping around. */
export function stepMatch(matches: readonly number[], current: number, direction: 1 | -1): number | undefined {
  if (matches.length === 0) return undefined;
  if (direction === 1) return matches.find((m) => m > current) ?? matches[0];
  for (let i = matches.length - 1; i >= 0; i--) if (matches[i]! < current) return matches[i];
  return matches[matches.length - 1];
}
