import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore, type SqliteSpanStore } from './sqlite-store.js';
import { spanIdOf, testSpan, traceIdOf } from './test-spans.js';

describe('getTraceJson', () => {
  let store: SqliteSpanStore | undefined;
  afterEach(async () => store?.close());

  it('is exactly JSON.stringify(getTrace) for ordinary spans, and [] for an unknown trace', async () => {
    store = await createSqliteStore({ path: ':memory:' });
    const traceId = traceIdOf(1);
    const spans = [
      testSpan({ traceId, spanId: spanIdOf(1), attributes: [{ key: 'note', value: { stringValue: 'a "resource":null lookalike' } }] }),
      testSpan({ traceId, spanId: spanIdOf(2), parentSpanId: spanIdOf(1), resource: { attributes: [{ key: 'service.name', value: { stringValue: 'other' } }], droppedAttributesCount: 0 }, serviceName: 'other' }),
    ];
    await store.writeBatch(spans);
    const json = await store.getTraceJson(traceId);
    expect(json).toBe(JSON.stringify(await store.getTrace(traceId)));
    expect(JSON.parse(json)[0].attributes[0].value.stringValue).toBe('a "resource":null lookalike');
    expect(await store.getTraceJson(traceIdOf(99))).toBe('[]');
  });

  it('spells non-finite doubles as OTLP/JSON does, where plain JSON would give null', async () => {
    store = await createSqliteStore({ path: ':memory:' });
    const traceId = traceIdOf(2);
    const doubles = [Number.NaN, Infinity, -Infinity, 0.5].map((doubleValue, i) => ({ key: `d${i}`, value: { doubleValue } }));
    await store.writeBatch([testSpan({ traceId, spanId: spanIdOf(3), attributes: doubles })]);
    const parsed = JSON.parse(await store.getTraceJson(traceId));
    expect(parsed[0].attributes.map((a: { value: unknown }) => a.value)).toEqual([
      { doubleValue: 'NaN' }, { doubleValue: 'Infinity' }, { doubleValue: '-Infinity' }, { doubleValue: 0.5 },
    ]);
    expect(parsed[0].resource.attributes.length).toBeGreaterThan(0);
  });
});
