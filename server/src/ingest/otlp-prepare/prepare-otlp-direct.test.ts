/**
 * prepareOtlpDirect against the general path (decode into spans, then buildPreparedBatch):
 * wherever it prepares a request, the batch and counts must be the general path's, byte
 * for byte; where the general path would answer differently (a span rejected, a limit
 * applied, a 400), it must step aside. Requests come from the real OpenTelemetry JS SDK
 * and serializer, from the sample builders, by hand for the edge cases, and mutated at
 * random.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type HrTime } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { KeyValue } from '@threadline/shared';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../ingest-limits.js';
import { encodeExportTraceRequestProto } from '../../receivers/otlp/otlp-proto-encoder.js';
import { buildEveryFieldTraceRequest, buildSampleTraceRequest } from '../../receivers/otlp/otlp-sample-requests.js';
import type { OtlpSpan, OtlpTraceRequest } from '../../receivers/otlp/otlp-types.js';
import { ProtobufWriter } from '../../receivers/otlp/protobuf-writer.js';
import { WireType } from '../../receivers/otlp/protobuf-reader.js';
import { seededUint32s } from '../../test-support/seeded-random.js';
import { makeSpan } from '../../test-support/span-factory.js';
import { prepareOtlpBatch, prepareOtlpDecoded, type PreparedOtlp } from './prepare-otlp-batch.js';
import { prepareOtlpDirect } from './prepare-otlp-direct.js';

const MALFORMED = 'malformed ExportTraceServiceRequest';

function decoded(body: Uint8Array, limits: IngestLimits = DEFAULT_INGEST_LIMITS): PreparedOtlp | Error {
  try {
    return prepareOtlpDecoded(body, limits, MALFORMED);
  } catch (err) {
    return err as Error;
  }
}

/** Prepares `body` in place, which must succeed, and checks the general path gives the same. */
function expectSameDirect(body: Uint8Array, limits: IngestLimits = DEFAULT_INGEST_LIMITS): PreparedOtlp {
  const direct = prepareOtlpDirect(body, limits);
  expect(direct, 'prepared in place').toBeDefined();
  expect(direct).toEqual(decoded(body, limits));
  return direct!;
}

function recordSdkRequest(): Uint8Array {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'h1', 'process.pid': 4242 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const http = provider.getTracer('go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp', '0.60.0');
  const db = provider.getTracer('github.com/XSAM/otelsql');
  const t0: HrTime = [1712345678, 901234567];
  const at = (ms: number): HrTime => [t0[0] + Math.floor(ms / 1000), t0[1] + (ms % 1000) * 1000];
  for (let t = 0; t < 6; t++) {
    const root = http.startSpan(`GET /items/${t % 2}`, { kind: SpanKind.SERVER, startTime: at(t * 10), attributes: { 'http.request.method': 'GET', 'http.response.status_code': t === 3 ? 500 : 200, 'url.path': `/items/${t}`, 'user_agent.original': 'Go-http-client/1.1' } });
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    for (let c = 0; c < 4; c++) {
      const child = db.startSpan('SELECT items', { kind: SpanKind.CLIENT, startTime: at(t * 10 + c + 1), attributes: { 'db.system': 'postgresql', 'db.statement': `SELECT * FROM items WHERE id = ${c}`, 'app.ratio': c / 3, 'app.tags': ['a', 'b'], 'app.flag': c % 2 === 0 } }, ctx);
      if (c === 2) child.addEvent('retry', { attempt: 2, 'rpc.message.ünicode': 'é' }, at(t * 10 + c + 1));
      child.end(at(t * 10 + c + 2));
    }
    if (t === 3) {
      root.recordException(new Error('deadlock detected'), at(t * 10 + 7));
      root.setStatus({ code: SpanStatusCode.ERROR, message: 'ERROR: deadlock detected' });
    } else root.setStatus({ code: SpanStatusCode.OK });
    root.end(at(t * 10 + 8));
  }
  return ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
}

/** A span of one trace, as the OTLP decoder gives it. */
function span(over: Partial<OtlpSpan> = {}): OtlpSpan {
  const { resource: _r, scope: _s, serviceName: _n, ...otlp } = makeSpan({
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    parentSpanId: 'eee19b7ec3c1b173',
    attributes: [],
  });
  // OTLP's kind and status code are any number (toSpan normalizes them): overrides go on last.
  return { ...otlp, ...over };
}

function request(spans: OtlpSpan[], resourceAttributes: KeyValue[] = [{ key: 'service.name', value: { stringValue: 'api' } }]): Uint8Array {
  const req: OtlpTraceRequest = {
    resourceSpans: [
      {
        resource: { attributes: resourceAttributes, droppedAttributesCount: 0 },
        scopeSpans: [{ scope: { name: 'scope', version: '1.0', attributes: [], droppedAttributesCount: 0 }, spans, schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
  return encodeExportTraceRequestProto(req);
}

const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });

/** A prepared request (or an error) as text, to compare thousands quickly: bigints and typed arrays spelled out. */
function snapshot(value: PreparedOtlp | Error | undefined): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<unknown>, String) : v));
}

describe('prepareOtlpDirect', () => {
  it('prepares what the real OpenTelemetry JS serializer sends exactly as the general path does', () => {
    const direct = expectSameDirect(recordSdkRequest());
    expect(direct.counts.spans).toBe(30);
    expect(direct.batch!.chunks).toHaveLength(6);
  });

  it('prepares the sample requests, every field set, the same way', () => {
    expectSameDirect(encodeExportTraceRequestProto(buildSampleTraceRequest({ spans: 300 })));
    // Its times are uint64's largest, which the store refuses (a 400): in int64's range, it is taken.
    const everyField = buildEveryFieldTraceRequest();
    for (const rs of everyField.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) [s.startTimeUnixNano, s.endTimeUnixNano] = ['1712345678901234567', '9223372036854775807'];
    expectSameDirect(encodeExportTraceRequestProto(everyField));
  });

  it('reads roots, kinds, statuses, events and strings as toSpan and the tag rules read them', () => {
    const long = 'x'.repeat(300);
    const body = request([
      span({ spanId: '0000000000000001', parentSpanId: '' }),
      span({ spanId: '0000000000000002', parentSpanId: '0000000000000000', kind: 9, status: { code: 7, message: '' } }),
      span({ spanId: '0000000000000003', parentSpanId: '0000000000000003', status: { code: 2, message: 'ERROR: deadlock detected' } }),
      span({
        spanId: '0000000000000004',
        attributes: [str('ünïcode.kéy', 'välue'), str('long', long), str('long.tail', `${long}é`), str(`${long}é`, 'v'), str('', ''), { key: 'n', value: { intValue: '-5' } }, { key: 'empty', value: {} }],
        events: [
          { timeUnixNano: '0', name: 'untimed', attributes: [str('only.untimed', 'x')], droppedAttributesCount: 0 },
          { timeUnixNano: '1712345678901234999', name: 'timed', attributes: [str('event.key', 'y')], droppedAttributesCount: 0 },
        ],
        links: [{ traceId: '5b8efff798038103d269b633813fc60d', spanId: 'eee19b7ec3c1b175', traceState: '', attributes: [str('l', 'k')], droppedAttributesCount: 0, flags: 0 }],
      }),
      span({ traceId: '00000000000000000000000000000001', spanId: '0000000000000005', endTimeUnixNano: '1712345678901234567' }),
    ], [str('service.name', 'api'), str('host.name', 'h1')]);
    const direct = expectSameDirect(body);
    expect(direct.batch!.chunks.map((c) => c.spanEnd - c.spanStart)).toEqual([4, 1]);
  });

  it('takes resources without a service name, without a resource or scope, and scopes and resources after their spans', () => {
    expectSameDirect(request([span()], [str('host.name', 'h1')]));
    const w = new ProtobufWriter();
    // The second span starts first, and its parent is eight zero bytes (the encoder leaves such a parent out): it is the root.
    const spanBytes = (id: string, start: string, zeroParent = false) => {
      const inner = new ProtobufWriter();
      inner.tag(1, WireType.LEN).hex('5b8efff798038103d269b633813fc60c').tag(2, WireType.LEN).hex(id).tag(5, WireType.LEN).string('late');
      if (zeroParent) inner.tag(4, WireType.LEN).hex('0000000000000000');
      inner.tag(7, WireType.I64).fixed64(start).tag(8, WireType.I64).fixed64('1712345678901234568');
      return inner.finish();
    };
    w.message(1, (rs) => {
      rs.message(2, (ss) => ss.tag(2, WireType.LEN).bytes(spanBytes('0000000000000001', '1712345678901234567')).message(1, (scope) => scope.tag(1, WireType.LEN).string('late.scope')));
      rs.message(1, (res) => res.message(1, (kv) => kv.tag(1, WireType.LEN).string('service.name').message(2, (v) => v.tag(1, WireType.LEN).string('late'))));
    });
    w.message(1, (rs) => rs.message(2, (ss) => ss.tag(2, WireType.LEN).bytes(spanBytes('0000000000000002', '1712345678901234566', true))));
    expect(expectSameDirect(w.finish()).batch!.chunks[0]!.root.spanId).toBe(2n);
  });

  it('steps aside for whatever the general path answers differently', () => {
    const limits = { ...DEFAULT_INGEST_LIMITS, maxAttributeLength: 16, maxSpanAttributes: 2, maxSpanEvents: 1, maxSpanLinks: 1, maxSpansPerRequest: 1 };
    const cases: Array<[string, Uint8Array, IngestLimits?]> = [
      ['a rejected span', request([span(), span({ spanId: '' })])],
      ['an end before the start', request([span({ endTimeUnixNano: '1' })])],
      ['a time past int64', request([span({ endTimeUnixNano: '18446744073709551615' })])],
      ['a string to cut', request([span({ attributes: [str('k', 'x'.repeat(17))] })]), limits],
      ['a name to cut', request([span({ name: 'x'.repeat(17) })]), limits],
      ['attributes to drop', request([span({ attributes: [str('a', '1'), str('b', '2'), str('c', '3')] })]), limits],
      ['spans past the limit', request([span(), span({ spanId: '0000000000000009' })]), limits],
      ['not protobuf', new Uint8Array([0x0a, 0x05, 0x01])],
      ['every field at its extreme (times past int64)', encodeExportTraceRequestProto(buildEveryFieldTraceRequest())],
    ];
    for (const [what, body, caseLimits] of cases) {
      expect(prepareOtlpDirect(body, caseLimits ?? DEFAULT_INGEST_LIMITS), what).toBeUndefined();
      // …and prepareOtlpBatch still answers it, the general way.
      let answer: unknown;
      try {
        answer = prepareOtlpBatch(body, caseLimits ?? DEFAULT_INGEST_LIMITS, MALFORMED);
      } catch (err) {
        answer = err;
      }
      expect(answer, what).toEqual(decoded(body, caseLimits));
    }
  });

  it('never prepares a mutated request differently from the general path', () => {
    const seeds = [recordSdkRequest(), encodeExportTraceRequestProto(buildEveryFieldTraceRequest()), encodeExportTraceRequestProto(buildSampleTraceRequest({ spans: 8 }))];
    const next = seededUint32s(42);
    let direct = 0;
    for (let i = 0; i < 3000; i++) {
      const body = Uint8Array.from(seeds[i % seeds.length]!);
      for (let flips = 1 + (next() % 3); flips > 0; flips--) body[next() % body.length] = next() & 0xff;
      const prepared = prepareOtlpDirect(body, DEFAULT_INGEST_LIMITS);
      if (prepared === undefined) continue;
      direct++;
      const general = snapshot(decoded(body));
      if (snapshot(prepared) !== general) expect(prepared, `case ${i}`).toEqual(decoded(body));
    }
    // Most mutations land in values (names, attribute text, times) and leave a request to prepare in place.
    expect(direct).toBeGreaterThan(300);
  });
});
