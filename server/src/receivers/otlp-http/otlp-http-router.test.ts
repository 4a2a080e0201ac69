import express from 'express';
import request from 'supertest';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { IngestGate } from '../../ingest/ingest-gate.js';
import type { Span } from '@threadline/shared';
import { IngestRejectedError, type IngestQueue } from '../../ingest/ingest-queue.js';
import { createOtlpHttpRouter } from './otlp-http-router.js';

const validJson = JSON.stringify({
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
    scopeSpans: [{ scope: { name: 's' }, spans: [{ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', name: 'op', kind: 2, startTimeUnixNano: '1712345678901234567', endTimeUnixNano: '1712345678911234567' }] }],
  }],
});

function appWith(submit: (spans: readonly Span[]) => Promise<void>, gate = IngestGate.open(pino({ level: 'silent' }))) {
  const app = express();
  app.use(createOtlpHttpRouter({ queue: { submit }, gate, logger: pino({ level: 'silent' }), maxBodyBytes: 4 * 1024 * 1024 }));
  return app;
}

describe('OTLP/HTTP router backpressure', () => {
  it('answers 429 with Retry-After when the queue is full', async () => {
    const app = appWith(() => Promise.reject(new IngestRejectedError('queue_full', 'ingest queue is full', 1)));
    const res = await request(app).post('/v1/traces').set('content-type', 'application/json').send(validJson);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toMatchObject({ code: 8, message: expect.stringMatching(/full/) });
  });

  it('refuses before reading, keeping the connection for an exporter batch and closing it after a bigger body', async () => {
    const full = IngestGate.open(pino({ level: 'silent' }), { hasRoomFor: () => false });
    const app = appWith(() => Promise.reject(new Error('refused before the body is read: never submitted')), full);
    const batch = await request(app).post('/v1/traces').set('content-type', 'application/x-protobuf').set('connection', 'keep-alive').send(Buffer.alloc(150_000));
    expect([batch.status, batch.headers['retry-after'], batch.headers.connection]).toEqual([429, '1', 'keep-alive']);
    const big = await request(app).post('/v1/traces').set('content-type', 'application/x-protobuf').set('connection', 'keep-alive').send(Buffer.alloc(2 * 1024 * 1024));
    expect([big.status, big.headers.connection]).toEqual([429, 'close']);
  });

  it('answers 503 with Retry-After while shutting down or when the store fails', async () => {
    for (const err of [new IngestRejectedError('shutting_down', 'shutting down', 5), new Error('SQLITE_FULL')]) {
      const res = await request(appWith(() => Promise.reject(err))).post('/v1/traces').set('content-type', 'application/json').send(validJson);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.body.code).toBe(14);
      expect(res.body.message).not.toMatch(/SQLITE/);
    }
  });

  it('does not answer before the queue has committed the spans', async () => {
    let commit!: () => void;
    let got: readonly Span[] = [];
    const app = appWith((spans) => {
      got = spans;
      return new Promise<void>((r) => (commit = r));
    });
    let answered = false;
    const pending = request(app).post('/v1/traces').set('content-type', 'application/json').send(validJson).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    expect(got.map((s) => s.spanId)).toEqual(['00f067aa0ba902b7']);
    commit();
    expect((await pending).status).toBe(200);
  });
});

describe('OTLP/HTTP response Content-Type', () => {
  const accept = () => Promise.resolve();
  // otlptracehttp (Go) compares the whole header: "application/json; charset=utf-8" hides partial success.
  it('is the bare media type of the request, for answers and errors alike', async () => {
    const json = await request(appWith(accept)).post('/v1/traces').set('content-type', 'application/json; charset=utf-8').send(validJson);
    expect([json.status, json.headers['content-type']]).toEqual([200, 'application/json']);
    const proto = await request(appWith(accept)).post('/v1/traces').set('content-type', 'application/x-protobuf').send(Buffer.alloc(0));
    expect([proto.status, proto.headers['content-type']]).toEqual([200, 'application/x-protobuf']);
    const bad = await request(appWith(accept)).post('/v1/traces').set('content-type', 'application/json').send('{"resourceSpans":[');
    expect([bad.status, bad.headers['content-type']]).toEqual([400, 'application/json']);
    const full = await request(appWith(() => Promise.reject(new IngestRejectedError('queue_full', 'full', 1)))).post('/v1/traces').set('content-type', 'application/x-protobuf').send(Buffer.alloc(0));
    expect([full.status, full.headers['content-type']]).toEqual([429, 'application/x-protobuf']);
  });
});
