import request from 'supertest';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Span } from '@threadline/shared';
import { createApp, type AppDeps } from './app.js';
import { AppError } from './app-error.js';
import { IngestQueue } from './ingest/ingest-queue.js';
import { IngestGate } from './ingest/ingest-gate.js';
import { MemoryStore } from './query/test-support/memory-store.js';
import { NettraceWriteQueue } from './receivers/nettrace/nettrace-write-queue.js';
import { buildHostAllowlist } from './access/host-allowlist.js';
import { CONTENT_SECURITY_POLICY } from './access/http-guards.js';
import { UI_TOKEN_COOKIE } from './access/ui-auth.js';
import { foregroundSignal } from './threads/foreground-gate.js';
import { encodeExportTraceRequestProto } from './receivers/otlp/otlp-proto-encoder.js';
import { buildSampleTraceRequest } from './receivers/otlp/otlp-sample-requests.js';

const logger = pino({ level: 'silent' });
const UI_TOKEN = 'ui-token-0123456789abcdef';

/** A store whose writes fail like a full disk until `full` is cleared. */
class FullDiskStore extends MemoryStore {
  full = true;
  override async writeBatch(spans: readonly Span[]): Promise<void> {
    if (this.full) throw new AppError(503, 'store_unavailable', 'spans could not be stored; retry later', { 'Retry-After': '5' });
    return super.writeBatch(spans);
  }
}

function appWith(options: { store?: MemoryStore; uiToken?: string; corsOrigins?: string[]; host?: string; allowedHosts?: string[] } = {}) {
  const store = options.store ?? new MemoryStore();
  const queue = new IngestQueue(store, { maxQueuedSpans: 10_000, maxBatchSpans: 1_000 });
  const deps: AppDeps = {
    store,
    queue,
    logger,
    uiDir: '/nonexistent',
    maxBodyBytes: 1024 * 1024,
    nettraceStore: store as unknown as AppDeps['nettraceStore'],
    nettraceQueue: new NettraceWriteQueue(store as unknown as ConstructorParameters<typeof NettraceWriteQueue>[0], { maxQueuedRecords: 100 }),
    keepSensitive: false,
    gate: IngestGate.open(logger, queue),
    access: { uiToken: options.uiToken ?? '', corsOrigins: options.corsOrigins ?? [], hostAllowed: buildHostAllowlist(options.host ?? '127.0.0.1', options.allowedHosts ?? []), secure: false },
  };
  return { app: createApp(deps), store, queue };
}

const otlpBody = Buffer.from(encodeExportTraceRequestProto(buildSampleTraceRequest({ spans: 3 })));

describe('browser protections on every HTTP listener', () => {
  it('sets a strict CSP, nosniff and a same-origin referrer policy', async () => {
    const res = await request(appWith().app).get('/healthz');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a foreign Host (DNS rebinding) and serves loopback names and IPs', async () => {
    const { app } = appWith();
    expect((await request(app).get('/api/services').set('Host', 'attacker.example')).status).toBe(403);
    expect((await request(app).get('/api/services').set('Host', 'attacker.example:16686')).body.error.code).toBe('host_not_allowed');
    for (const host of ['localhost:16686', '127.0.0.1:16686', '[::1]:16686', 'app.localhost']) {
      expect((await request(app).get('/api/services').set('Host', host)).status, host).toBe(200);
    }
  });

  it('serves listed names with --allowed-hosts, and any name when bound beyond loopback without a list', async () => {
    expect((await request(appWith({ host: '0.0.0.0' }).app).get('/api/services').set('Host', 'tracing.internal')).status).toBe(200);
    const listed = appWith({ host: '0.0.0.0', allowedHosts: ['tracing.internal', '*.corp.example'] }).app;
    expect((await request(listed).get('/api/services').set('Host', 'tracing.internal')).status).toBe(200);
    expect((await request(listed).get('/api/services').set('Host', 'a.corp.example')).status).toBe(200);
    expect((await request(listed).get('/api/services').set('Host', 'attacker.example')).status).toBe(403);
  });

  it('refuses a state-changing request from another origin before reading it, and none gets stored', async () => {
    const { app, queue } = appWith();
    const res = await request(app).post('/v1/traces').set('Origin', 'https://evil.example').set('content-type', 'application/x-protobuf').send(otlpBody);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('cross_origin_refused');
    expect(queue.stats().acceptedSpans).toBe(0);
    const same = await request(app).post('/v1/traces').set('Host', 'localhost:16686').set('Origin', 'http://localhost:16686').set('content-type', 'application/x-protobuf').send(otlpBody);
    expect(same.status).toBe(200);
  });

  it('answers CORS only for --cors-origin origins', async () => {
    const { app } = appWith({ corsOrigins: ['https://grafana.example'] });
    const preflight = await request(app).options('/api/services').set('Origin', 'https://grafana.example').set('Access-Control-Request-Method', 'GET');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://grafana.example');
    const other = await request(app).options('/api/services').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'GET');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const post = await request(app).post('/v1/traces').set('Origin', 'https://grafana.example').set('content-type', 'application/x-protobuf').send(otlpBody);
    expect(post.status).toBe(200);
  });
});

describe('--ui-token', () => {
  it('answers the API with 401 and pages with the login form, and takes the token once into an HttpOnly SameSite=Strict cookie', async () => {
    const { app } = appWith({ uiToken: UI_TOKEN });
    const api = await request(app).get('/api/services');
    expect(api.status).toBe(401);
    expect(api.headers['www-authenticate']).toMatch(/^Bearer/);
    const page = await request(app).get('/trace/abc').set('Accept', 'text/html');
    expect(page.status).toBe(401);
    expect(page.text).toContain('<form method="post" action="/login">');
    expect(page.text).not.toMatch(/<script/i);
    expect(page.text).toContain('value="/trace/abc"');

    const wrong = await request(app).post('/login').type('form').send({ token: 'nope', next: '/' });
    expect(wrong.status).toBe(401);
    const login = await request(app).post('/login').type('form').send({ token: UI_TOKEN, next: '/trace/abc' });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/trace/abc');
    const cookie = login.headers['set-cookie']![0]!;
    expect(cookie).toMatch(new RegExp(`^${UI_TOKEN_COOKIE}=`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect((await request(app).get('/api/services').set('Cookie', cookie.split(';')[0]!)).status).toBe(200);
    expect((await request(app).get('/api/services').set('Authorization', `Bearer ${UI_TOKEN}`)).status).toBe(200);
  });

  it('never redirects off-site after login', async () => {
    const { app } = appWith({ uiToken: UI_TOKEN });
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await request(app).post('/login').type('form').send({ token: UI_TOKEN, next });
      expect(res.headers.location, next).toBe('/');
    }
  });

  it('keeps health probes open', async () => {
    const { app } = appWith({ uiToken: UI_TOKEN });
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
  });
});

describe('disk full (a store whose writes fail)', () => {
  it('answers ingest 503 + Retry-After and /readyz 503 while queries work, and recovers by itself', async () => {
    const store = new FullDiskStore();
    const { app } = appWith({ store });
    const refused = await request(app).post('/v1/traces').set('content-type', 'application/x-protobuf').send(otlpBody);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('store_unwritable');
    expect((await request(app).get('/api/services')).status).toBe(200);

    store.full = false;
    expect((await request(app).post('/v1/traces').set('content-type', 'application/x-protobuf').send(otlpBody)).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
    expect((await request(app).get('/api/services')).body.data).toEqual(['api']);
  });
});

describe('queries in flight (threads/foreground-gate.ts)', () => {
  /** A store that reports how many queries were in flight while it answered. */
  class CountingStore extends MemoryStore {
    seen: number[] = [];
    override async getServices(): Promise<string[]> {
      this.seen.push(Atomics.load(new Int32Array(foregroundSignal()), 0));
      return super.getServices();
    }
  }

  it('counts a query API request while it is answered, and not after', async () => {
    const store = new CountingStore();
    const { app } = appWith({ store });
    const before = Atomics.load(new Int32Array(foregroundSignal()), 0);
    await request(app).get('/api/services').expect(200);
    await request(app).get('/api/v1/services').expect(200);
    expect(store.seen).toEqual([before + 1, before + 1]);
    expect(Atomics.load(new Int32Array(foregroundSignal()), 0)).toBe(before);
  });

  it('does not count ingest', async () => {
    const store = new CountingStore();
    const { app } = appWith({ store });
    let during = -1;
    const write = store.writeBatch.bind(store);
    store.writeBatch = async (spans) => {
      during = Atomics.load(new Int32Array(foregroundSignal()), 0);
      return write(spans);
    };
    await request(app).post('/v1/traces').set('content-type', 'application/x-protobuf').send(otlpBody).expect(200);
    expect(during).toBe(0);
  });
});
