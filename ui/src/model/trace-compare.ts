/**
 * Two traces side by side, aligned by service-and-operation path: every span is
 * keyed by the chain of `service: operation` from its root down to itself, and
 * spans sharing a path are summed per side. Repeated calls therefore compare as
 * counts and total time, and a path present in one trace only stands out.
 */
import type { RowTimes } from './row-times';
import type { SpanRow } from './span-rows';

export interface CompareSide {
  readonly count: number;
  /** Sum of the spans' durations, ns. */
  readonly totalNanos: number;
  /** Row of the first span on this path, to link to it. */
  readonly firstRow: number;
}

export interface CompareRow {
  readonly depth: number;
  readonly service: string;
  readonly operation: string;
  readonly a: CompareSide | null;
  readonly b: CompareSide | null;
}

export interface CompareInput {
  readonly rows: readonly SpanRow[];
  readonly times: RowTimes;
}

interface PathNode {
  readonly service: string;
  readonly operation: string;
  readonly depth: number;
  readonly children: Map<string, PathNode>;
  a: CompareSide | null;
  b: CompareSide | null;
}

function addSide(root: PathNode, input: CompareInput, side: 'a' | 'b'): void {
  const { rows, times } = input;
  const nodes: PathNode[] = new Array<PathNode>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const { node, parentRow } = rows[i]!;
    const parent = parentRow >= 0 ? nodes[parentRow]! : root;
    const key = `${node.span.serviceName}\u0000${node.span.name}`;
    let child = parent.children.get(key);
    if (!child) {
      child = { service: node.span.serviceName, operation: node.span.name, depth: parent.depth + 1, children: new Map(), a: null, b: null };
      parent.children.set(key, child);
    }
    nodes[i] = child;
    const duration = times.end[i]! - times.start[i]!;
    const current = child[side];
    child[side] = current ? { ...current, count: current.count + 1, totalNanos: current.totalNanos + duration } : { count: 1, totalNanos: duration, firstRow: i };
  }
}

/** The merged path tree in pre-order; children in order of first appearance, trace A's first. */
export function buildTraceComparison(a: CompareInput, b: CompareInput): CompareRow[] {
  const root: PathNode = { service: '', operation: '', depth: -1, children: new Map(), a: null, b: null };
  addSide(root, a, 'a');
  addSide(root, b, 'b');
  const out: CompareRow[] = [];
  const stack = [...root.children.values()].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push({ depth: node.depth, service: node.service, operation: node.operation, a: node.a, b: node.b });
    stack.push(...[...node.children.values()].reverse());
  }
  return out;
}
