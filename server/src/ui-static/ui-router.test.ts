import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUiRouter } from './ui-router.js';

describe('UI static files', () => {
  let dir: string;
  let app: express.Express;
  const script = `export const rows = [${Array.from({ length: 400 }, (_, i) => `"row ${i}"`).join(',')}];\n`;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-ui-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), `<!doctype html><title>Threadline</title>${'<!-- padding -->'.repeat(100)}`);
    writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), script);
    app = express().use(createUiRouter(dir));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sends assets brotli- or gzip-compressed as the browser accepts, and plain otherwise', async () => {
    const br = await request(app).get('/assets/index-abc123.js').set('Accept-Encoding', 'br').expect(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toContain('immutable');
    const gzip = await request(app).get('/assets/index-abc123.js').set('Accept-Encoding', 'gzip').expect(200);
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.text).toBe(script);
    const plain = await request(app).get('/assets/index-abc123.js').set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe(script);
    expect(plain.headers['cache-control']).toBe(br.headers['cache-control']);
  });

  it('sends brotli to a browser that takes it among others, and never an encoding it refuses', async () => {
    const chromium = await request(app).get('/assets/index-abc123.js').set('Accept-Encoding', 'gzip, deflate, br, zstd').expect(200);
    expect(chromium.headers['content-encoding']).toBe('br');
    expect(chromium.headers['vary']).toContain('Accept-Encoding');
    expect(chromium.headers['content-type']).toContain('javascript');
    const noBrotli = await request(app).get('/assets/index-abc123.js').set('Accept-Encoding', 'br;q=0, gzip').expect(200);
    expect(noBrotli.headers['content-encoding']).toBe('gzip');
    const head = await request(app).head('/assets/index-abc123.js').set('Accept-Encoding', 'br').expect(200);
    expect(head.headers['content-length']).toBe(chromium.headers['content-length']);
    await request(app).get('/assets/missing-abc.js').set('Accept-Encoding', 'br').expect(404);
  });

  it('compresses each asset once, and serves what it kept', async () => {
    const first = await request(app).get('/assets/index-abc123.js').set('Accept-Encoding', 'gzip').expect(200);
    writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'changed on disk (a hashed name never is)');
    const again = await request(app).get('/assets/index-abc123.js').set('Accept-Encoding', 'gzip').expect(200);
    expect(again.text).toBe(first.text);
    expect(again.text).toBe(script);
  });

  it('compresses the index.html of client routes too', async () => {
    const res = await request(app).get('/trace/abc').set('Accept', 'text/html').set('Accept-Encoding', 'gzip').expect(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.text).toContain('<title>Threadline</title>');
  });
});
