import { describe, expect, it } from 'vitest';
import { buildDependencyLayout } from './dependency-graph';

describe('dependency graph layout', () => {
  it('puts callers left of callees, the longest chain deciding the column', () => {
    const layout = buildDependencyLayout([
      { parent: 'web', child: 'orders', callCount: 10 },
      { parent: 'orders', child: 'db', callCount: 30 },
      { parent: 'web', child: 'db', callCount: 2 },
      { parent: 'web', child: 'cache', callCount: 5 },
    ]);
    expect(layout.nodes).toEqual([
      { service: 'cache', rank: 1, slot: 0 },
      { service: 'db', rank: 2, slot: 0 },
      { service: 'orders', rank: 1, slot: 1 },
      { service: 'web', rank: 0, slot: 0 },
    ]);
    expect(layout.columns).toBe(3);
    expect(layout.rows).toBe(2);
    expect(layout.edges.every((e) => !e.back)).toBe(true);
  });

  it('terminates on call cycles and self-calls, marking the closing edges', () => {
    const layout = buildDependencyLayout([
      { parent: 'a', child: 'b', callCount: 1 },
      { parent: 'b', child: 'c', callCount: 1 },
      { parent: 'c', child: 'a', callCount: 1 },
      { parent: 'b', child: 'b', callCount: 3 },
    ]);
    expect(layout.nodes.map((n) => [n.service, n.rank])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
    expect(layout.edges.filter((e) => e.back).map((e) => `${e.parent}>${e.child}`)).toEqual(['c>a', 'b>b']);
  });

  it('is empty without dependencies', () => {
    expect(buildDependencyLayout([])).toEqual({ nodes: [], edges: [], columns: 0, rows: 0 });
  });
});
