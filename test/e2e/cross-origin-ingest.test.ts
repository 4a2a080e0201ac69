import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath, launchBrowser } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';

/**
 * A web page a developer happens to open must not be able to write spans into the
 * Threadline on their machine, through any receiver and any request a page can make
 * without the collector's consent; and a DNS-rebinding page (its own name re-pointed at
 * 127.0.0.1) must be refused by the Host check.
 */

const OTLP_JSON = JSON.stringify({
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'evil-page' } }] },
    scopeSpans: [{ spans: [{ traceId: 'e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5', spanId: 'e5e5e5e5e5e5e5e5', name: 'planted', kind: 2, startTimeUnixNano: '1712345678901234567', endTimeUnixNano: '1712345678911234567' }] }],
  }],
});
const ZIPKIN_JSON = JSON.stringify([{ traceId: 'e5e5e5e5e5e5e5e5', id: 'e5e5e5e5e5e5e5e6', name: 'planted', timestamp: 1712345678901234, duration: 10, localEndpoint: { serviceName: 'evil-page' } }]);
const NETTRACE_JSON = JSON.stringify({ resource: { 'service.name': 'evil-page' }, records: [{ type: 'trace', recordId: 'e5e5e5e5e5e5e5e5', seq: 1, family: 'evil', title: 'planted', startTimeUnixNano: '1712345678901234567', elapsedNano: '1000', state: 'finished', error: false, maxEvents: 10, discardedEvents: 0, events: [] }] });

/** Every way a page can send a POST body cross-origin; returns how each ended. A string: see COUNT_DOM_NODES in browser.ts. */
function attackScript(targets: Array<{ url: string; body: string }>): string {
  return `(async () => {
    const targets = ${JSON.stringify(targets)};
    const outcomes = [];
    const attempt = async (what, run) => {
      try { await run(); outcomes.push(what + ': sent'); } catch (e) { outcomes.push(what + ': ' + e.name); }
    };
    for (const { url, body } of targets) {
      await attempt(url + ' no-cors blob', () => fetch(url, { method: 'POST', mode: 'no-cors', body: new Blob([body]) }));
      await attempt(url + ' no-cors text', () => fetch(url, { method: 'POST', mode: 'no-cors', body }));
      await attempt(url + ' no-cors form', () => fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }));
      await attempt(url + ' cors json', () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
      await attempt(url + ' beacon', async () => { if (!navigator.sendBeacon(url, body)) throw new Error('refused'); });
    }
    return outcomes;
  })()`;
}

interface AttackerSite {
  origin: string;
  close(): Promise<void>;
}

async function startAttackerSite(): Promise<AttackerSite> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>innocent page</title><p>nothing to see</p>'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

function targetsOf(server: TestServer) {
  return [
    { url: `${server.http}/v1/traces`, body: OTLP_JSON },
    { url: `${server.http}/api/v2/spans`, body: ZIPKIN_JSON },
    { url: `${server.http}/v1/nettrace`, body: NETTRACE_JSON },
    { url: `${server.otlpHttp}/v1/traces`, body: OTLP_JSON },
    { url: `${server.otlpHttp}/v1/nettrace`, body: NETTRACE_JSON },
    { url: `${server.zipkin}/api/v2/spans`, body: ZIPKIN_JSON },
  ];
}

async function refusedCount(server: TestServer, reason: string): Promise<number> {
  const text = await server.handle.metrics.registry.metrics();
  return text.split('\n').filter((l) => l.startsWith('threadline_http_requests_refused_total{') && l.includes(`reason="${reason}"`)).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}

describe('a page from another origin', () => {
  let browser: Browser;
  let attacker: AttackerSite;
  let server: TestServer;
  let allowing: TestServer;

  beforeAll(async () => {
    browser = await launchBrowser();
    attacker = await startAttackerSite();
    server = await startTestServer();
    allowing = await startTestServer({ corsOrigins: [attacker.origin] });
  });
  afterAll(async () => {
    await browser?.close();
    await attacker?.close();
    await server?.stop();
    await allowing?.stop();
  });

  it('cannot store a span through any receiver', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(attacker.origin);
      const targets = targetsOf(server);
      const outcomes = (await page.evaluate(attackScript(targets))) as string[];
      expect(outcomes).toHaveLength(targets.length * 5);
      // Each target gets 3 no-cors POSTs and a beacon that reach the server, all refused by the Origin check.
      await until(async () => (await refusedCount(server, 'cross_origin_refused')) >= targets.length * 4);
      expect(server.handle.queue.stats().acceptedSpans).toBe(0);
      const services = (await (await fetch(`${server.http}/api/services`)).json()) as { data: string[] };
      expect(services.data).toEqual([]);
      expect(outcomes.filter((o) => o.endsWith('cors json: sent'))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('can, when its origin is listed with --cors-origin (so the test above could have failed)', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(attacker.origin);
      const outcomes = (await page.evaluate(attackScript([{ url: `${allowing.otlpHttp}/v1/traces`, body: OTLP_JSON }]))) as string[];
      expect(outcomes).toContain(`${allowing.otlpHttp}/v1/traces cors json: sent`);
      const services = (await (await fetch(`${allowing.http}/api/services`)).json()) as { data: string[] };
      expect(services.data).toEqual(['evil-page']);
    } finally {
      await context.close();
    }
  });

  it('is refused when it reaches the server under a foreign Host name (DNS rebinding)', async () => {
    const port = new URL(server.http).port;
    const rebinding = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP attacker.example 127.0.0.1'] });
    try {
      const page = await rebinding.newPage();
      const res = await page.goto(`http://attacker.example:${port}/api/services`);
      expect(res?.status()).toBe(403);
      expect(await res?.text()).toContain('host_not_allowed');
      const sameNameFetch = (await page.evaluate(`fetch('/api/traces?service=x').then((r) => r.status)`)) as number;
      expect(sameNameFetch).toBe(403);
      expect(await refusedCount(server, 'host_not_allowed')).toBeGreaterThanOrEqual(2);
    } finally {
      await rebinding.close();
    }
  });
});
