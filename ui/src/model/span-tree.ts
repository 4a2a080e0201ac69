/**
 * Builds the parent/child tree of one trace. Input is untrusted: parents may be
 * missing (orphans), IDs may repeat, and parent links may form cycles. None of
 * that may hang or drop a span: every input span ends up in exactly one place.
 */
import { earliestStartNanos, nanosBase, type Span } from '@threadline/shared';
import { nanosSince } from './nanos';

/** Why a span sits at the top level although it names a parent. */
export type SpanIssue = 'orphan' | 'cycle';

export interface SpanNode {
  readonly span: Span;
  /** Position in the input array; identifies duplicates that share a span ID. */
  readonly index: number;
  parent: SpanNode | null;
  readonly children: SpanNode[];
  /** Raw start and end as ns offsets from the tree's base time. */
  readonly start: number;
  readonly end: number;
  issue: SpanIssue | null;
  /** A later span repeating an ID already seen; children attach to the first one. */
  readonly duplicate: boolean;
}

export interface SpanTree {
  /** Earliest raw start in the trace (Unix ns); offsets are relative to it. */
  readonly baseNanos: bigint;
  readonly nodes: readonly SpanNode[];
  /** Top-level nodes in start order: real roots, orphans and cycle breakers. */
  readonly roots: readonly SpanNode[];
  /** The first node for each span ID. */
  readonly byId: ReadonlyMap<string, SpanNode>;
}

function byStart(a: SpanNode, b: SpanNode): number {
  return a.start - b.start || a.end - b.end || a.index - b.index;
}

/** Marks `from` and everything below it; iterative so a 100k-deep chain cannot overflow the stack. */
function markReachable(from: SpanNode, seen: Uint8Array): void {
  const stack = [from];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen[node.index]) continue;
    seen[node.index] = 1;
    for (const child of node.children) stack.push(child);
  }
}

/**
 * Walks up from a node no root reaches; the walk must revisit a node (the
 * cycle), and cutting the link above that node turns the whole component into
 * a tree rooted there.
 */
function findCycleEntry(start: SpanNode): SpanNode {
  const onPath = new Set<SpanNode>();
  let node = start;
  while (node.parent && !onPath.has(node)) {
    onPath.add(node);
    node = node.parent;
  }
  return node;
}

function detach(node: SpanNode): void {
  const parent = node.parent;
  if (!parent) return;
  const at = parent.children.indexOf(node);
  if (at >= 0) parent.children.splice(at, 1);
  node.parent = null;
}

export function buildSpanTree(spans: readonly Span[]): SpanTree {
  const baseNanos = earliestStartNanos(spans);
  const base = nanosBase(baseNanos);
  const byId = new Map<string, SpanNode>();
  const nodes: SpanNode[] = spans.map((span, index) => {
    const start = nanosSince(span.startTimeUnixNano, base);
    const rawEnd = nanosSince(span.endTimeUnixNano, base);
    const node: SpanNode = {
      span,
      index,
      parent: null,
      children: [],
      start,
      // An end before the start is invalid input; show it as an instant.
      end: Math.max(start, rawEnd),
      issue: null,
      duplicate: byId.has(span.spanId),
    };
    if (!node.duplicate) byId.set(span.spanId, node);
    return node;
  });

  const roots: SpanNode[] = [];
  for (const node of nodes) {
    const parentId = node.span.parentSpanId;
    if (parentId === '') {
      roots.push(node);
      continue;
    }
    const parent = byId.get(parentId);
    if (!parent) {
      node.issue = 'orphan';
      roots.push(node);
    } else if (parent === node) {
      node.issue = 'cycle';
      roots.push(node);
    } else {
      node.parent = parent;
      parent.children.push(node);
    }
  }

  const seen = new Uint8Array(nodes.length);
  for (const root of roots) markReachable(root, seen);
  for (const node of nodes) {
    if (seen[node.index]) continue;
    const entry = findCycleEntry(node);
    detach(entry);
    entry.issue = 'cycle';
    roots.push(entry);
    markReachable(entry, seen);
  }

  roots.sort(byStart);
  for (const node of nodes) if (node.children.length > 1) node.children.sort(byStart);
  return { baseNanos, nodes, roots, byId };
}
