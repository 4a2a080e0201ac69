/** The numbers in a trace page's header, derived once from its rows. */
import type { SpanRow } from './span-rows';
import { maxDepth } from './span-rows';
import { isErrorSpan } from './span-facts';
import type { RowTimes } from './row-times';

export interface TraceSummary {
  readonly rootService: string;
  readonly rootOperation: string;
  /** Unix ns of the earliest span start. */
  readonly startNanos: bigint;
  /** From the earliest start to the latest end, in ns. */
  readonly durationNanos: number;
  /** Services in order of first appearance in the tree. */
  readonly services: readonly string[];
  readonly spanCount: number;
  /** Levels in the tree; a lone root is depth 1. */
  readonly depth: number;
  readonly errorCount: number;
  readonly orphanCount: number;
}

export function buildTraceSummary(rows: readonly SpanRow[], times: RowTimes, baseNanos: bigint, root: number): TraceSummary {
  const services = new Set<string>();
  let errorCount = 0;
  let orphanCount = 0;
  for (const row of rows) {
    services.add(row.node.span.serviceName);
    if (isErrorSpan(row.node.span)) errorCount++;
    if (row.node.issue === 'orphan') orphanCount++;
  }
  const rootSpan = rows[root]?.node.span;
  return {
    rootService: rootSpan?.serviceName ?? '',
    rootOperation: rootSpan?.name ?? '',
    startNanos: baseNanos + BigInt(Math.round(times.min)),
    durationNanos: times.max - times.min,
    services: [...services],
    spanCount: rows.length,
    depth: maxDepth(rows) + 1,
    errorCount,
    orphanCount,
  };
}
