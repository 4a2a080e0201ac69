import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JaegerResponse, JaegerTrace } from '@threadline/shared';
import { runThreadline, spawnThreadline } from '../support/spawned-server.js';
import { protobufPayload, recordSpans } from '../support/otlp-payloads.js';

const dirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-cli-'));
  dirs.push(dir);
  return path.join(dir, 'nested', 'threadline.db');
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const freePorts = ['--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off'];

describe('threadline CLI', () => {
  it.each([
    [['--http-port', 'eighty'], /--http-port must be a port number/],
    [['--nope'], /unknown option --nope/],
    [['--retention', 'forever'], /--retention must be a duration/],
  ])('exits 2 with one clear line for %j', async (args, message) => {
    const { code, stderr } = await runThreadline(args);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('exits 2 for a bad env var too', async () => {
    const { code, stderr } = await runThreadline([], { THREADLINE_LOG_LEVEL: 'shouty' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--log-level/);
  });

  it('prints one line per listener with the bound address, serves health, and stops cleanly on SIGTERM', async () => {
    const server = await spawnThreadline(['--db', tempDb(), ...freePorts], 2);
    expect(Object.keys(server.urls).sort()).toEqual(['OTLP/HTTP', 'UI + query API']);
    const base = server.urls['UI + query API']!;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('loses nothing of an acknowledged batch when killed with SIGKILL', async () => {
    const db = tempDb();
    const first = await spawnThreadline(['--db', db, ...freePorts], 2);
    const batches = [recordSpans(512, 'durable'), recordSpans(512, 'durable')];
    for (const spans of batches) {
      const res = await fetch(`${first.urls['OTLP/HTTP']}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(protobufPayload(spans)) });
      expect(res.status).toBe(200);
    }
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = await spawnThreadline(['--db', db, ...freePorts], 2);
    try {
      for (const spans of batches) {
        const res = await fetch(`${second.urls['UI + query API']}/api/traces/${spans[0]!.spanContext().traceId}`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as JaegerResponse<JaegerTrace[]>;
        expect(body.data[0]!.spans).toHaveLength(512);
      }
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('refuses to start on a port that is taken, with exit 2', async () => {
    const server = await spawnThreadline(['--db', tempDb(), ...freePorts], 2);
    try {
      const port = new URL(server.urls['UI + query API']!).port;
      const { code, stderr } = await runThreadline(['--db', tempDb(), '--http-port', port, '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/cannot listen/);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
