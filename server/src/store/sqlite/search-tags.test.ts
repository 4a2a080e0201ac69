import { SpanKind, StatusCode, type KeyValue } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { buildAttributeTags, buildSpanOwnSearchTags, MAX_INDEXED_CHARS } from './search-tags.js';
import { testSpan } from './test-spans.js';

describe('search tags', () => {
  it('flattens every AnyValue kind as anyValueToString does', () => {
    const attributes: KeyValue[] = [
      { key: 's', value: { stringValue: 'x' } },
      { key: 'b', value: { boolValue: false } },
      { key: 'i', value: { intValue: '-9223372036854775808' } },
      { key: 'd', value: { doubleValue: 0.25 } },
      { key: 'y', value: { bytesValue: 'AAE=' } },
      { key: 'a', value: { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'two' }] } } },
      { key: 'k', value: { kvlistValue: { values: [{ key: 'n', value: { boolValue: true } }] } } },
      { key: 'e', value: {} },
    ];
    expect(buildAttributeTags(attributes).map((t) => t.value)).toEqual([
      'x', 'false', '-9223372036854775808', '0.25', 'AAE=', '["1","two"]', '{"n":true}', '',
    ]);
  });

  it('indexes only a prefix of long keys and values', () => {
    const long = 'v'.repeat(100_000);
    const [tag] = buildAttributeTags([{ key: long, value: { stringValue: long } }]);
    expect(tag!.key).toHaveLength(MAX_INDEXED_CHARS);
    expect(tag!.value).toHaveLength(MAX_INDEXED_CHARS);
  });

  it('adds the tags Jaeger derives from kind and status, event attributes and the scope', () => {
    const span = testSpan({
      kind: SpanKind.CLIENT,
      status: { code: StatusCode.ERROR, message: 'boom' },
      events: [{ timeUnixNano: '1', name: 'exception', attributes: [{ key: 'exception.type', value: { stringValue: 'E' } }], droppedAttributesCount: 0 }],
    });
    expect(buildSpanOwnSearchTags(span)).toEqual([
      { key: 'span.kind', value: 'client' },
      { key: 'otel.status_code', value: 'ERROR' },
      { key: 'error', value: 'true' },
      { key: 'otel.status_description', value: 'boom' },
      { key: 'exception.type', value: 'E' },
      { key: 'otel.scope.name', value: 'test-scope' },
      { key: 'otel.scope.version', value: '1.0.0' },
    ]);
    const plain = testSpan({ kind: SpanKind.UNSPECIFIED, status: { code: StatusCode.OK, message: '' }, scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 } });
    expect(buildSpanOwnSearchTags(plain)).toEqual([{ key: 'otel.status_code', value: 'OK' }]);
  });
});
