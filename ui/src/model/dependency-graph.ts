/**
 * Layout of the service dependency graph: services in columns by call depth
 * (callers left of callees, the longest call chain deciding), edges carrying
 * their call counts. Call cycles (A → B → A) are real in microservices; the edge
 * that closes a cycle is kept but does not push ranks, so the layout terminates.
 */
import type { JaegerDependency } from '@threadline/shared';

export interface DependencyNode {
  readonly service: string;
  /** Column: 0 for services nobody calls. */
  readonly rank: number;
  /** Position within the column, from the top. */
  readonly slot: number;
}

export interface DependencyEdge {
  readonly parent: string;
  readonly child: string;
  readonly callCount: number;
  /** Closes a call cycle (or calls itself): drawn as a curve back. */
  readonly back: boolean;
}

export interface DependencyLayout {
  readonly nodes: readonly DependencyNode[];
  readonly edges: readonly DependencyEdge[];
  readonly columns: number;
  /** Slots in the fullest column. */
  readonly rows: number;
}

/** Edges that close a cycle, found by a depth-first walk from the services in name order. */
function findBackEdges(services: readonly string[], out: ReadonlyMap<string, readonly string[]>): Set<string> {
  const back = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  for (const startService of services) {
    if (state.has(startService)) continue;
    const stack: Array<{ service: string; next: number }> = [{ service: startService, next: 0 }];
    state.set(startService, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const children = out.get(top.service) ?? [];
      if (top.next >= children.length) {
        state.set(top.service, 'done');
        stack.pop();
        continue;
      }
      const child = children[top.next++]!;
      const seen = state.get(child);
      if (seen === 'open') back.add(`${top.service}\u0000${child}`);
      else if (seen === undefined) {
        state.set(child, 'open');
        stack.push({ service: child, next: 0 });
      }
    }
  }
  return back;
}

export function buildDependencyLayout(dependencies: readonly JaegerDependency[]): DependencyLayout {
  const services = [...new Set(dependencies.flatMap((d) => [d.parent, d.child]))].sort();
  const out = new Map<string, string[]>();
  for (const d of dependencies) {
    const list = out.get(d.parent) ?? [];
    if (!out.has(d.parent)) out.set(d.parent, list);
    list.push(d.child);
  }
  for (const list of out.values()) list.sort();
  const back = findBackEdges(services, out);
  const edges: DependencyEdge[] = dependencies.map((d) => ({ ...d, back: d.parent === d.child || back.has(`${d.parent}\u0000${d.child}`) }));

  // Longest path over the forward edges (a DAG now), in topological order.
  const indegree = new Map(services.map((s) => [s, 0]));
  for (const e of edges) if (!e.back) indegree.set(e.child, indegree.get(e.child)! + 1);
  const rank = new Map(services.map((s) => [s, 0]));
  const ready = services.filter((s) => indegree.get(s) === 0);
  while (ready.length > 0) {
    const service = ready.shift()!;
    for (const e of edges) {
      if (e.back || e.parent !== service) continue;
      rank.set(e.child, Math.max(rank.get(e.child)!, rank.get(service)! + 1));
      indegree.set(e.child, indegree.get(e.child)! - 1);
      if (indegree.get(e.child) === 0) ready.push(e.child);
    }
  }

  const slots = new Map<number, number>();
  const nodes = services.map((service) => {
    const r = rank.get(service)!;
    const slot = slots.get(r) ?? 0;
    slots.set(r, slot + 1);
    return { service, rank: r, slot };
  });
  return {
    nodes,
    edges,
    columns: nodes.reduce((max, n) => Math.max(max, n.rank + 1), 0),
    rows: Math.max(0, ...slots.values()),
  };
}
