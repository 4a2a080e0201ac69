/**
 * Everything the trace page derives from a trace's spans, computed once when
 * it loads: the tree, the flat rows, raw and skew-adjusted timelines with their
 * critical paths, and the header summary.
 */
import type { Span } from '@threadline/shared';
import { buildSpanTree, type SpanTree } from './span-tree';
import { buildRows, type SpanRow } from './span-rows';
import { buildSkewAdjustment, type SkewAdjustment } from './clock-skew';
import { buildRowTimes, type RowTimes } from './row-times';
import { buildCriticalColumns, criticalPathRoot, indexCriticalPath, type CriticalByRow } from './critical-path';
import { buildTraceSummary, type TraceSummary } from './trace-summary';
import { buildErrorSummary, type ErrorGroup } from './error-summary';
import type { SkewMode } from './route';

export interface Timeline {
  readonly times: RowTimes;
  /** Shift of each row's event times, matching `times`. */
  readonly shift: Float64Array;
  readonly critical: CriticalByRow;
  readonly summary: TraceSummary;
}

export interface TraceView {
  readonly traceId: string;
  readonly spans: readonly Span[];
  readonly tree: SpanTree;
  readonly rows: readonly SpanRow[];
  readonly skew: SkewAdjustment;
  readonly timelines: Readonly<Record<SkewMode, Timeline>>;
  /** Row index of each span ID's first occurrence. */
  readonly rowBySpanId: RowLookup;
  readonly errors: readonly ErrorGroup[];
}

function buildTimeline(rows: readonly SpanRow[], tree: SpanTree, shift: Float64Array): Timeline {
  const times = buildRowTimes(rows, shift);
  const root = criticalPathRoot(rows, times);
  return {
    times,
    shift,
    critical: indexCriticalPath(buildCriticalColumns(rows, times, root)),
    summary: buildTraceSummary(rows, times, tree.baseNanos, root),
  };
}

/** Span ID → row index, read-only. */
export interface RowLookup {
  get(spanId: string): number | undefined;
  has(spanId: string): boolean;
}

/**
 * The first row of each span ID, found through the tree's first node per ID: a map of its
 * own would take every span ID again (45–70 ms for a 100k-span trace, a tenth of building
 * its view). Only IDs that repeat need a row of their own, as a repeat may come first in
 * the rows.
 */
function firstRows(tree: SpanTree, rows: readonly SpanRow[]): RowLookup {
  const rowOf = new Int32Array(rows.length);
  rows.forEach((row, i) => (rowOf[row.node.index] = i));
  const repeated = new Map<string, number>();
  for (const node of tree.nodes) {
    if (!node.duplicate) continue;
    const id = node.span.spanId;
    const first = repeated.get(id) ?? rowOf[tree.byId.get(id)!.index]!;
    repeated.set(id, Math.min(first, rowOf[node.index]!));
  }
  return {
    get: (spanId) => {
      const node = tree.byId.get(spanId);
      return node && (repeated.get(spanId) ?? rowOf[node.index]);
    },
    has: (spanId) => tree.byId.has(spanId),
  };
}

/** `tree`: the spans' tree when it was built as they arrived (SpanTreeBuilder). */
export function buildTraceView(traceId: string, spans: readonly Span[], tree: SpanTree = buildSpanTree(spans)): TraceView {
  const rows = buildRows(tree);
  const skew = buildSkewAdjustment(rows);
  const rowBySpanId = firstRows(tree, rows);
  let raw: Timeline | undefined;
  return {
    traceId,
    spans,
    tree,
    rows,
    skew,
    timelines: {
      // Built when first asked for: the page opens on the adjusted one, and a timeline with its
      // critical path is a fifth of building a 100k-span trace's view, before its first paint.
      get raw(): Timeline {
        return (raw ??= buildTimeline(rows, tree, new Float64Array(rows.length)));
      },
      adjusted: buildTimeline(rows, tree, skew.delta),
    },
    rowBySpanId,
    errors: buildErrorSummary(rows),
  };
}
