import { describe, expect, it } from 'vitest';
import express from 'express';
import request from 'supertest';
import { LOCAL_UNCOMPRESSED_BYTES, apiCompression, isLocalClient, uncompressedForLocalClient } from './api-compression.js';

describe('isLocalClient', () => {
  it('is a loopback address with no proxy in between', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLocalClient(address, {})).toBe(true);
    for (const address of ['10.0.0.7', '192.168.1.2', '::ffff:10.0.0.7', 'fe80::1', '1127.0.0.1', '127.0.0.1.evil', undefined]) expect(isLocalClient(address, {})).toBe(false);
    expect(isLocalClient('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).toBe(false);
    expect(isLocalClient('::1', { forwarded: 'for=203.0.113.9' })).toBe(false);
  });
});

describe('apiCompression', () => {
  const answer = (traces: number) => JSON.stringify({ data: Array.from({ length: traces }, (_, i) => ({ traceID: i.toString(16).padStart(32, '0') })) });
  const body = answer(500);
  const big = answer(2000);
  const app = express()
    .use(apiCompression())
    .get('/api/streamed', (_req, res) => {
      uncompressedForLocalClient(res);
      res.type('json').send(body);
    })
    .get('/api/other', (_req, res) => res.type('json').send(body))
    .get('/api/big', (_req, res) => res.type('json').send(big))
    .get('/api/written', (_req, res) => {
      res.type('json');
      res.write(body.slice(0, 100));
      res.end(body.slice(100));
    });

  it('sends a short answer uncompressed to a client on this machine, and compresses it for a remote one', async () => {
    expect(Buffer.byteLength(body)).toBeLessThan(LOCAL_UNCOMPRESSED_BYTES);
    for (const encoding of ['br', 'gzip']) {
      const local = await request(app).get('/api/other').set('Accept-Encoding', encoding);
      expect(local.headers['content-encoding']).toBeUndefined();
      expect(local.text).toBe(body);
      const proxied = await request(app).get('/api/other').set('Accept-Encoding', encoding).set('Forwarded', 'for=203.0.113.9');
      expect(proxied.headers['content-encoding']).toBe(encoding);
      expect(proxied.text).toBe(body);
    }
  });

  it('compresses a long answer, or one of unknown length, for a client on this machine too', async () => {
    expect(Buffer.byteLength(big)).toBeGreaterThanOrEqual(LOCAL_UNCOMPRESSED_BYTES);
    for (const [path, text] of [['/api/big', big], ['/api/written', body]] as const) {
      const res = await request(app).get(path).set('Accept-Encoding', 'gzip');
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.text).toBe(text);
    }
  });

  it('sends an answer marked for it uncompressed to a client on this machine', async () => {
    const res = await request(app).get('/api/streamed').set('Accept-Encoding', 'br, gzip');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.text).toBe(body);
  });

  it('compresses it for a client behind a proxy, as for any remote one', async () => {
    for (const encoding of ['br', 'gzip']) {
      const proxied = await request(app).get('/api/streamed').set('Accept-Encoding', encoding).set('X-Forwarded-For', '203.0.113.9');
      expect(proxied.headers['content-encoding']).toBe(encoding);
      expect(proxied.text).toBe(body);
    }
  });
});
