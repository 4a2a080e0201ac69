/**
 * Find-in-trace: a row matches when its operation name, service, span ID or one
 * of its attributes (as `key=value`) contains the query, case-insensitively. So
 * `http.status_code=500` finds attributes and `checkout` finds names alike.
 */
import { anyValueToString } from '@threadline/shared';
import type { SpanRow } from './span-rows';

/** One lowercase searchable text per row; built once, on the first search. */
export function buildFindIndex(rows: readonly SpanRow[]): string[] {
  return rows.map(({ node: { span } }) => {
    const parts = [span.name, span.serviceName, span.spanId];
    for (const kv of span.attributes) parts.push(`${kv.key}=${anyValueToString(kv.value)}`);
    return parts.join('\n').toLowerCase();
  });
}

/** Matching row indices, in row order. */
export function findRows(index: readonly string[], query: string): number[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return [];
  const out: number[] = [];
  for (let i = 0; i < index.length; i++) if (index[i]!.includes(needle)) out.push(i);
  return out;
}

/** The match to go to from `current` (a row index) in `direction`, wrapping around. */
export function stepMatch(matches: readonly number[], current: number, direction: 1 | -1): number | undefined {
  if (matches.length === 0) return undefined;
  if (direction === 1) return matches.find((m) => m > current) ?? matches[0];
  for (let i = matches.length - 1; i >= 0; i--) if (matches[i]! < current) return matches[i];
  return matches[matches.length - 1];
}
