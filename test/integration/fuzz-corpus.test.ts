import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JaegerResponse, JaegerTrace } from '@threadline/shared';
import { nastiestCases } from '../reliability/fuzz-cases.js';
import { sendCase } from '../reliability/fuzz-sender.js';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';
import { protobufPayload, recordSpans } from '../support/otlp-payloads.js';

/**
 * The fuzz script's seed corpus (test/reliability/fuzz-cases.ts): the nastiest inputs
 * found or built for every receiver and query parameter, plus 300 seeded mutations. None
 * may get a server fault, and what was stored before must come back intact.
 */
describe('fuzz seed corpus', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('answers every case without a server fault, and keeps earlier traces intact', async () => {
    const control = recordSpans(5, 'fuzz-control');
    expect((await fetch(`${server.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(protobufPayload(control)) })).status).toBe(200);

    const urls = { http: server.http, otlpHttp: server.otlpHttp, zipkin: server.zipkin, grpc: server.otlpGrpc };
    const faults: string[] = [];
    for (const c of nastiestCases()) {
      const outcome = await sendCase(c, urls);
      if (outcome.fault) faults.push(`${c.name}: ${outcome.status}`);
    }
    expect(faults).toEqual([]);

    const traceId = control[0]!.spanContext().traceId;
    const { status, body } = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${traceId}`);
    expect(status).toBe(200);
    expect(body.data[0]!.spans).toHaveLength(5);
  });
});
