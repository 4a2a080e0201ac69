/**
 * The Jaeger trace transcoded from stored protobuf (streamTraceProto's pages) against the
 * same trace as the route made it before: decoded whole (getTrace's order), Zipkin shared
 * children repointed, converted to Jaeger objects and stringified. Byte for byte.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import compression from 'compression';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SpanKind, StatusCode, type KeyValue, type Span } from '@threadline/shared';
import { parseZipkinSpansJson } from '../../receivers/zipkin/zipkin-json-decoder.js';
import { toSharedChildrenRepointed } from '../../receivers/zipkin/zipkin-shared-spans.js';
import { toSpans as zipkinToSpans } from '../../receivers/zipkin/zipkin-to-spans.js';
import { isProtoSpan, type TracePage } from '../../store/proto-span-page.js';
import type { SpanStore } from '../../store/span-store.js';
import { protoTracePages } from '../../store/sqlite/proto-trace-pages.js';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { encodeSpanChunk } from '../../store/sqlite/span-chunk-codec.js';
import { decodeTracePages } from '../../store/sqlite/trace-chunk-pages.js';
import { decodeChunks, sortByStart } from '../../store/sqlite/trace-chunks.js';
import { seededRandom } from '../../test-support/seeded-random.js';
import { buildFleet, TraceGenerator } from '../../../../test/bench/go-fleet-generator.js';
import { generateTrace } from '../../../../test/bench-ui/trace-generator.js';
import { buildSpan, resourceOf, str, TRACE_A, TRACE_B } from '../test-support/span-builder.js';
import { idOf, NS, ns, received } from '../test-support/stored-spans.js';
import { SHARED_TRACE, SHARED_TRACE_UPLOADS } from '../test-support/zipkin-shared-trace.js';
import { createJaegerRouter } from './jaeger-router.js';
import { JaegerTraceWriter } from './jaeger-trace-bytes.js';
import { toJaegerTrace } from './span-to-jaeger.js';

/** The text the route sent before the transcoder: from the whole decoded trace. */
function expectedText(traceId: string, chunks: Uint8Array[]): string {
  return JSON.stringify(toJaegerTrace(traceId, toSharedChildrenRepointed(sortByStart(decodeChunks(chunks)))));
}

/** The pages, with the number of spans still in protobuf counted. */
async function* counting(pages: AsyncIterable<TracePage>, usage: { proto: number }): AsyncGenerator<TracePage> {
  for await (const page of pages) {
    if (!Array.isArray(page)) usage.proto += page.spans.filter(isProtoSpan).length;
    yield page;
  }
}

/**
 * The writer over the same chunks, transcoding every trace, and converting every trace through
 * objects (its branch for small traces), against the text from decoded spans. Gives that text
 * and how many spans came in protobuf.
 */
async function expectSame(traceId: string, chunks: Uint8Array[], pageSpans = 64, writer = new JaegerTraceWriter()): Promise<{ text: string; proto: number }> {
  const usage = { proto: 0 };
  const expected = expectedText(traceId, chunks);
  const transcoded = await writer.traceBytes(traceId, counting(protoTracePages({ chunks, joined: [] }, pageSpans), usage), 0);
  expect(transcoded?.toString('utf8')).toBe(expected);
  const converted = await writer.traceBytes(traceId, protoTracePages({ chunks, joined: [] }, pageSpans), Number.POSITIVE_INFINITY);
  expect(converted?.toString('utf8')).toBe(expected);
  return { text: expected, proto: usage.proto };
}

describe('Jaeger trace from stored protobuf, against decoded spans', () => {
  it('gives the same bytes for bench:ui traces, every span transcoded, one page or many', async () => {
    for (const [size, pageSpans] of [[300, 64], [3_000, 256]] as const) {
      const trace = generateTrace(size, size);
      const chunks = trace.requests.map((r) => encodeSpanChunk(received(r)));
      const { text, proto } = await expectSame(trace.traceId, chunks, pageSpans);
      expect(proto).toBe(size);
      expect(JSON.parse(text).spans).toHaveLength(size);
    }
  });

  it('gives the same bytes for Go-fleet traces (several services and instances), and the same with one writer for all', async () => {
    const generator = new TraceGenerator(buildFleet(7), 7);
    const shared = new JaegerTraceWriter();
    let processes = 0;
    for (let t = 0; t < 30; t++) {
      const spans = generator.next(NS + BigInt(t) * 1_000_000_000n);
      const cut = Math.floor(spans.length / 3);
      const chunks = t % 2 ? [encodeSpanChunk(spans)] : [encodeSpanChunk(spans.slice(cut)), encodeSpanChunk(spans.slice(0, cut))];
      const { text, proto } = await expectSame(spans[0]!.traceId, chunks, 8);
      expect(proto).toBe(spans.length);
      await expectSame(spans[0]!.traceId, chunks, 64, shared);
      processes = Math.max(processes, Object.keys(JSON.parse(text).processes).length);
    }
    expect(processes).toBeGreaterThan(2);
  });

  it('gives the same bytes for every field Jaeger spells its own way', async () => {
    const odd: KeyValue[] = [
      { key: 'nan', value: { doubleValue: Number.NaN } },
      { key: 'inf', value: { doubleValue: -Infinity } },
      { key: 'minus zero', value: { doubleValue: -0 } },
      { key: 'fraction', value: { doubleValue: 1e-7 } },
      { key: 'max', value: { intValue: '9223372036854775807' } },
      { key: 'safe', value: { intValue: '-42' } },
      { key: 'flag', value: { boolValue: false } },
      { key: 'bytes', value: { bytesValue: Buffer.from([0, 1, 254, 255]).toString('base64') } },
      { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }, { doubleValue: Number.NaN }, { arrayValue: { values: [] } }] } } },
      { key: 'map', value: { kvlistValue: { values: [str('inner', 'x"y'), { key: 'n', value: { doubleValue: 0.25 } }] } } },
      { key: 'empty', value: {} },
      { key: 'surrogate \ud800', value: { stringValue: 'lone \udfff and pair \ud83d\ude00' } },
      { key: 'quotes', value: { stringValue: 'say "hi"\\ \n\t\u0001 é 日本' } },
      { key: 'error', value: { boolValue: true } },
    ];
    const scope = { name: 'io.opentelemetry.contrib "x"', version: '1.2.3', attributes: [], droppedAttributesCount: 0 };
    const spans = [
      buildSpan({ spanId: idOf(1), parentSpanId: '0000000000000000', attributes: odd, name: 'naïve "name"\n\u0000', traceState: 'k=v,é=1', flags: 0x301, scope }),
      buildSpan({ spanId: idOf(2), parentSpanId: idOf(1), attributes: odd, kind: 9 as SpanKind, status: { code: StatusCode.ERROR, message: 'ERROR: deadlock "detected"' } }),
      buildSpan({ spanId: idOf(3), parentSpanId: idOf(1), kind: SpanKind.UNSPECIFIED, status: { code: StatusCode.OK, message: '' }, scope: { ...scope, name: '' } }),
      buildSpan({ spanId: idOf(4), parentSpanId: idOf(1), kind: SpanKind.CONSUMER, status: { code: 7 as StatusCode, message: 'odd code' }, scope: { ...scope, version: '' } }),
      buildSpan({
        spanId: idOf(5),
        parentSpanId: idOf(1),
        startTimeUnixNano: ns(-5_000),
        kind: SpanKind.PRODUCER,
        events: [
          { timeUnixNano: '0', name: 'untimed', attributes: odd.slice(0, 2), droppedAttributesCount: 1 },
          { timeUnixNano: ns(10), name: 'timed \ud800', attributes: odd, droppedAttributesCount: 2 },
          { timeUnixNano: ns(11), name: 'named twice', attributes: [str('event', 'the attribute wins')], droppedAttributesCount: 0 },
          { timeUnixNano: ns(12), name: '', attributes: [str('k', 'no name')], droppedAttributesCount: 0 },
          { timeUnixNano: '5', name: 'long before', attributes: [], droppedAttributesCount: 0 },
        ],
        droppedEventsCount: 3,
        links: [
          { traceId: TRACE_A, spanId: idOf(1), traceState: 'a=b', attributes: [str('opentracing.ref_type', 'child_of')], droppedAttributesCount: 1, flags: 1 },
          { traceId: TRACE_B, spanId: idOf(9), traceState: '', attributes: odd.slice(0, 4), droppedAttributesCount: 0, flags: 0 },
          { traceId: TRACE_B, spanId: idOf(8), traceState: '', attributes: [str('opentracing.ref_type', 'child_of')], droppedAttributesCount: 0, flags: 0 },
          { traceId: '00000000000000000000000000000000', spanId: idOf(1), traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0 },
        ],
        droppedLinksCount: 1,
        droppedAttributesCount: 4,
      }),
      buildSpan({ spanId: idOf(6), links: [{ traceId: TRACE_B, spanId: idOf(9), traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0 }] }),
      // An orphan, and times around the µs boundaries and past 2^53 µs, both ways.
      buildSpan({ spanId: idOf(7), parentSpanId: 'fedcba9876543210', startTimeUnixNano: '1712345678999999999', endTimeUnixNano: '1712345679000000999' }),
      buildSpan({ spanId: idOf(8), startTimeUnixNano: '1', endTimeUnixNano: '18446744073709551615' }),
      buildSpan({ spanId: idOf(9), startTimeUnixNano: '18446744073709551615', endTimeUnixNano: '1' }),
      buildSpan({ spanId: idOf(10), startTimeUnixNano: '9007199254740993999', endTimeUnixNano: '9007199254740994999' }),
      buildSpan({ spanId: idOf(11), startTimeUnixNano: ns(0), endTimeUnixNano: ns(0) }),
      buildSpan({ spanId: idOf(12), startTimeUnixNano: ns(0), endTimeUnixNano: ns(999) }),
      buildSpan({ spanId: idOf(13), startTimeUnixNano: ns(0), endTimeUnixNano: ns(9_007_199_254_740_993_001n) }),
      // Same start as 11 and 12: the span ID orders them.
      buildSpan({ spanId: 'ffffffffffffff00', startTimeUnixNano: ns(0) }),
      buildSpan({ spanId: '0000000000000f00', startTimeUnixNano: ns(0) }),
    ];
    const { text, proto } = await expectSame(TRACE_A, [encodeSpanChunk(spans)]);
    expect(proto).toBe(spans.length);
    for (const expected of ['"NaN"', '"9223372036854775807"', 'the attribute wins', 'is not in the trace', '"FOLLOWS_FROM"', '"otel.scope.version"']) expect(text).toContain(expected);
  });

  it('converts the spans the store decoder must read (its limits) in their place among the transcoded ones', async () => {
    const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => str(`${prefix}${i}`, 'v'));
    const spans = [
      buildSpan({ spanId: idOf(1), name: 'n'.repeat(5_000) }),
      buildSpan({ spanId: idOf(2), parentSpanId: idOf(1), attributes: [str('big', 'é'.repeat(3_000))] }),
      buildSpan({ spanId: idOf(3), parentSpanId: idOf(1), attributes: many(200, 'a') }),
      ...Array.from({ length: 20 }, (_, i) => buildSpan({ spanId: idOf(10 + i), parentSpanId: idOf(1), startTimeUnixNano: ns(i), attributes: many(3, 'plain') })),
    ];
    const { text, proto } = await expectSame(TRACE_A, [encodeSpanChunk(spans)], 8);
    expect(proto).toBe(spans.length);
    expect(text).toContain('…[truncated]');
  });

  it('keeps the first stored copy of a span sent twice, and repoints Zipkin shared-span children', async () => {
    const spans = Array.from({ length: 40 }, (_, i) => buildSpan({ spanId: idOf(i), startTimeUnixNano: ns(i), name: `first ${i}` }));
    const again = spans.slice(10, 20).map((s) => ({ ...s, name: 'second copy', startTimeUnixNano: ns(-100) }));
    expect((await expectSame(TRACE_A, [encodeSpanChunk(spans.slice(0, 30)), encodeSpanChunk(again), encodeSpanChunk(spans.slice(30))], 16)).text).not.toContain('second copy');

    const upload = (json: object[]) => encodeSpanChunk(zipkinToSpans(parseZipkinSpansJson(JSON.stringify(json))).spans);
    const chunks = SHARED_TRACE_UPLOADS.map(upload);
    const { text } = await expectSame(SHARED_TRACE, chunks, 2);
    // The repointing changed something, so the comparison above covers it.
    expect(text).not.toBe(JSON.stringify(toJaegerTrace(SHARED_TRACE, sortByStart(decodeChunks(chunks)))));
  });

  it('gives the same bytes for decoded pages (traces with joined net/trace records come so)', async () => {
    const trace = generateTrace(500, 3);
    const chunks = trace.requests.map((r) => encodeSpanChunk(received(r)));
    const bytes = await new JaegerTraceWriter().traceBytes(trace.traceId, decodeTracePages({ chunks, joined: [] }, 64), 0);
    expect(bytes?.toString('utf8')).toBe(expectedText(trace.traceId, chunks));
  });

  it('gives nothing for a trace without pages', async () => {
    expect(await new JaegerTraceWriter().traceBytes(TRACE_A, protoTracePages({ chunks: [], joined: [] }, 64))).toBeUndefined();
  });

  it('fails where decoding the whole trace fails, and a writer that failed writes the next trace right', async () => {
    const random = seededRandom(5);
    const good = [0, 1, 2].map((c) => encodeSpanChunk(Array.from({ length: 12 }, (_, i) => buildSpan({ spanId: idOf(c * 20 + i), startTimeUnixNano: ns(i), attributes: [str('k', `v${i % 3}`)] }))));
    const writer = new JaegerTraceWriter();
    let failures = 0;
    for (let round = 0; round < 200; round++) {
      const chunks = good.map((c) => c.slice());
      const victim = chunks[Math.floor(random() * chunks.length)]!;
      for (let k = 0; k < 1 + Math.floor(random() * 3); k++) victim[Math.floor(random() * victim.length)] = Math.floor(random() * 256);
      let expected: string | undefined;
      try {
        expected = expectedText(TRACE_A, chunks);
      } catch {
        failures++;
      }
      const actual = writer.traceBytes(TRACE_A, protoTracePages({ chunks, joined: [] }, round % 2 ? 16 : 5), 0);
      if (expected === undefined) await expect(actual).rejects.toThrow();
      else expect((await actual)?.toString('utf8')).toBe(expected);
      await expectSame(TRACE_A, good, 16, writer);
    }
    expect(failures).toBeGreaterThan(20);
  });
});

describe('the Jaeger trace routes over the SQLite store', () => {
  it('answer with the same bytes as the decoded path, for get-trace and search, gzip or not, read whole or streamed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-jaeger-bytes-'));
    const store = await createSqliteStore({ path: join(dir, 'x.db') });
    try {
      const traces = [generateTrace(600, 11), generateTrace(50, 12), generateTrace(5, 13)];
      const services = new Set<string>(['frontend']);
      for (const trace of traces) {
        for (const r of trace.requests) {
          const spans = received(r);
          for (const span of spans) services.add(span.serviceName);
          await store.writeBatch(spans);
        }
      }
      const now = BigInt(Date.now()) * 1_000_000n;
      await store.writeBatch([buildSpan({ spanId: idOf(1), resource: resourceOf('frontend'), startTimeUnixNano: String(now), endTimeUnixNano: String(now + 5_000n) })]);
      await store.getServices();
      const decodedOnly: SpanStore = Object.create(store, { streamTraceProto: { value: undefined }, getTraceProto: { value: undefined } });
      let protoReads = 0;
      const counted: SpanStore = Object.create(store, {
        getTraceProto: {
          value: (id: string) => {
            protoReads++;
            return store.getTraceProto!(id);
          },
        },
      });
      // A store that can only stream its pages.
      const streamOnly: SpanStore = Object.create(store, { getTraceProto: { value: undefined } });
      const appOf = (s: SpanStore) => express().use(compression({ level: 1 })).use('/api', createJaegerRouter(s));
      const ids = [...traces.map((t) => t.traceId), TRACE_A];
      const paths = [
        ...ids.map((id) => `/api/traces/${id}`),
        '/api/traces/0123456789abcdef0123456789abcdef',
        `/api/traces?traceID=${ids.join(',')}&traceID=0123456789abcdef0123456789abcdef`,
        ...[...services].map((service) => `/api/traces?service=${encodeURIComponent(service)}&limit=20`),
      ];
      for (const path of paths) {
        for (const encoding of ['gzip', 'identity']) {
          const get = (s: SpanStore) => request(appOf(s)).get(path).set('Accept-Encoding', encoding).buffer(true).parse(rawBody);
          const expected = await get(decodedOnly);
          for (const actual of [await get(counted), await get(streamOnly)]) {
            expect(actual.status).toBe(expected.status);
            expect(actual.headers['content-type']).toBe(expected.headers['content-type']);
            expect((actual.body as Buffer).equals(expected.body as Buffer)).toBe(true);
          }
        }
      }
      expect(protoReads).toBeGreaterThan(ids.length);
      for (const service of services) {
        const search = await request(appOf(store)).get(`/api/traces?service=${encodeURIComponent(service)}&limit=20`);
        expect((search.body as { data: unknown[] }).data.length).toBeGreaterThan(0);
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function rawBody(res: request.Response, done: (err: Error | null, body: Buffer) => void): void {
  const parts: Buffer[] = [];
  res.on('data', (d: Buffer) => parts.push(d));
  res.on('end', () => done(null, Buffer.concat(parts)));
}
