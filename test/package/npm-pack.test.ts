import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JaegerResponse, JaegerTrace } from '@threadline/shared';
import { run } from '../support/go-demo.js';
import { jsonPayload, recordSpans } from '../support/otlp-payloads.js';
import { runThreadline, spawnThreadline, type SpawnedServer } from '../support/spawned-server.js';

/**
 * The installable package as a user gets it: `npm pack` in the checkout (prepack builds),
 * `npm install -g` of the tarball into an empty prefix (dependencies from the registry,
 * or npm's cache), then the `threadline` command it puts on PATH.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('npm pack → npm install -g → threadline', () => {
  let dir: string;
  let cli: string[];
  let server: SpawnedServer | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'threadline-pack-'));
    const pack = await run('npm', ['pack', '--pack-destination', dir], { cwd: repoRoot, timeoutMs: 120_000 });
    const tarball = pack.stdout.trim().split('\n').at(-1)!;
    expect(pack.code, pack.output).toBe(0);
    expect(tarball).toBe(`threadline-${version}.tgz`);
    const prefix = path.join(dir, 'global');
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    const install = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, tarball)], { cwd: empty, timeoutMs: 300_000 });
    expect(install.code, install.output).toBe(0);
    cli = [path.join(prefix, 'bin', 'threadline')];
  }, 420_000);

  afterAll(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('threadline --version prints the package version', async () => {
    const { code, stdout } = await runThreadline(['--version'], {}, cli);
    expect([code, stdout]).toEqual([0, `threadline ${version}\n`]);
  });

  it('threadline --help lists the flags with their environment variables', async () => {
    const { code, stdout } = await runThreadline(['--help'], {}, cli);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--otlp-grpc-port VALUE[^]*env THREADLINE_OTLP_GRPC_PORT, default 4317/);
  });

  it('serves the UI and round-trips a trace', async () => {
    server = await spawnThreadline(['--db', path.join(dir, 'data', 'threadline.db'), '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off'], 2, {}, cli);
    const spans = recordSpans(3, 'packaged');
    const res = await fetch(`${server.urls['OTLP/HTTP']}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from(jsonPayload(spans)) });
    expect(res.status).toBe(200);
    const traceId = spans[0]!.spanContext().traceId;
    const got = (await (await fetch(`${server.urls['UI + query API']}/api/traces/${traceId}`)).json()) as JaegerResponse<JaegerTrace[]>;
    expect(got.data[0]!.spans).toHaveLength(3);
    const page = await fetch(`${server.urls['UI + query API']}/trace/${traceId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    expect((await fetch(`${server.urls['UI + query API']}${script}`)).status).toBe(200);
  });
});
