import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBrotliDecompress } from 'node:zlib';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createJaegerRouter } from '../jaeger-api/jaeger-router.js';
import { MemoryStore } from '../test-support/memory-store.js';
import { ALL_SAMPLE_SPANS, TRACE_A_SPANS, TRACE_B_SPANS, TRACE_C } from '../test-support/sample-traces.js';
import { buildSpan, TRACE_A, TRACE_B } from '../test-support/span-builder.js';
import { RecordingLogger } from '../test-support/test-logger.js';
import { apiCompression } from '../api-compression.js';
import { buildCompactTrace } from './compact-trace.js';
import { createV1Router } from './v1-router.js';

let store: MemoryStore;
let logger: RecordingLogger;
let app: express.Express;

beforeEach(() => {
  store = new MemoryStore(ALL_SAMPLE_SPANS);
  logger = new RecordingLogger();
  app = express();
  // Mounted as app.ts does: v1 first, then the Jaeger router and its /api catch-all.
  app.use('/api/v1', createV1Router(store, { logger }));
  app.use('/api', createJaegerRouter(store, { logger }));
});

const error = (code: string, message: string) => ({ error: { code, message } });

describe('GET /api/v1/traces/:traceId', () => {
  it('returns the stored spans as they are, nanoseconds as decimal strings', async () => {
    const res = await request(app).get(`/api/v1/traces/${TRACE_A}`).expect(200).expect('content-type', /json/);
    expect(res.body).toEqual({ traceId: TRACE_A, spans: TRACE_A_SPANS });
    expect(res.body.spans[0].startTimeUnixNano).toBe('1712345678000000000');
  });

  it('answers ?format=compact or the compact media type in Accept with the compact format, and varies on Accept', async () => {
    for (const ask of [(r: request.Test) => r.query({ format: 'compact' }), (r: request.Test) => r.set('Accept', 'application/vnd.threadline.trace-compact+json')]) {
      const res = await ask(request(app).get(`/api/v1/traces/${TRACE_A}`)).expect(200).expect('content-type', /application\/vnd\.threadline\.trace-compact\+json/);
      expect(res.headers.vary).toMatch(/Accept/);
      const body = JSON.parse(res.text);
      expect(body).toEqual(JSON.parse(JSON.stringify(buildCompactTrace(TRACE_A, TRACE_A_SPANS))));
      expect(body.spans).toHaveLength(TRACE_A_SPANS.length);
    }
    await request(app).get('/api/v1/traces/ffffffffffffffffffffffffffffffff?format=compact').expect(404);
  });

  it('answers ?format=compact-3 with the attribute-table format, and only that parameter', async () => {
    const res = await request(app).get(`/api/v1/traces/${TRACE_A}?format=compact-3`).expect(200).expect('content-type', /application\/vnd\.threadline\.trace-compact\+json/);
    expect(JSON.parse(res.text)).toEqual(JSON.parse(JSON.stringify(buildCompactTrace(TRACE_A, TRACE_A_SPANS, 'compact-3'))));
    expect(JSON.parse(res.text).format).toBe('compact-3');
    const v2 = await request(app).get(`/api/v1/traces/${TRACE_A}`).set('Accept', 'application/vnd.threadline.trace-compact+json').expect(200);
    expect(JSON.parse(v2.text).format).toBe('compact-2');
    await request(app).get('/api/v1/traces/ffffffffffffffffffffffffffffffff?format=compact-3').expect(404);
  });

  it('streams a big compact trace through response compression intact', async () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      buildSpan({ traceId: TRACE_B, spanId: (i + 1).toString(16).padStart(16, '0'), startTimeUnixNano: `${1712345678000000000n + BigInt(i)}` }),
    );
    const compressed = express().use(apiCompression()).use('/api/v1', createV1Router(new MemoryStore(many), { logger }));
    for (const encoding of ['gzip', 'br']) {
      // Through a proxy: a client on this machine would get the answer uncompressed (api-compression.ts).
      const res = await request(compressed).get(`/api/v1/traces/${TRACE_B}?format=compact`).set('Accept-Encoding', encoding).set('X-Forwarded-For', '203.0.113.9').expect(200);
      expect(res.headers['content-encoding']).toBe(encoding);
      expect(JSON.parse(res.text)).toEqual(JSON.parse(JSON.stringify(buildCompactTrace(TRACE_B, many))));
    }
    // Straight from this machine: uncompressed (api-compression.ts), the same document.
    const local = await request(compressed).get(`/api/v1/traces/${TRACE_B}?format=compact`).set('Accept-Encoding', 'br, gzip').expect(200);
    expect(local.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(local.text)).toEqual(JSON.parse(JSON.stringify(buildCompactTrace(TRACE_B, many))));
  });

  it('sends each compressed page of a compact trace before the store reads the next', async () => {
    // Brotli held the first megabytes of an answer before writing any: the browser's
    // decoder had nothing to do for the first ~0.5 s of a 100k-span trace.
    const first = Array.from({ length: 50 }, (_, i) => buildSpan({ traceId: TRACE_B, spanId: (i + 1).toString(16).padStart(16, '0'), name: `first-page-${i}` }));
    const last = buildSpan({ traceId: TRACE_B, spanId: 'ff'.repeat(8), name: 'last-page' });
    let releaseLast!: () => void;
    const lastAsked = new Promise<void>((resolve) => (releaseLast = resolve));
    const held = Object.assign(new MemoryStore([]), {
      async *streamTrace() {
        yield first;
        await lastAsked;
        yield [last];
      },
    });
    const server = http.createServer(express().use(apiCompression()).use('/api/v1', createV1Router(held, { logger })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const text = await new Promise<string>((resolve, reject) => {
        http.get({ port, host: '127.0.0.1', path: `/api/v1/traces/${TRACE_B}?format=compact-3`, headers: { 'accept-encoding': 'br', 'x-forwarded-for': '203.0.113.9' } }, (res) => {
          expect(res.headers['content-encoding']).toBe('br');
          let decoded = '';
          res.pipe(createBrotliDecompress()).on('data', (piece: Buffer) => {
            decoded += piece.toString();
            if (decoded.includes('first-page-49')) releaseLast();
          }).on('end', () => resolve(decoded)).on('error', reject);
        }).on('error', reject);
      });
      expect(JSON.parse(text).spans).toHaveLength(51);
      expect(text.indexOf('last-page')).toBeGreaterThan(text.indexOf('first-page-49'));
    } finally {
      releaseLast();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 10_000);

  it('normalizes uppercase and 64-bit IDs', async () => {
    await request(app).get(`/api/v1/traces/${TRACE_B.toUpperCase()}`).expect(200);
    const res = await request(app).get('/api/v1/traces/a3ce929d0e0e4736').expect(200);
    expect(res.body.traceId).toBe(TRACE_C);
  });

  it('answers an unknown trace with 404', async () => {
    const res = await request(app).get('/api/v1/traces/ffffffffffffffffffffffffffffffff').expect(404);
    expect(res.body).toEqual(error('not_found', 'trace ffffffffffffffffffffffffffffffff not found'));
  });

  it('answers an invalid ID with 400', async () => {
    const res = await request(app).get('/api/v1/traces/xyz').expect(400);
    expect(res.body).toEqual(error('invalid_trace_id', 'invalid trace ID "xyz": expected 1 to 32 hex digits, not all zero'));
  });
});

describe('GET /api/v1/services', () => {
  it('lists services', async () => {
    const res = await request(app).get('/api/v1/services').expect(200);
    expect(res.body).toEqual({ services: ['backend', 'frontend', 'legacy'] });
  });

  it('lists operations with span kinds, optionally narrowed', async () => {
    const all = await request(app).get('/api/v1/services/frontend/operations').expect(200);
    expect(all.body).toEqual({
      operations: [
        { name: 'GET /orders', spanKind: 'server' },
        { name: 'orders.Get', spanKind: 'client' },
      ],
    });
    const servers = await request(app).get('/api/v1/services/frontend/operations?spanKind=server').expect(200);
    expect(servers.body).toEqual({ operations: [{ name: 'GET /orders', spanKind: 'server' }] });
  });

  it('rejects an unknown span kind', async () => {
    const res = await request(app).get('/api/v1/services/frontend/operations?spanKind=SERVER').expect(400);
    expect(res.body.error.code).toBe('bad_request');
  });
});

describe('GET /api/v1/search', () => {
  it('returns trace summaries, most recent first, times as decimal strings', async () => {
    const res = await request(app).get('/api/v1/search?service=backend').expect(200);
    expect(res.body).toEqual({
      traces: [
        {
          traceId: TRACE_B,
          rootService: 'backend',
          rootOperation: 'cleanup',
          startTimeUnixNano: '1712345679000000000',
          durationNano: '5000000',
          spanCount: 1,
          errorCount: 0,
          services: ['backend'],
        },
        {
          traceId: TRACE_A,
          rootService: 'frontend',
          rootOperation: 'GET /orders',
          startTimeUnixNano: '1712345678000000000',
          durationNano: '300000000',
          spanCount: 3,
          errorCount: 1,
          services: ['backend', 'frontend'],
        },
      ],
    });
  });

  it('passes the filters to the store', async () => {
    await request(app)
      .get('/api/v1/search?service=frontend&operation=GET%20%2Forders&tags=http.method=GET&tag=http.status_code=500&start=1&end=2&minDuration=1ms&limit=3')
      .expect(200);
    expect(store.traceQueries).toEqual([
      {
        service: 'frontend',
        operation: 'GET /orders',
        tags: [
          { key: 'http.method', value: 'GET' },
          { key: 'http.status_code', value: '500' },
        ],
        startNs: 1n,
        endNs: 2n,
        minDurationNs: 1_000_000n,
        limit: 3,
      },
    ]);
  });

  it('keeps only traces with errors when errorsOnly=true, asking the store for more to fill the page', async () => {
    const res = await request(app).get('/api/v1/search?service=backend&errorsOnly=true&limit=1').expect(200);
    expect(res.body.traces.map((t: { traceId: string }) => t.traceId)).toEqual([TRACE_A]);
    expect(store.traceQueries[0]?.limit).toBe(10);
  });

  it('trims an over-fetched errorsOnly result to the limit', async () => {
    const failing = (n: number) =>
      buildSpan({
        traceId: `${n}`.padStart(32, 'e'),
        spanId: `${n}`.padStart(16, 'e'),
        serviceName: 'backend',
        status: { code: 2, message: '' },
        startTimeUnixNano: `17123456800000000${n}0`,
        endTimeUnixNano: `17123456800000000${n}9`,
      });
    await store.writeBatch([failing(1), failing(2), failing(3)]);
    const res = await request(app).get('/api/v1/search?errorsOnly=true&limit=2').expect(200);
    expect(res.body.traces.map((t: { traceId: string }) => t.traceId)).toEqual([
      `${3}`.padStart(32, 'e'),
      `${2}`.padStart(32, 'e'),
    ]);
  });

  it('skips a trace whose summary is gone by the time it is read', async () => {
    store.getTraceSummaries = (ids) => new MemoryStore(TRACE_B_SPANS).getTraceSummaries(ids);
    const res = await request(app).get('/api/v1/search?service=backend').expect(200);
    expect(res.body.traces.map((t: { traceId: string }) => t.traceId)).toEqual([TRACE_B]);
  });

  it('answers bad parameters with 400 naming the parameter', async () => {
    const res = await request(app).get('/api/v1/search?maxDuration=soon').expect(400);
    expect(res.body).toEqual(
      error('bad_request', 'invalid maxDuration "soon": expected a number; expected a Go duration like 1.2s or 300ms'),
    );
  });
});

describe('errors', () => {
  it('answers an unknown path under /api/v1 in the v1 shape, not Jaeger\'s', async () => {
    const res = await request(app).get('/api/v1/nope').expect(404);
    expect(res.body).toEqual(error('not_found', 'no API endpoint GET /api/v1/nope'));
  });

  it('leaves the rest of /api to the Jaeger router', async () => {
    const res = await request(app).get('/api/services').expect(200);
    expect(res.body.total).toBe(3);
  });

  it('hides internal errors behind a generic 500 and logs them', async () => {
    store.findTraceIds = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'rows')");
    };
    const res = await request(app).get('/api/v1/search').expect(500);
    expect(res.body).toEqual(error('internal', 'internal server error'));
    expect(logger.entries).toHaveLength(1);
  });
});
