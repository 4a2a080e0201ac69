import { gzipSync } from 'node:zlib';
import express from 'express';
import request from 'supertest';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { IngestGate } from '../../ingest/ingest-gate.js';
import type { Span } from '@threadline/shared';
import { errorMiddleware } from '../../error-middleware.js';
import { IngestRejectedError, type IngestQueue } from '../../ingest/ingest-queue.js';
import { createZipkinRouter } from './zipkin-router.js';

const logger = pino({ level: 'silent' });
const span = { traceId: '5af7183fb1d4cf5f', id: '352bff9a74ca9ad2', name: 'get', timestamp: 1712345678901234, duration: 10, localEndpoint: { serviceName: 'svc' } };
const body = JSON.stringify([span]);

function appWith(submit: (spans: readonly Span[]) => Promise<void>, maxBodyBytes = 1024 * 1024) {
  const app = express();
  app.use(createZipkinRouter({ queue: { submit }, gate: IngestGate.open(logger), logger, maxBodyBytes }));
  app.use(errorMiddleware(logger));
  return app;
}

function recording() {
  const batches: Span[][] = [];
  return { batches, app: appWith(async (spans) => void batches.push([...spans])) };
}

// superagent would JSON-encode a Buffer sent as application/json; the bytes must go as they are.
const post = (app: express.Express, payload: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  request(app).post('/api/v2/spans').set(headers).serialize((bytes) => bytes as string).send(payload);

describe('Zipkin router', () => {
  it('answers 202 with no body and submits the spans', async () => {
    const { app, batches } = recording();
    const res = await post(app, body);
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    expect(batches.map((b) => b.map((s) => s.spanId))).toEqual([['352bff9a74ca9ad2']]);
  });

  it('accepts gzip and a charset parameter', async () => {
    const { app, batches } = recording();
    expect((await post(app, gzipSync(body), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(202);
    expect((await post(app, body, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(202);
    expect(batches).toHaveLength(2);
  });

  it('refuses a body without Content-Type: a web page can send one cross-origin without a preflight', async () => {
    const { app, batches } = recording();
    const res = await post(app, Buffer.from(body), {});
    expect(res.status).toBe(415);
    expect(batches).toHaveLength(0);
  });

  it('stores the good spans of a partly bad upload and says how many were dropped', async () => {
    const { app, batches } = recording();
    const res = await post(app, JSON.stringify([span, { ...span, id: 'zz' }, { ...span, timestamp: undefined }]));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ rejectedSpans: 2, message: expect.stringMatching(/"zz" is not 16 hex[^]*timestamp is missing/) });
    expect(batches[0]).toHaveLength(1);
  });

  it('answers 400 when no span could be stored, and for malformed JSON, naming the place', async () => {
    const { app, batches } = recording();
    const none = await post(app, JSON.stringify([{ ...span, traceId: 'x' }]));
    expect(none.status).toBe(400);
    expect(none.body.error).toEqual({ code: 'invalid_spans', message: expect.stringMatching(/all 1 spans were rejected: .*traceId "x"/) });
    const malformed = await post(app, '[{"traceId": 5}]');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toEqual({ code: 'malformed_request', message: expect.stringMatching(/\$\[0\]\.traceId: expected a string/) });
    expect((await post(app, '{')).status).toBe(400);
    expect(batches).toEqual([]);
  });

  it('answers 202 for an empty list without submitting anything', async () => {
    const { app, batches } = recording();
    expect((await post(app, '[]')).status).toBe(202);
    expect(batches.flat()).toEqual([]);
  });

  it('answers 415 for protobuf (saying proto3 is unsupported) and other types', async () => {
    const { app } = recording();
    const proto = await post(app, 'x', { 'content-type': 'application/x-protobuf' });
    expect(proto.status).toBe(415);
    expect(proto.body.error.message).toMatch(/proto3 .*not supported/);
    const thrift = await post(app, 'x', { 'content-type': 'application/x-thrift' });
    expect(thrift.status).toBe(415);
    expect(thrift.body.error.message).toMatch(/application\/json/);
  });

  it('answers 413 above the body cap, measured after decompression', async () => {
    const { app } = recording();
    const big = JSON.stringify(Array.from({ length: 200 }, () => span));
    const res = await post(appWith(async () => {}, 1000), gzipSync(big), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect((await post(app, big)).status).toBe(202);
  });

  it('answers 429 / 503 with Retry-After on backpressure and store failure, hiding internals', async () => {
    const full = await post(appWith(() => Promise.reject(new IngestRejectedError('queue_full', 'ingest queue is full', 1))), body);
    expect(full.status).toBe(429);
    expect(full.headers['retry-after']).toBe('1');
    const failed = await post(appWith(() => Promise.reject(new Error('SQLITE_FULL'))), body);
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('5');
    expect(failed.text).not.toMatch(/SQLITE/);
  });

  it('does not answer before the queue has committed the spans', async () => {
    let commit!: () => void;
    const app = appWith(() => new Promise<void>((resolve) => (commit = resolve)));
    let answered = false;
    const pending = post(app, body).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    commit();
    expect((await pending).status).toBe(202);
  });

  it('answers 405 with Allow for other methods', async () => {
    const res = await request(recording().app).get('/api/v2/spans');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });
});
