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
  });

  it('compresses the index.html of client routes too', async () => {
    const res = await request(app).get('/trace/abc').set('Accept', 'text/html').set('Accept-Encoding', 'gzip').expect(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.text).toContain('<title>Threadline</title>');
  });
});
