import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JaegerResponse, JaegerTrace } from '@threadline/shared';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';
import { decodeProtobufResponse, jsonPayload, protobufPayload, recordSpans } from '../support/otlp-payloads.js';

const PROTO = 'application/x-protobuf';

async function post(url: string, body: Uint8Array | string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe('OTLP/HTTP ingest', () => {
  let server: TestServer;
  let storedTraceId: string;
  let storedSpanCount: number;

  const tracesUrl = () => `${server.otlpHttp}/v1/traces`;
  const stillStored = async () => {
    const { status, body } = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${storedTraceId}`);
    expect(status).toBe(200);
    expect(body.data[0]!.spans).toHaveLength(storedSpanCount);
  };

  beforeAll(async () => {
    server = await startTestServer();
    const spans = recordSpans(40);
    storedTraceId = spans[0]!.spanContext().traceId;
    storedSpanCount = spans.length;
    const res = await post(tracesUrl(), protobufPayload(spans), { 'content-type': PROTO });
    expect(res.status).toBe(200);
  });
  afterAll(async () => server?.stop());

  it('answers protobuf with an empty ExportTraceServiceResponse in protobuf', async () => {
    const res = await post(tracesUrl(), protobufPayload(recordSpans(3)), { 'content-type': PROTO });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-protobuf/);
    expect(decodeProtobufResponse(res.bytes).partialSuccess?.rejectedSpans ?? 0).toBe(0);
    await stillStored();
  });

  it('accepts JSON and answers JSON, on both the OTLP port and the main port', async () => {
    for (const base of [server.otlpHttp, server.http]) {
      const spans = recordSpans(5, 'json-svc');
      const res = await post(`${base}/v1/traces`, jsonPayload(spans), { 'content-type': 'application/json' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const got = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${spans[0]!.spanContext().traceId}`);
      expect(got.body.data[0]!.spans).toHaveLength(5);
    }
  });

  it('accepts gzip', async () => {
    const spans = recordSpans(7);
    const res = await post(tracesUrl(), gzipSync(protobufPayload(spans)), { 'content-type': PROTO, 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    const got = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${spans[0]!.spanContext().traceId}`);
    expect(got.body.data[0]!.spans).toHaveLength(7);
  });

  it('rejects a malformed protobuf with 400 and a google.rpc.Status', async () => {
    const res = await post(tracesUrl(), new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': PROTO });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-protobuf/);
    expect(Buffer.from(res.bytes).toString('latin1')).toMatch(/length|truncated|past the end|offset/i);
    await stillStored();
  });

  it('rejects malformed JSON with 400 and a JSON Status naming the problem', async () => {
    const res = await post(tracesUrl(), '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":{}}]}]}]}', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    const status = JSON.parse(Buffer.from(res.bytes).toString());
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/startTimeUnixNano/);
    const notJson = await post(tracesUrl(), '{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    await stillStored();
  });

  it('rejects a truncated gzip body with 400', async () => {
    const gz = gzipSync(protobufPayload(recordSpans(20)));
    const res = await post(tracesUrl(), gz.subarray(0, gz.length - 12), { 'content-type': PROTO, 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(Buffer.from(res.bytes).toString('latin1')).toMatch(/gzip/);
    await stillStored();
  });

  it('rejects a 25 MiB body with 413, and a gzip bomb that inflates past the cap', async () => {
    const big = new Uint8Array(25 * 1024 * 1024);
    const res = await post(tracesUrl(), big, { 'content-type': PROTO });
    expect(res.status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(30 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const res2 = await post(tracesUrl(), bomb, { 'content-type': PROTO, 'content-encoding': 'gzip' });
    expect(res2.status).toBe(413);
    expect(Buffer.from(res2.bytes).toString('latin1')).toMatch(/after decompression/);
    await stillStored();
  });

  it('rejects text/plain with 415 and an unknown encoding with 415', async () => {
    const res = await post(tracesUrl(), 'hello', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(JSON.parse(Buffer.from(res.bytes).toString()).message).toMatch(/application\/x-protobuf/);
    const br = await post(tracesUrl(), protobufPayload(recordSpans(2)), { 'content-type': PROTO, 'content-encoding': 'br' });
    expect(br.status).toBe(415);
    await stillStored();
  });

  it('rejects invalid spans one by one and stores the rest (partial success)', async () => {
    const spans = recordSpans(4, 'partial');
    const json = JSON.parse(Buffer.from(jsonPayload(spans)).toString());
    const list = json.resourceSpans[0].scopeSpans[0].spans;
    list[0].spanId = 'abcd'; // wrong length
    list[1].endTimeUnixNano = '1'; // ends before it starts
    const res = await post(tracesUrl(), JSON.stringify(json), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const body = JSON.parse(Buffer.from(res.bytes).toString());
    expect(Number(body.partialSuccess.rejectedSpans)).toBe(2);
    expect(body.partialSuccess.errorMessage).toMatch(/span/i);
    const got = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${list[2].traceId}`);
    expect(got.body.data[0]!.spans).toHaveLength(2);
  });

  it('answers 404 for other paths and 405-ish for GET on the ingest route', async () => {
    const res = await fetch(`${server.otlpHttp}/v1/nope`, { method: 'POST' });
    expect(res.status).toBe(404);
    const get = await fetch(tracesUrl());
    expect(get.status).toBe(405);
  });
});
