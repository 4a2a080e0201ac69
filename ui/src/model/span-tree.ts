/**
 * Builds the parent/child tree of one trace. Input is untrusted: parents may be
 * missing (orphans), IDs may repeat, and parent links may form cycles. None of
 * that may hang or drop a span: every input span ends up in exactly one place.
 */
import { earliestStartNanos, nanosBase, type NanosBase, type Span } from '@threadline/shared';
import { nanosSince } from './nanos';
import type { SpanOffsets } from './span-offsets';

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

/**
 * Builds the tree as spans arrive: each batch's nodes (times, first node per ID) are made
 * when it comes, while the page waits for the rest of the trace; `finish` links them once
 * every span, and every parent ID, is final. Until then times count from the first span's
 * start; `finish` moves them to count from the earliest.
 */
export class SpanTreeBuilder {
  private readonly nodes: MutableNode[] = [];
  private readonly byId = new Map<string, MutableNode>();
  private base: NanosBase | undefined;

  /** `offsets`, when given, are taken for the times they know if they count from this tree's base (the first they name becomes it). */
  add(batch: readonly Span[], offsets?: SpanOffsets): void {
    const known = offsets && (this.base ??= offsets.base) === offsets.base ? offsets.startEnd : undefined;
    for (let i = 0; i < batch.length; i++) {
      const span = batch[i]!;
      const base = (this.base ??= nanosBase(BigInt(span.startTimeUnixNano)));
      const knownStart = known ? known[2 * i]! : Number.NaN;
      const knownEnd = known ? known[2 * i + 1]! : Number.NaN;
      const start = Number.isNaN(knownStart) ? nanosSince(span.startTimeUnixNano, base) : knownStart;
      const rawEnd = Number.isNaN(knownEnd) ? nanosSince(span.endTimeUnixNano, base) : knownEnd;
      const node: MutableNode = {
        span,
        index: this.nodes.length,
        parent: null,
        children: [],
        start,
        // An end before the start is invalid input; show it as an instant.
        end: Math.max(start, rawEnd),
        issue: null,
        duplicate: this.byId.has(span.spanId),
      };
      if (!node.duplicate) this.byId.set(span.spanId, node);
      this.nodes.push(node);
    }
  }

  finish(): SpanTree {
    const { nodes, byId } = this;
    const baseNanos = this.rebase();
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

  /** Makes the earliest start the base of every offset; returns it (Unix ns). */
  private rebase(): bigint {
    if (!this.base) return 0n;
    let earliest = 0;
    for (const node of this.nodes) if (node.start < earliest) earliest = node.start;
    if (earliest === 0) return this.base.nanos;
    // Offsets that were not exact (a trace over 104 days, say) are made again from the text, as a build from scratch would.
    if (this.nodes.every((n) => Number.isSafeInteger(n.start) && Number.isSafeInteger(n.end - earliest))) {
      for (const node of this.nodes) {
        node.start -= earliest;
        node.end -= earliest;
      }
      return this.base.nanos + BigInt(earliest);
    }
    const exact = earliestStartNanos(this.nodes.map((node) => node.span));
    const base = nanosBase(exact);
    for (const node of this.nodes) {
      node.start = nanosSince(node.span.startTimeUnixNano, base);
      node.end = Math.max(node.start, nanosSince(node.span.endTimeUnixNano, base));
    }
    return exact;
  }
}

type MutableNode = { -readonly [K in keyof SpanNode]: SpanNode[K] } & { parent: MutableNode | null; children: MutableNode[] };

export function buildSpanTree(spans: readonly Span[]): SpanTree {
  const builder = new SpanTreeBuilder();
  builder.add(spans);
  return builder.finish();
}
