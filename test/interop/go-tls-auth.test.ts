import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JaegerResponse, JaegerTrace } from '@threadline/shared';
import { buildGoDemo, goAvailable, startGoProcess } from '../support/go-demo.js';
import { makeSelfSignedCert, type SelfSignedCert } from '../support/self-signed-cert.js';
import { spawnThreadline, type SpawnedServer } from '../support/spawned-server.js';

/**
 * The OpenTelemetry Go exporters as Go services configure them, by environment only:
 * `https://` endpoints (their default) against a self-signed certificate they trust
 * through OTEL_EXPORTER_OTLP_CERTIFICATE, and the token in OTEL_EXPORTER_OTLP_HEADERS.
 */

const hasGo = goAvailable();
if (!hasGo && process.env.THREADLINE_REQUIRE_GO === '1') {
  it('needs Go on PATH for the Go TLS interop test', () => {
    throw new Error('THREADLINE_REQUIRE_GO=1 but `go` is not on PATH: install Go 1.26+');
  });
}

const INGEST_TOKEN = 'go-ingest-token-0123456789';
const UI_TOKEN = 'go-ui-token-0123456789abc';

describe.runIf(hasGo)('Go exporters over TLS with the ingest token', () => {
  let dir: string;
  let cert: SelfSignedCert;
  let exportonce: string;
  let server: SpawnedServer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'threadline-tls-'));
    cert = makeSelfSignedCert(dir);
    writeFileSync(path.join(dir, 'ingest-token'), `${INGEST_TOKEN}\n`);
    const binaries = await buildGoDemo(path.join(dir, 'bin'));
    exportonce = path.join(path.dirname(binaries.loadgen), 'exportonce');
    server = await spawnThreadline(
      ['--db', path.join(dir, 'db.sqlite'), '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', '--zipkin-port', 'off', '--tls-cert', cert.certFile, '--tls-key', cert.keyFile, '--ingest-token-file', path.join(dir, 'ingest-token'), '--ui-token', UI_TOKEN],
      3,
    );
  }, 180_000);

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (protocol: 'http' | 'grpc', env: Record<string, string>) => {
    const p = startGoProcess(`exportonce-${protocol}`, exportonce, env, ['-protocol', protocol, '-spans', '4']);
    const code = await p.exited;
    return { code, output: p.output() };
  };
  const endpoint = (label: string) => server.urls[label]!.replace('127.0.0.1', 'localhost');
  const authorized = { OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${INGEST_TOKEN}` };

  it('prints https:// listener URLs', () => {
    expect(server.urls['OTLP/HTTP']).toMatch(/^https:\/\//);
    expect(server.urls['OTLP/gRPC']).toMatch(/^https:\/\//);
  });

  it.each([
    ['http', 'OTLP/HTTP'],
    ['grpc', 'OTLP/gRPC'],
  ] as const)('stores a trace the Go %s exporter sends over https:// with the token', async (protocol, label) => {
    const { code, output } = await run(protocol, { ...authorized, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint(label), OTEL_EXPORTER_OTLP_CERTIFICATE: cert.certFile });
    expect(code, output).toBe(0);
    const traceId = /trace ([0-9a-f]{32})/.exec(output)![1]!;
    const res = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.urls['UI + query API']}/api/traces/${traceId}`, { authorization: `Bearer ${UI_TOKEN}` }, readFileSync(cert.certFile));
    expect(res.status).toBe(200);
    expect(res.body.data[0]!.spans).toHaveLength(4);
  });

  it.each([
    ['http', 'OTLP/HTTP', /401|Unauthorized/i],
    ['grpc', 'OTLP/gRPC', /Unauthenticated/i],
  ] as const)('refuses the Go %s exporter without the token', async (protocol, label, message) => {
    const { code, output } = await run(protocol, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint(label), OTEL_EXPORTER_OTLP_CERTIFICATE: cert.certFile, OTEL_EXPORTER_OTLP_TIMEOUT: '3000' });
    expect(code).toBe(1);
    expect(output).toMatch(message);
  });

  it('is refused by a Go exporter that does not trust the certificate', async () => {
    const { code, output } = await run('http', { ...authorized, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint('OTLP/HTTP'), OTEL_EXPORTER_OTLP_TIMEOUT: '3000' });
    expect(code).toBe(1);
    expect(output).toMatch(/certificate/i);
  });
});

function getJson<T>(url: string, headers: Record<string, string>, ca: Buffer): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { headers, ca }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as T }));
      })
      .on('error', reject);
  });
}
