import { describe, expect, it } from 'vitest';
import express from 'express';
import request from 'supertest';
import { apiCompression, isLocalClient, uncompressedForLocalClient } from './api-compression.js';

describe('isLocalClient', () => {
  it('is a loopback address with no proxy in between', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLocalClient(address, {})).toBe(true);
    for (const address of ['10.0.0.7', '192.168.1.2', '::ffff:10.0.0.7', 'fe80::1', '1127.0.0.1', '127.0.0.1.evil', undefined]) expect(isLocalClient(address, {})).toBe(false);
    expect(isLocalClient('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).toBe(false);
    expect(isLocalClient('::1', { forwarded: 'for=203.0.113.9' })).toBe(false);
  });
});

describe('apiCompression', () => {
  const body = JSON.stringify({ data: Array.from({ length: 500 }, (_, i) => ({ traceID: i.toString(16).padStart(32, '0') })) });
  const app = express()
    .use(apiCompression())
    .get('/api/streamed', (_req, res) => {
      uncompressedForLocalClient(res);
      res.type('json').send(body);
    })
    .get('/api/other', (_req, res) => res.type('json').send(body));

  it('sends an answer marked for it uncompressed to a client on this machine', async () => {
    const res = await request(app).get('/api/streamed').set('Accept-Encoding', 'br, gzip');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.text).toBe(body);
  });

  it('compresses it for a client behind a proxy, as for any remote one, and every other answer', async () => {
    for (const encoding of ['br', 'gzip']) {
      const proxied = await request(app).get('/api/streamed').set('Accept-Encoding', encoding).set('X-Forwarded-For', '203.0.113.9');
      expect(proxied.headers['content-encoding']).toBe(encoding);
      expect(proxied.text).toBe(body);
      const other = await request(app).get('/api/other').set('Accept-Encoding', encoding);
      expect(other.headers['content-encoding']).toBe(encoding);
      expect(other.text).toBe(body);
    }
  });
});
