import { describe, expect, it } from 'vitest';
import type { Span } from '@threadline/shared';
import { SpanSharing } from './span-sharing';
import { makeSpan } from '../model/fixtures/make-span';

describe('SpanSharing', () => {
  it('makes equal scalar attributes, names and parent IDs of separately cloned batches one object, values unchanged', () => {
    const attributes = [
      { key: 'rpc.system', value: { stringValue: 'grpc' } },
      { key: 'retries', value: { intValue: '2' } },
      { key: 'ratio', value: { doubleValue: Number.NaN } },
      { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }] } } },
    ];
    const spans = (from: number): Span[] =>
      [0, 1].map((i) => ({ ...makeSpan({ id: `s${from + i}`, parent: 'root', service: 'web', start: i, end: i + 1 }), attributes: attributes.map((a) => ({ ...a })) }));
    const batches = [structuredClone(spans(0)), structuredClone(spans(2))];
    const expected = structuredClone(batches);
    const sharing = new SpanSharing();
    for (const batch of batches) sharing.share(batch);
    expect(batches).toEqual(expected);
    const [first, later] = [batches[0]![0]!, batches[1]![1]!];
    for (const k of [0, 1, 2]) expect(later.attributes[k]).toBe(first.attributes[k]);
    // Arrays and maps are not shared (they may be big, and are rarely repeated).
    expect(later.attributes[3]).not.toBe(first.attributes[3]);
    expect(later.attributes[3]).toEqual(first.attributes[3]);
  });
});
