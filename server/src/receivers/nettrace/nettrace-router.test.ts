import { gzipSync } from 'node:zlib';
import express from 'express';
import request from 'supertest';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { IngestGate } from '../../ingest/ingest-gate.js';
import { errorMiddleware } from '../../error-middleware.js';
import type { NettraceBatch } from '../../store/span-store.js';
import { REDACTED } from './nettrace-normalize.js';
import { createNettraceRouter } from './nettrace-router.js';
import { NettraceWriteQueue } from './nettrace-write-queue.js';
import { GO_UPLOADS } from './test-support/go-payloads.js';

const logger = pino({ level: 'silent' });

/** A store whose writes complete only when the test says so (or at once, when not gated). */
function gatedStore(gated = false) {
  const writes: Array<{ batch: NettraceBatch; commit(): void; fail(e: Error): void }> = [];
  const store = {
    writeNettrace: (batch: NettraceBatch) =>
      new Promise<void>((resolve, reject) => {
        writes.push({ batch, commit: resolve, fail: reject });
        if (!gated) resolve();
      }),
  };
  return { store, writes };
}

function appWith(options: { gated?: boolean; keepSensitive?: boolean; maxBodyBytes?: number; maxQueuedRecords?: number } = {}) {
  const { store, writes } = gatedStore(options.gated);
  const app = express();
  const nettraceQueue = new NettraceWriteQueue(store, { maxQueuedRecords: options.maxQueuedRecords ?? 1000 });
  app.use(createNettraceRouter({ nettraceQueue, gate: IngestGate.open(logger), logger, maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024, keepSensitive: options.keepSensitive ?? false }));
  app.use(errorMiddleware(logger));
  return { app, writes };
}

// superagent would JSON-encode a Buffer sent as application/json; the bytes must go as they are.
// The request is sent right away (a supertest request only starts once something awaits it).
const post = (app: express.Express, payload: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  request(app).post('/v1/nettrace').set(headers).serialize((bytes) => bytes as string).send(payload).then((res) => res);

const tick = () => new Promise((r) => setImmediate(r));

describe('net/trace router', () => {
  it('answers 200 with the record count once the batch is written, as the Go bridge sends it (gzip)', async () => {
    const { app, writes } = appWith();
    const res = await post(app, gzipSync(GO_UPLOADS[0]!), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ acceptedRecords: 3 });
    expect(writes).toHaveLength(1);
    expect(writes[0]!.batch.requests).toHaveLength(2);
    expect(writes[0]!.batch.requests[0]!.events[1]!.message).toBe(REDACTED);
  });

  it('passes --keep-sensitive through to the normalizer', async () => {
    const { app, writes } = appWith({ keepSensitive: true });
    expect((await post(app, GO_UPLOADS[0]!)).status).toBe(200);
    expect(writes[0]!.batch.requests[0]!.events[1]!.message).toBe('token=s3cr3t');
  });

  it('does not answer before the store commits', async () => {
    const { app, writes } = appWith({ gated: true });
    let answered = false;
    const pending = post(app, GO_UPLOADS[1]!).finally(() => {
      answered = true;
    });
    while (writes.length === 0) await tick();
    expect(answered).toBe(false);
    writes[0]!.commit();
    expect((await pending).status).toBe(200);
  });

  it('answers a malformed upload with 400 naming the path, and writes nothing', async () => {
    const { app, writes } = appWith();
    const res = await post(app, '{"records":[{"type":"trace","recordId":"a","seq":"1","startTimeUnixNano":"1"}]}');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed_request');
    expect(res.body.error.message).toMatch(/^malformed net\/trace JSON: \$\.records\[0\]\.seq: /);
    expect((await post(app, '{"records": [')).status).toBe(400);
    expect(writes).toHaveLength(0);
  });

  it('answers a corrupt gzip stream with 400', async () => {
    const { app } = appWith();
    const res = await post(app, Buffer.from('not gzip at all'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_encoding');
  });

  it('answers 413 past the cap, measured after decompression', async () => {
    const { app, writes } = appWith({ maxBodyBytes: 4096 });
    const big = JSON.stringify({ records: [{ type: 'trace', recordId: 'a', seq: 1, startTimeUnixNano: '1', title: 'x'.repeat(10_000) }] });
    const zipped = gzipSync(big);
    expect(zipped.length).toBeLessThan(4096);
    const res = await post(app, zipped, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(writes).toHaveLength(0);
  });

  it('answers 415 to other content types, a missing one included', async () => {
    const { app } = appWith();
    expect((await post(app, GO_UPLOADS[0]!, { 'content-type': 'application/x-protobuf' })).status).toBe(415);
    expect((await post(app, GO_UPLOADS[0]!, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(app, GO_UPLOADS[0]!, {})).status).toBe(415);
    expect((await post(app, GO_UPLOADS[0]!, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('answers 429 with Retry-After while too many records wait, and takes uploads again after', async () => {
    const { app, writes } = appWith({ gated: true, maxQueuedRecords: 4 });
    const first = post(app, GO_UPLOADS[0]!);
    while (writes.length === 0) await tick();
    const refused = await post(app, GO_UPLOADS[0]!);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body.error.code).toBe('queue_full');
    writes[0]!.commit();
    expect((await first).status).toBe(200);
    const again = post(app, GO_UPLOADS[0]!);
    while (writes.length === 1) await tick();
    writes[1]!.commit();
    expect((await again).status).toBe(200);
  });

  it('answers 503 with Retry-After when the store fails', async () => {
    const { app, writes } = appWith({ gated: true });
    const pending = post(app, GO_UPLOADS[1]!);
    while (writes.length === 0) await tick();
    writes[0]!.fail(new Error('disk full'));
    const res = await pending;
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
  });

  it('answers 200 to an upload with no records without touching the store', async () => {
    const { app, writes } = appWith();
    const res = await post(app, '{"records":[]}');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ acceptedRecords: 0 });
    expect(writes).toHaveLength(0);
  });

  it('answers other methods with 405 and Allow', async () => {
    const { app } = appWith();
    const res = await request(app).get('/v1/nettrace');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });
});
