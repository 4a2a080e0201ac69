import { describe, expect, it } from 'vitest';
import { OtlpJsonDecodeError, parseExportTraceRequestJson } from './otlp-json-decoder.js';
import { buildEveryFieldTraceRequest, buildSampleTraceRequest } from './otlp-sample-requests.js';
import { toSpans } from './otlp-to-spans.js';
import { seededUint32s } from '../../test-support/seeded-random.js';
import { thrownBy } from '../../test-support/thrown-by.js';

const decodeError = (text: string) => thrownBy(() => parseExportTraceRequestJson(text), OtlpJsonDecodeError);

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

/** A request with one span; `span` fields override the minimal valid ones. */
function oneSpan(span: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [{ scope: { name: 's' }, spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, startTimeUnixNano: '1', endTimeUnixNano: '2', ...span }] }],
        ...extra,
      },
    ],
  });
}

function firstSpan(json: string) {
  return parseExportTraceRequestJson(json).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
}

describe('parseExportTraceRequestJson', () => {
  it('reads back every field of every message from its OTLP/JSON form', () => {
    const req = buildEveryFieldTraceRequest();
    expect(parseExportTraceRequestJson(JSON.stringify(req))).toEqual(req);
    const sample = buildSampleTraceRequest({ spans: 50 });
    expect(parseExportTraceRequestJson(JSON.stringify(sample))).toEqual(sample);
  });

  it('fills defaults for absent and null fields', () => {
    expect(parseExportTraceRequestJson('{}')).toEqual({ resourceSpans: [] });
    expect(parseExportTraceRequestJson('{"resourceSpans":null}')).toEqual({ resourceSpans: [] });
    const span = firstSpan(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: null, status: null, kind: null }] }] }] }));
    expect(span).toEqual({
      traceId: '', spanId: '', traceState: '', parentSpanId: '', flags: 0, name: '', kind: 0,
      startTimeUnixNano: '0', endTimeUnixNano: '0', attributes: [], droppedAttributesCount: 0,
      events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0, status: { code: 0, message: '' },
    });
  });

  it('reads IDs as case-insensitive hex and lowercases them', () => {
    const span = firstSpan(oneSpan({ traceId: '5B8EFFF798038103D269B633813FC60C', spanId: 'EEE19B7EC3C1B174', parentSpanId: 'AAAAAAAAAAAAAAAA' }));
    expect(span).toMatchObject({ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', parentSpanId: 'aaaaaaaaaaaaaaaa' });
  });

  it('accepts enum names as well as integers', () => {
    expect(firstSpan(oneSpan({ kind: 'SPAN_KIND_SERVER', status: { code: 'STATUS_CODE_ERROR' } }))).toMatchObject({ kind: 2, status: { code: 2 } });
    expect(firstSpan(oneSpan({ kind: 'SPAN_KIND_CONSUMER', status: { code: 'STATUS_CODE_OK' } }))).toMatchObject({ kind: 5, status: { code: 1 } });
    expect(firstSpan(oneSpan({ kind: 3, status: { code: 0 } }))).toMatchObject({ kind: 3, status: { code: 0 } });
    // Unknown numbers pass (proto3 enums are open); toSpans decides what to make of them.
    expect(firstSpan(oneSpan({ kind: 9 })).kind).toBe(9);
    expect(decodeError(oneSpan({ kind: 'SERVER' })).message).toBe('resourceSpans[0].scopeSpans[0].spans[0].kind: expected integer or enum name');
    expect(decodeError(oneSpan({ kind: 'toString' })).path).toBe('resourceSpans[0].scopeSpans[0].spans[0].kind');
  });

  it('accepts snake_case field names, as protojson does', () => {
    const json = JSON.stringify({
      resource_spans: [
        {
          schema_url: 'r',
          scope_spans: [
            {
              schema_url: 's',
              scope: { name: 'n', dropped_attributes_count: 2 },
              spans: [
                {
                  trace_id: TRACE_ID, span_id: SPAN_ID, parent_span_id: 'aaaaaaaaaaaaaaaa', trace_state: 't',
                  start_time_unix_nano: '5', end_time_unix_nano: 6, dropped_events_count: 1, dropped_links_count: 2,
                  attributes: [{ key: 'k', value: { string_value: 'v' } }, { key: 'i', value: { int_value: '7' } }],
                  events: [{ time_unix_nano: '3', name: 'e' }],
                  links: [{ trace_id: TRACE_ID, span_id: SPAN_ID }],
                },
              ],
            },
          ],
        },
      ],
    });
    const rs = parseExportTraceRequestJson(json).resourceSpans[0]!;
    expect(rs.schemaUrl).toBe('r');
    expect(rs.scopeSpans[0]!.schemaUrl).toBe('s');
    expect(rs.scopeSpans[0]!.scope.droppedAttributesCount).toBe(2);
    expect(rs.scopeSpans[0]!.spans[0]).toMatchObject({
      traceId: TRACE_ID, spanId: SPAN_ID, parentSpanId: 'aaaaaaaaaaaaaaaa', traceState: 't',
      startTimeUnixNano: '5', endTimeUnixNano: '6', droppedEventsCount: 1, droppedLinksCount: 2,
      attributes: [{ key: 'k', value: { stringValue: 'v' } }, { key: 'i', value: { intValue: '7' } }],
      events: [{ timeUnixNano: '3', name: 'e' }],
      links: [{ traceId: TRACE_ID, spanId: SPAN_ID }],
    });
  });

  it('reads 64-bit integers from strings and numbers, exactly and canonically', () => {
    expect(firstSpan(oneSpan({ startTimeUnixNano: '18446744073709551615', endTimeUnixNano: '000123' }))).toMatchObject({
      startTimeUnixNano: '18446744073709551615',
      endTimeUnixNano: '123',
    });
    expect(firstSpan(oneSpan({ startTimeUnixNano: 1712345678000000000 })).startTimeUnixNano).toBe('1712345678000000000');
    const attrs = firstSpan(
      oneSpan({
        attributes: [
          { key: 'a', value: { intValue: '-9223372036854775808' } },
          { key: 'b', value: { intValue: -42 } },
          { key: 'c', value: { intValue: '-007' } },
          { key: 'd', value: { intValue: '-0' } },
        ],
      }),
    ).attributes;
    expect(attrs.map((a) => a.value.intValue)).toEqual(['-9223372036854775808', '-42', '-7', '0']);
  });

  it('reads the other AnyValue kinds', () => {
    const attrs = firstSpan(
      oneSpan({
        attributes: [
          { key: 'd', value: { doubleValue: 1.5 } },
          { key: 'nan', value: { doubleValue: 'NaN' } },
          { key: 'inf', value: { doubleValue: '-Infinity' } },
          { key: 's', value: { doubleValue: '2.5e3' } },
          { key: 'b64', value: { bytesValue: 'AAEC_f7_' } },
          { key: 'b64pad', value: { bytesValue: 'AAE=' } },
          { key: 'empty', value: {} },
          { key: 'novalue' },
        ],
      }),
    ).attributes;
    expect(attrs.map((a) => a.value)).toEqual([
      { doubleValue: 1.5 },
      { doubleValue: NaN },
      { doubleValue: -Infinity },
      { doubleValue: 2500 },
      { bytesValue: 'AAEC/f7/' },
      { bytesValue: 'AAE=' },
      {},
      {},
    ]);
  });

  it('ignores unknown fields everywhere', () => {
    const json = JSON.stringify({
      future: { x: 1 },
      resourceSpans: [
        {
          unknown: [1, 2],
          resource: { attributes: [{ key: 'k', value: { stringValue: 'v', hint: 'x' }, note: 1 }], entityRefs: [{}] },
          scopeSpans: [{ scope: { name: 'n', extra: true }, spans: [{ traceId: TRACE_ID, newField: { deep: [] }, status: { code: 1, deprecatedCode: 3 } }] }],
        },
      ],
    });
    const rs = parseExportTraceRequestJson(json).resourceSpans[0]!;
    expect(rs.resource.attributes).toEqual([{ key: 'k', value: { stringValue: 'v' } }]);
    expect(rs.scopeSpans[0]!.spans[0]!.status.code).toBe(1);
  });

  it('refuses type errors with the path to the offending value', () => {
    const cases: [string, string][] = [
      [oneSpan({ startTimeUnixNano: 'soon' }), 'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected integer string'],
      [oneSpan({ endTimeUnixNano: 1.5 }), 'resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano: expected integer string'],
      [oneSpan({ startTimeUnixNano: '-1' }), 'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: out of range for uint64'],
      [oneSpan({ startTimeUnixNano: '18446744073709551616' }), 'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: out of range for uint64'],
      [oneSpan({ traceId: 12 }), 'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected string'],
      [oneSpan({ name: ['x'] }), 'resourceSpans[0].scopeSpans[0].spans[0].name: expected string'],
      [oneSpan({ flags: -1 }), 'resourceSpans[0].scopeSpans[0].spans[0].flags: out of range for uint32'],
      [oneSpan({ droppedAttributesCount: 'many' }), 'resourceSpans[0].scopeSpans[0].spans[0].droppedAttributesCount: expected integer'],
      [oneSpan({ events: {} }), 'resourceSpans[0].scopeSpans[0].spans[0].events: expected array'],
      [oneSpan({ events: [1] }), 'resourceSpans[0].scopeSpans[0].spans[0].events[0]: expected object'],
      [oneSpan({ links: [{ traceId: TRACE_ID, flags: 'x' }] }), 'resourceSpans[0].scopeSpans[0].spans[0].links[0].flags: expected integer'],
      [oneSpan({ status: 'ERROR' }), 'resourceSpans[0].scopeSpans[0].spans[0].status: expected object'],
      [oneSpan({ attributes: [{ key: 'k', value: { intValue: '1.5' } }] }), 'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: expected integer string'],
      [oneSpan({ attributes: [{ key: 'k', value: { intValue: '9223372036854775808' } }] }), 'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: out of range for int64'],
      [oneSpan({ attributes: [{ key: 'k', value: { boolValue: 'true' } }] }), 'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.boolValue: expected boolean'],
      [oneSpan({ attributes: [{ key: 'k', value: { doubleValue: 'fast' } }] }), 'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.doubleValue: expected number'],
      [oneSpan({ attributes: [{ key: 'k', value: { bytesValue: 'not base64!' } }] }), 'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.bytesValue: expected base64 string'],
      [oneSpan({ attributes: [{ key: 'k', value: { stringValue: 'a', intValue: '1' } }] }), 'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value: more than one member of the value oneof is set'],
      [oneSpan({ attributes: [{ key: 'k', value: { arrayValue: { values: [{ kvlistValue: { values: [{ key: 1 }] } }] } } }] }), 'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.arrayValue.values[0].kvlistValue.values[0].key: expected string'],
      [oneSpan({}, { resource: [] }), 'resourceSpans[0].resource: expected object'],
      [oneSpan({}, { scopeSpans: [{ scope: { version: 2 } }] }), 'resourceSpans[0].scopeSpans[0].scope.version: expected string'],
      ['[]', 'request: expected object'],
      ['null', 'request: expected object'],
    ];
    for (const [json, message] of cases) {
      const err = decodeError(json);
      expect(err.message).toBe(message);
      expect(message.startsWith(err.path || 'request')).toBe(true);
    }
  });

  it('wraps JSON syntax errors', () => {
    for (const text of ['', '{', '{"resourceSpans": [}', 'undefined', '\u0000']) {
      expect(decodeError(text).message).toMatch(/^request: invalid JSON: /);
    }
  });

  it('caps AnyValue nesting at 32 levels', () => {
    const nest = (depth: number) => {
      let v: unknown = { stringValue: 'leaf' };
      for (let i = 1; i < depth; i++) v = { arrayValue: { values: [v] } };
      return v;
    };
    expect(firstSpan(oneSpan({ attributes: [{ key: 'k', value: nest(32) }] })).attributes).toHaveLength(1);
    expect(decodeError(oneSpan({ attributes: [{ key: 'k', value: nest(33) }] })).message).toMatch(/AnyValue nested deeper than 32$/);
  });

  it('survives absurdly deep JSON with a typed error', () => {
    const depth = 100_000;
    const deep = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":${'{"arrayValue":{"values":['.repeat(depth)}${']}}'.repeat(depth)}}]}]}]}]}`;
    expect(decodeError(deep).message).toMatch(/nested deeper/);
    expect(decodeError('['.repeat(depth) + ']'.repeat(depth)).message).toBe('request: expected object');
  });

  it('fails only with the typed error on thousands of mutated requests', () => {
    const base = JSON.stringify(buildEveryFieldTraceRequest());
    const next = seededUint32s(3);
    const junk = ['{', '}', '[', ']', '"', ':', ',', 'null', '1e999', '-', '"x"', '0', 'true', '\\u0000', '{}', '[]'];
    for (let i = 0; i < 3000; i++) {
      let text = base;
      const edits = 1 + (next() % 3);
      for (let e = 0; e < edits; e++) {
        const at = next() % text.length;
        const cut = next() % 8;
        text = text.slice(0, at) + junk[next() % junk.length]! + text.slice(at + cut);
      }
      try {
        toSpans(parseExportTraceRequestJson(text));
      } catch (err) {
        if (!(err instanceof OtlpJsonDecodeError)) throw new Error(`untyped error for ${text}`, { cause: err });
      }
    }
  });

  it('fails only with the typed error when any value is replaced by a value of another type', () => {
    const base = buildEveryFieldTraceRequest();
    const replacements: unknown[] = [null, 0, -1, 1.5, '', 'x', true, [], {}, [1], { a: 1 }, 2 ** 64, '1'.repeat(30)];
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
      else if (v && typeof v === 'object') for (const [k, item] of Object.entries(v)) walk(item, [...path, k]);
    };
    walk(base, []);
    for (const path of paths) {
      for (const replacement of replacements) {
        const copy = structuredClone(base) as unknown as Record<string | number, unknown>;
        let target = copy;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
        if (path.length === 0) continue;
        target[path[path.length - 1]!] = replacement;
        try {
          toSpans(parseExportTraceRequestJson(JSON.stringify(copy)));
        } catch (err) {
          if (!(err instanceof OtlpJsonDecodeError)) throw new Error(`untyped error at ${path.join('.')}`, { cause: err });
        }
      }
    }
    expect(paths.length).toBeGreaterThan(300);
  });
});
