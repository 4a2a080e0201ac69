import { describe, expect, it } from 'vitest';
import { buildSpanTree } from './span-tree';
import { buildRows } from './span-rows';
import { buildSkewAdjustment, onDifferentHosts, skewDelta } from './clock-skew';
import { makeSpan, MS, type SpanSpec } from './fixtures/make-span';

function adjust(specs: SpanSpec[]): Record<string, { delta: number; skewed: boolean }> {
  const rows = buildRows(buildSpanTree(specs.map(makeSpan)));
  const { delta, skewed } = buildSkewAdjustment(rows);
  return Object.fromEntries(rows.map((r, i) => [r.node.span.name, { delta: delta[i]! / MS, skewed: skewed[i] === 1 }]));
}

describe('clock skew', () => {
  it('flags a child on another host that starts before its parent and centres it', () => {
    const result = adjust([
      { id: 'client', host: 'h1', start: 0, end: 100 },
      { id: 'server', parent: 'client', host: 'h2', start: -10, end: 20 },
      { id: 'db', parent: 'server', host: 'h2', start: -5, end: 0 },
    ]);
    // Centred: 0 + (100 - 30) / 2 = 35, so the server moves by +45; its same-host child moves with it.
    expect(result.server).toEqual({ delta: 45, skewed: true });
    expect(result.db).toEqual({ delta: 45, skewed: false });
    expect(result.client).toEqual({ delta: 0, skewed: false });
  });

  it('flags a child that ends after its parent', () => {
    expect(
      adjust([
        { id: 'client', host: 'h1', start: 0, end: 100 },
        { id: 'server', parent: 'client', host: 'h2', start: 80, end: 120 },
      ]).server,
    ).toEqual({ delta: -50, skewed: true });
  });

  it('moves a child longer than its parent to start with it', () => {
    expect(skewDelta(-10, 200, 0, 100)).toBe(10);
    expect(skewDelta(10, 200, 0, 100)).toBe(0);
  });

  it('leaves a child that fits alone', () => {
    expect(skewDelta(10, 20, 0, 100)).toBe(0);
  });

  it('does not flag spans on the same host, or when hosts are unknown', () => {
    const result = adjust([
      { id: 'p', host: 'h1', start: 0, end: 100 },
      { id: 'same', parent: 'p', host: 'h1', start: -10, end: 20 },
      { id: 'unknown', parent: 'p', start: -10, end: 20 },
    ]);
    expect(result.same).toEqual({ delta: 0, skewed: false });
    expect(result.unknown).toEqual({ delta: 0, skewed: false });
  });

  it('compares service instances when the host is unknown', () => {
    const result = adjust([
      { id: 'p', instance: 'i1', start: 0, end: 100 },
      { id: 'other', parent: 'p', instance: 'i2', start: -10, end: 20 },
      { id: 'same', parent: 'p', instance: 'i1', start: -10, end: 20 },
    ]);
    expect(result.other!.skewed).toBe(true);
    expect(result.same!.skewed).toBe(false);
  });

  it('measures a nested host against its already adjusted parent', () => {
    const result = adjust([
      { id: 'a', host: 'h1', start: 0, end: 100 },
      { id: 'b', parent: 'a', host: 'h2', start: -100, end: -20 },
      // Fits b's raw interval but b moves by +110 to 10..90, so c (h3) must follow: centred in 10..90.
      { id: 'c', parent: 'b', host: 'h3', start: -90, end: -30 },
    ]);
    expect(result.b).toEqual({ delta: 110, skewed: true });
    expect(result.c).toEqual({ delta: 110, skewed: false });
  });

  it('knows which spans are on different hosts', () => {
    const on = (host?: string, instance?: string) => makeSpan({ id: 'x', start: 0, end: 1, host, instance });
    expect(onDifferentHosts(on('a'), on('b'))).toBe(true);
    expect(onDifferentHosts(on('a', 'i1'), on('a', 'i2'))).toBe(false);
    expect(onDifferentHosts(on(undefined, 'i1'), on('a', 'i2'))).toBe(true);
    expect(onDifferentHosts(on(), on('b'))).toBe(false);
  });
});
