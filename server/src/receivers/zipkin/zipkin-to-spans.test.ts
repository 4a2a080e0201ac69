import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SpanKind, StatusCode, findAttribute, isValidSpanId, isValidTraceId, type Span } from '@threadline/shared';
import { parseZipkinSpansJson, type ZipkinSpan } from './zipkin-json-decoder.js';
import { derivedSharedSpanId, toSpans } from './zipkin-to-spans.js';
import { SHARED_SPAN_ID_ATTRIBUTE } from './zipkin-shared-spans.js';

const TRACE = '5af7183fb1d4cf5f';
const PADDED_TRACE = `0000000000000000${TRACE}`;

function zipkin(spans: object[]): ZipkinSpan[] {
  return parseZipkinSpansJson(JSON.stringify(spans));
}

function one(span: object): Span {
  const { spans, rejected, rejectionMessages } = toSpans(zipkin([{ traceId: TRACE, id: '352bff9a74ca9ad2', timestamp: 1712345678901234, ...span }]));
  expect({ rejected, rejectionMessages }).toEqual({ rejected: 0, rejectionMessages: [] });
  return spans[0]!;
}

const attr = (s: Span, key: string) => findAttribute(s.attributes, key);

describe('zipkin toSpans', () => {
  it('converts microseconds to nanosecond strings exactly, beyond 2^53 ns', () => {
    const s = one({ timestamp: 1712345678901234, duration: 207001 });
    expect(s.startTimeUnixNano).toBe('1712345678901234000');
    expect(s.endTimeUnixNano).toBe('1712345679108235000');
    const late = one({ timestamp: 9007199254740991, duration: 9007199254740991 });
    expect(late.startTimeUnixNano).toBe('9007199254740991000');
    expect(late.endTimeUnixNano).toBe('18014398509481982000');
  });

  it('ends a span without or with zero duration where it starts', () => {
    expect(one({}).endTimeUnixNano).toBe('1712345678901234000');
    expect(one({ duration: 0 }).endTimeUnixNano).toBe('1712345678901234000');
  });

  it('left-pads 64-bit trace IDs, pads short IDs and lowercases everything', () => {
    const s = one({ traceId: '5AF7183FB1D4CF5F', id: 'ABC', parentId: '6B221D5BC9E6496C' });
    expect(s.traceId).toBe(PADDED_TRACE);
    expect(s.spanId).toBe('0000000000000abc');
    expect(s.parentSpanId).toBe('6b221d5bc9e6496c');
    expect(one({ traceId: '463ac35c9f6413ad48485a3953bb6124' }).traceId).toBe('463ac35c9f6413ad48485a3953bb6124');
  });

  it('treats a zero parent and a parent equal to the span itself as no parent', () => {
    expect(one({ parentId: '0000000000000000' }).parentSpanId).toBe('');
    expect(one({ parentId: '352bff9a74ca9ad2' }).parentSpanId).toBe('');
  });

  it('maps kinds, absent and unknown kinds to INTERNAL', () => {
    expect(one({ kind: 'CLIENT' }).kind).toBe(SpanKind.CLIENT);
    expect(one({ kind: 'SERVER' }).kind).toBe(SpanKind.SERVER);
    expect(one({ kind: 'PRODUCER' }).kind).toBe(SpanKind.PRODUCER);
    expect(one({ kind: 'consumer' }).kind).toBe(SpanKind.CONSUMER);
    expect(one({}).kind).toBe(SpanKind.INTERNAL);
    expect(one({ kind: 'LOCAL' }).kind).toBe(SpanKind.INTERNAL);
  });

  it('puts the local service and IP on the resource and the endpoints in net.* and peer.service', () => {
    const s = one({
      kind: 'CLIENT',
      localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', ipv6: '2001:db8::1', port: 8080 },
      remoteEndpoint: { serviceName: 'backend', ipv6: '2001:db8::c001', port: 9000 },
    });
    expect(s.serviceName).toBe('frontend');
    expect(s.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'frontend' } },
      { key: 'host.ip', value: { stringValue: '10.0.0.1' } },
    ]);
    expect(s.attributes).toEqual([
      { key: 'net.host.ip', value: { stringValue: '10.0.0.1' } },
      { key: 'net.host.port', value: { intValue: '8080' } },
      { key: 'peer.service', value: { stringValue: 'backend' } },
      { key: 'net.peer.ip', value: { stringValue: '2001:db8::c001' } },
      { key: 'net.peer.port', value: { intValue: '9000' } },
    ]);
  });

  it('uses unknown_service without a local endpoint, and lets explicit tags win over endpoints', () => {
    const s = one({ remoteEndpoint: { serviceName: 'from-endpoint', port: 0 }, tags: { 'peer.service': 'from-tag' } });
    expect(s.serviceName).toBe('unknown_service');
    expect(s.resource.attributes).toEqual([]);
    expect(s.attributes).toEqual([{ key: 'peer.service', value: { stringValue: 'from-tag' } }]);
  });

  it('keeps tags as string attributes and moves resource-namespace tags to the resource', () => {
    const s = one({
      localEndpoint: { serviceName: 'api' },
      tags: { 'http.method': 'GET', 'http.status_code': '200', 'service.name': 'api', 'service.version': '1.2.3', 'host.name': 'h1', 'telemetry.sdk.language': 'go' },
    });
    expect(s.attributes).toEqual([
      { key: 'http.method', value: { stringValue: 'GET' } },
      { key: 'http.status_code', value: { stringValue: '200' } },
    ]);
    expect(s.resource.attributes.map((kv) => kv.key)).toEqual(['service.name', 'service.version', 'host.name', 'telemetry.sdk.language']);
  });

  it('shares one resource and one scope object between spans of the same process', () => {
    const { spans } = toSpans(zipkin([1, 2, 3].map((i) => ({ traceId: TRACE, id: `${i}`, timestamp: 1, localEndpoint: { serviceName: i < 3 ? 'a' : 'b' } }))));
    expect(spans[0]!.resource).toBe(spans[1]!.resource);
    expect(spans[0]!.resource).not.toBe(spans[2]!.resource);
    expect(spans[0]!.scope).toBe(spans[2]!.scope);
  });

  it.each([
    [{ error: 'connection refused' }, StatusCode.ERROR, 'connection refused'],
    [{ error: '' }, StatusCode.ERROR, ''],
    [{ error: 'true', 'otel.status_description': 'boom' }, StatusCode.ERROR, 'boom'],
    [{ 'otel.status_code': 'ERROR', error: 'payment declined' }, StatusCode.ERROR, 'payment declined'],
    [{ 'otel.status_code': 'STATUS_CODE_ERROR', 'otel.status_description': 'bad' }, StatusCode.ERROR, 'bad'],
    [{ 'otel.status_code': 'OK' }, StatusCode.OK, ''],
    [{ error: 'false' }, StatusCode.UNSET, ''],
    [{}, StatusCode.UNSET, ''],
  ])('maps status tags %j', (tags, code, message) => {
    const s = one({ tags: { ...tags, keep: 'me' } });
    expect(s.status).toEqual({ code, message });
    expect(s.attributes).toEqual([{ key: 'keep', value: { stringValue: 'me' } }]);
  });

  it('maps otel.scope.* / otel.library.* to the scope and w3c.tracestate to the trace state', () => {
    expect(one({ tags: { 'otel.library.name': 'net/http', 'otel.library.version': '0.1' } }).scope).toMatchObject({ name: 'net/http', version: '0.1' });
    const s = one({ tags: { 'otel.scope.name': 'grpc', 'otel.scope.version': '2', 'otel.library.name': 'old', 'w3c.tracestate': 'vendor=x' } });
    expect(s.scope).toMatchObject({ name: 'grpc', version: '2' });
    expect(s.traceState).toBe('vendor=x');
    expect(s.attributes).toEqual([]);
  });

  it('turns annotations into events, splitting the OpenTelemetry "name: {json}" form', () => {
    const s = one({
      annotations: [
        { timestamp: 1712345678902000, value: 'wr' },
        { timestamp: 1712345678903000, value: 'message: {"message.type":"SENT","message.id":3,"ratio":0.5,"ok":true,"ids":[1,2]}' },
        { timestamp: 1712345678904000, value: 'note: {not json}' },
        { value: 'no time' },
      ],
    });
    expect(s.events).toEqual([
      { timeUnixNano: '1712345678902000000', name: 'wr', attributes: [], droppedAttributesCount: 0 },
      {
        timeUnixNano: '1712345678903000000', name: 'message', droppedAttributesCount: 0,
        attributes: [
          { key: 'message.type', value: { stringValue: 'SENT' } },
          { key: 'message.id', value: { intValue: '3' } },
          { key: 'ratio', value: { doubleValue: 0.5 } },
          { key: 'ok', value: { boolValue: true } },
          { key: 'ids', value: { arrayValue: { values: [{ intValue: '1' }, { intValue: '2' }] } } },
        ],
      },
      { timeUnixNano: '1712345678904000000', name: 'note: {not json}', attributes: [], droppedAttributesCount: 0 },
    ]);
    expect(s.droppedEventsCount).toBe(1);
  });

  it('marks debug spans and sets the sampled flag', () => {
    const s = one({ debug: true });
    expect(attr(s, 'zipkin.debug')).toEqual({ boolValue: true });
    expect(s.flags).toBe(1);
    expect(attr(one({ debug: false }), 'zipkin.debug')).toBeUndefined();
  });

  it('rejects unusable spans one by one with a reason and keeps the rest', () => {
    const good = { traceId: TRACE, id: '1', timestamp: 1 };
    const { spans, rejected, rejectionMessages } = toSpans(zipkin([
      good,
      { ...good, traceId: undefined },
      { ...good, traceId: 'xyz' },
      { ...good, traceId: '0'.repeat(32) },
      { ...good, traceId: '1'.repeat(33) },
      { ...good, id: undefined },
      { ...good, id: '0' },
      { ...good, id: '12345678901234567' },
      { ...good, parentId: 'nope' },
      { ...good, timestamp: undefined },
      { ...good, timestamp: 0, name: 'late' },
    ]));
    expect(spans).toHaveLength(1);
    expect(rejected).toBe(10);
    expect(rejectionMessages).toHaveLength(10);
    expect(rejectionMessages.join('\n')).toMatch(/traceId is missing[^]*traceId "xyz" is not 16 or 32 hex[^]*all zeros[^]*id is missing[^]*id is all zeros[^]*"12345678901234567" is not 16 hex[^]*parentId "nope"[^]*timestamp is missing[^]*"late" \(\[10\]\) rejected: timestamp is missing/);
  });

  describe('shared spans', () => {
    const CLIENT_ID = '352bff9a74ca9ad2';
    const derived = derivedSharedSpanId(PADDED_TRACE, CLIENT_ID);
    const client = { traceId: TRACE, id: CLIENT_ID, parentId: '6b221d5bc9e6496c', kind: 'CLIENT', timestamp: 1000, duration: 500, localEndpoint: { serviceName: 'frontend' } };
    const server = { ...client, kind: 'SERVER', shared: true, timestamp: 1100, duration: 300, localEndpoint: { serviceName: 'backend' } };
    const serverChild = { traceId: TRACE, id: 'aaaaaaaaaaaaaaaa', parentId: CLIENT_ID, timestamp: 1150, duration: 10, localEndpoint: { serviceName: 'backend' } };
    const clientSideChild = { ...serverChild, id: 'bbbbbbbbbbbbbbbb', localEndpoint: { serviceName: 'frontend' } };
    const grandChild = { ...serverChild, id: 'cccccccccccccccc', parentId: 'aaaaaaaaaaaaaaaa' };

    it('derive a stable, valid ID from the trace and the shared ID', () => {
      expect(derived).toMatch(/^[0-9a-f]{16}$/);
      expect(derived).not.toBe(CLIENT_ID);
      expect(derivedSharedSpanId(PADDED_TRACE, CLIENT_ID)).toBe(derived);
      expect(derivedSharedSpanId(PADDED_TRACE, 'aaaaaaaaaaaaaaaa')).not.toBe(derived);
    });

    it('hang the server side under the client span with a derived ID, in any order', () => {
      for (const order of [[client, server], [server, client]]) {
        const { spans } = toSpans(zipkin(order));
        const c = spans.find((s) => s.kind === SpanKind.CLIENT)!;
        const s = spans.find((x) => x.kind === SpanKind.SERVER)!;
        expect(c).toMatchObject({ spanId: CLIENT_ID, parentSpanId: '6b221d5bc9e6496c', serviceName: 'frontend' });
        expect(s).toMatchObject({ spanId: derived, parentSpanId: CLIENT_ID, serviceName: 'backend', startTimeUnixNano: '1100000' });
        expect(attr(s, SHARED_SPAN_ID_ATTRIBUTE)).toEqual({ stringValue: CLIENT_ID });
        expect(attr(c, SHARED_SPAN_ID_ATTRIBUTE)).toBeUndefined();
      }
    });

    it('re-point the server service\'s children from the same upload, not the client service\'s', () => {
      const { spans } = toSpans(zipkin([serverChild, grandChild, clientSideChild, client, server]));
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      expect(byId.get('aaaaaaaaaaaaaaaa')!.parentSpanId).toBe(derived);
      expect(byId.get('cccccccccccccccc')!.parentSpanId).toBe('aaaaaaaaaaaaaaaa');
      expect(byId.get('bbbbbbbbbbbbbbbb')!.parentSpanId).toBe(CLIENT_ID);
      expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
    });

    it('leave children uploaded without their shared parent under the shared (client) ID', () => {
      const first = toSpans(zipkin([serverChild]));
      const second = toSpans(zipkin([server]));
      expect(first.spans[0]!.parentSpanId).toBe(CLIENT_ID);
      expect(second.spans[0]!.spanId).toBe(derived);
    });

    it('give the same result for a 64-bit and a padded 128-bit trace ID', () => {
      const a = toSpans(zipkin([server])).spans[0]!;
      const b = toSpans(zipkin([{ ...server, traceId: PADDED_TRACE }])).spans[0]!;
      expect(a.spanId).toBe(b.spanId);
      expect(a.traceId).toBe(b.traceId);
    });
  });

  it('never throws and only emits storable spans, whatever the decoded input', () => {
    const pick = <T>(xs: readonly T[], b: number): T => xs[b % xs.length]!;
    const ids = ['', '0', '00000000000000000', 'abc', 'ABCDEF0123456789', 'zz', '352bff9a74ca9ad2', '5af7183fb1d4cf5f5af7183fb1d4cf5f', ' 1 '];
    const numbers = [undefined, 0, 1, 1712345678901234, Number.MAX_SAFE_INTEGER];
    const strings = [undefined, '', 'x', 'ERROR', 'true', 'false', 'name: {"a":[1,{"b":2}]}', 'n: {"k":null}', 'n: {'];
    for (let i = 0; i < 2000; i++) {
      const b = randomBytes(24);
      const batch: ZipkinSpan[] = Array.from({ length: 1 + (b[0]! % 4) }, (_, j) => ({
        traceId: pick([undefined, ...ids], b[1 + j]!),
        id: pick([undefined, ...ids], b[5 + j]!),
        parentId: pick([undefined, ...ids], b[9 + j]!),
        name: pick(strings, b[13]!),
        kind: pick([undefined, 'CLIENT', 'SERVER', 'server', '??'], b[14]!),
        timestamp: pick(numbers, b[15]!),
        duration: pick(numbers, b[16]!),
        shared: b[17]! % 2 === 0,
        debug: b[18]! % 3 === 0,
        localEndpoint: pick([undefined, { serviceName: pick(strings, b[19]!), port: 0 }, { ipv6: '::1', port: 65535 }], b[20]!),
        annotations: [{ timestamp: pick(numbers, b[21]!), value: pick(strings, b[22]!) }],
        tags: [['error', pick(strings, b[23]!) ?? 'x'], ['otel.status_code', pick(strings, b[22]!) ?? 'OK']],
      }));
      const { spans, rejected } = toSpans(batch);
      expect(spans.length + rejected).toBe(batch.length);
      for (const s of spans) {
        expect(isValidTraceId(s.traceId) && isValidSpanId(s.spanId)).toBe(true);
        expect(s.parentSpanId === '' || isValidSpanId(s.parentSpanId)).toBe(true);
        expect(s.parentSpanId).not.toBe(s.spanId);
        expect(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano)).toBe(true);
      }
    }
  });
});
