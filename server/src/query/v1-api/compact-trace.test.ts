import { describe, expect, it } from 'vitest';
import { COMPACT_ATTRIBUTE_TABLE_SIZE, attributeTableField, toOtlpJsonText, type CompactAttribute, type KeyValue, type Span } from '@threadline/shared';
import { TRACE_A_SPANS } from '../test-support/sample-traces.js';
import { buildSpan, resourceOf, TRACE_A } from '../test-support/span-builder.js';
import { clientSideChild, serverChild, SHARED_CLIENT_ID, SHARED_TRACE, SHARED_TRACE_UPLOADS } from '../test-support/zipkin-shared-trace.js';
import { parseZipkinSpansJson } from '../../receivers/zipkin/zipkin-json-decoder.js';
import { toSharedChildrenRepointed } from '../../receivers/zipkin/zipkin-shared-spans.js';
import { toSpans } from '../../receivers/zipkin/zipkin-to-spans.js';
import { buildCompactTrace, compactTraceChunks, compactTraceText } from './compact-trace.js';

type CompactSpanOf = ReturnType<typeof buildCompactTrace>['spans'][number];

async function* pagesOf(pages: Span[][]): AsyncGenerator<Span[]> {
  yield* pages;
}

async function textOf(traceId: string, pages: Span[][]): Promise<string> {
  let text = '';
  for await (const piece of compactTraceText(traceId, pages[0]!, pagesOf(pages.slice(1)))) text += piece;
  return text;
}

/** Expands a compact trace (compact-2 or -3) back to full spans, as a client does; the test's own independent reader. */
function expand(doc: ReturnType<typeof buildCompactTrace>): Span[] {
  const base = BigInt(doc.baseTimeUnixNano);
  const at = (offset: number | string): string => (base + BigInt(offset)).toString();
  const fixes = new Map(doc.parentFixes);
  const table: KeyValue[] = [];
  const resolve = (list: CompactAttribute[]): KeyValue[] =>
    list.map((a) => {
      if (typeof a === 'number') return table[a]!;
      if (doc.format === 'compact-3' && attributeTableField(a.value) !== undefined && table.length < COMPACT_ATTRIBUTE_TABLE_SIZE) table.push(a);
      return a;
    });
  return doc.spans.map(([spanId, parentSpanId, name, kind, start, end, r, s, code, message, compactAttributes, events, links, flags, traceState, dropped], i) => {
    const { serviceName, ...resource } = doc.resources[r]!;
    const attributes = resolve(compactAttributes);
    return {
      traceId: doc.traceId,
      spanId,
      parentSpanId: fixes.get(i) ?? parentSpanId,
      traceState,
      flags,
      name,
      kind: kind as Span['kind'],
      startTimeUnixNano: at(start),
      endTimeUnixNano: at(end),
      attributes,
      droppedAttributesCount: dropped[0],
      events: events.map(([time, eventName, eventAttributes, droppedAttributesCount]) => ({ timeUnixNano: at(time), name: eventName, attributes: resolve(eventAttributes), droppedAttributesCount })),
      droppedEventsCount: dropped[1],
      links,
      droppedLinksCount: dropped[2],
      status: { code: code as Span['status']['code'], message },
      resource,
      scope: doc.scopes[s]!,
      serviceName,
    };
  });
}

describe('compact trace format', () => {
  it('holds exactly the spans of the full format', () => {
    const doc = buildCompactTrace(TRACE_A, TRACE_A_SPANS);
    expect(expand(doc)).toEqual(TRACE_A_SPANS);
    expect(doc.baseTimeUnixNano).toBe('1712345678000000000');
  });

  it('sends each distinct resource and scope once, equal ones shared whatever their object identity', () => {
    const spans = [1, 2, 3].map((i) =>
      buildSpan({ spanId: `b00000000000000${i}`, serviceName: i === 3 ? 'db' : 'web', resource: resourceOf(i === 3 ? 'db' : 'web'), startTimeUnixNano: `${1712345678000000000n + BigInt(i)}` }),
    );
    const doc = buildCompactTrace(TRACE_A, spans);
    expect(doc.resources.map((r) => r.serviceName)).toEqual(['web', 'db']);
    expect(doc.spans.map((s) => s[6])).toEqual([0, 0, 1]);
    expect(doc.scopes).toHaveLength(1);
    expect(doc.spans.map((s) => s[4])).toEqual([0, 1, 2]);
  });

  it('writes offsets beyond 2^53 ns as decimal strings, and non-finite doubles as OTLP JSON strings', () => {
    const far = buildSpan({
      spanId: 'c000000000000001',
      startTimeUnixNano: '1000',
      endTimeUnixNano: '9999999999999999999',
      attributes: [{ key: 'ratio', value: { doubleValue: Number.NaN } }, { key: 'max', value: { doubleValue: -Infinity } }],
    });
    const parsed = JSON.parse([...compactTraceChunks(TRACE_A, [far])].join(''));
    expect(parsed.spans[0][4]).toBe(0);
    expect(parsed.spans[0][5]).toBe('9999999999999998999');
    expect(parsed.spans[0][10]).toEqual([
      { key: 'ratio', value: { doubleValue: 'NaN' } },
      { key: 'max', value: { doubleValue: '-Infinity' } },
    ]);
  });

  it('streams in chunks that join to the same document as building it whole', async () => {
    const many = Array.from({ length: 2500 }, (_, i) =>
      buildSpan({ spanId: (i + 1).toString(16).padStart(16, '0'), startTimeUnixNano: `${1712345678000000000n + BigInt(i)}` }),
    );
    const chunks = [...compactTraceChunks(TRACE_A, many)];
    expect(chunks.length).toBeGreaterThan(3);
    expect(JSON.parse(chunks.join(''))).toEqual(JSON.parse(JSON.stringify(buildCompactTrace(TRACE_A, many))));
  });

  it('streams pages as they come, the same document as building the spans whole in that order', async () => {
    const pages = [TRACE_A_SPANS.slice(2), TRACE_A_SPANS.slice(0, 2)];
    const doc = JSON.parse(await textOf(TRACE_A, pages));
    // The base is the first page's earliest start: spans of later pages may lie before it.
    expect(doc.spans.some((s: CompactSpanOf) => Number(s[4]) < 0)).toBe(true);
    expect(expand(doc)).toEqual(pages.flat());
    expect(new Set(doc.spans.map((s: CompactSpanOf) => s[0]))).toEqual(new Set(TRACE_A_SPANS.map((s) => s.spanId)));
  });

  it('repoints Zipkin shared-span children sent before their shared span, with parentFixes at the end', async () => {
    // zipkin-go flushes children first: the stored trace holds them before the shared span.
    const upload = (spans: object[]) => toSpans(parseZipkinSpansJson(JSON.stringify(spans))).spans;
    const pages = SHARED_TRACE_UPLOADS.map(upload);
    const clientId = SHARED_CLIENT_ID;
    const doc = JSON.parse(await textOf(SHARED_TRACE, pages));
    expect(doc.parentFixes).toHaveLength(1);
    expect(expand(doc)).toEqual(toSharedChildrenRepointed(pages.flat()));
    expect(expand(doc).find((s) => s.spanId === serverChild.id)!.parentSpanId).not.toBe(clientId);
    expect(expand(doc).find((s) => s.spanId === clientSideChild.id)!.parentSpanId).toBe(clientId);
  });

  it('writes the header, each page and the trailer on lines of their own, for clients that parse page by page', () => {
    const many = Array.from({ length: 25 }, (_, i) =>
      buildSpan({ spanId: (i + 1).toString(16).padStart(16, '0'), name: 'line\nbreak', startTimeUnixNano: `${1712345678000000000n + BigInt(i)}` }),
    );
    const lines = [...compactTraceChunks(TRACE_A, many, 10)].join('').split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/"spans":\[$/);
    const pages = lines.slice(1, -1).map((line, k) => JSON.parse(`[${k > 0 ? line.replace(/^,/, '') : line}]`) as unknown[]);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(lines.at(-1)).toMatch(/^\],"resources":/);
    expect(JSON.parse(`{${lines.at(-1)!.slice(2)}`)).toHaveProperty('parentFixes', []);
  });

  it('compact-3 sends an attribute equal to one sent before as its index, and holds the same spans', async () => {
    const attrs = (i: number): KeyValue[] => [
      { key: 'rpc.system', value: { stringValue: 'grpc' } },
      { key: 'item', value: { intValue: String(i % 3) } },
      { key: 'ok', value: { boolValue: i % 2 === 0 } },
      { key: 'ratio', value: { doubleValue: i % 2 ? Number.NaN : 0.5 } },
      { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }] } } },
      { key: 'sql', value: { stringValue: 'x'.repeat(300) } },
    ];
    const many = Array.from({ length: 40 }, (_, i) =>
      buildSpan({
        spanId: (i + 1).toString(16).padStart(16, '0'),
        startTimeUnixNano: `${1712345678000000000n + BigInt(i)}`,
        attributes: attrs(i),
        events: [{ timeUnixNano: `${1712345678000000000n + BigInt(i)}`, name: 'retry', attributes: attrs(i + 1).slice(0, 2), droppedAttributesCount: 0 }],
      }),
    );
    const v2 = [...compactTraceChunks(TRACE_A, many, 10)].join('');
    const v3 = [...compactTraceChunks(TRACE_A, many, 10, 'compact-3')].join('');
    const doc = JSON.parse(v3);
    expect(doc.format).toBe('compact-3');
    expect(expand(doc)).toEqual(expand(JSON.parse(v2)));
    // The first span sends its attributes in full; the next refers to the scalar ones it repeats, never to arrays or long strings.
    expect(doc.spans[0][10].every((a: unknown) => typeof a === 'object')).toBe(true);
    // Indexes count in reading order, event attributes included: item=2 first came in span 1's event.
    expect(doc.spans[2][10].slice(0, 4)).toEqual([0, 7, 2, 3]);
    expect(doc.spans[2][10].slice(4).every((a: unknown) => typeof a === 'object')).toBe(true);
    expect(v3.length).toBeLessThan(v2.length * 0.8);
    // Streamed pages give the same document as building it whole.
    expect(JSON.parse(toOtlpJsonText(buildCompactTrace(TRACE_A, many, 'compact-3')))).toEqual(doc);
  });
});
