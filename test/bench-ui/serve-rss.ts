/**
 * Peak RSS of a collector serving a big trace (issue 10's server RSS target), without a
 * browser: bench:ui's traces (1,000, 10,000 and 100,000 spans) are stored in a freshly
 * started Threadline (the built CLI) through OTLP/HTTP protobuf as bench:ui stores them,
 * and once indexed the biggest is fetched `--serves` times as the trace page asks for it
 * (`?format=compact-3`, gzip unless `--encoding` names another Accept-Encoding). VmRSS of the server is sampled every 20 ms, as bench:ui does.
 *
 *   npm run build && node --import tsx test/bench-ui/serve-rss.ts [--sizes=1000,10000,100000] [--serves=6] [--encoding=br] [--main=server/dist/main.js] [--node-args="--import x.mjs"]
 *
 * Prints RSS after each store and, per serve, wall time and the peak; then one summary line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeExportTraceRequestProto } from '../../server/src/receivers/otlp/otlp-proto-encoder.js';
import { MAIN_JS, spawnThreadline } from '../support/spawned-server.js';
import { generateTrace, type GeneratedTrace } from './trace-generator.js';

const args = new Map<string, string>(process.argv.slice(2).map((a) => a.replace(/^--/, '').split(/=(.*)/s, 2) as [string, string]));
const sizes = (args.get('sizes') ?? '1000,10000,100000').split(',').map(Number);
const serves = Number(args.get('serves') ?? 6);
const main = args.get('main') ?? MAIN_JS;
const encoding = args.get('encoding') ?? 'gzip';
const nodeArgs = (args.get('node-args') ?? '').split(' ').filter(Boolean);
const INGEST_CONCURRENCY = 4;

const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-serve-rss-'));
const server = await spawnThreadline(['--db', path.join(dir, 'db'), '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off'], 2, {}, [process.execPath, ...nodeArgs, main]);
const rssMB = () => Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))![1]) / 1024);
const otlp = server.urls['OTLP/HTTP']!;
const http = server.urls['UI + query API']!;

async function store(trace: GeneratedTrace): Promise<void> {
  let next = 0;
  const post = async () => {
    for (let request = trace.requests[next++]; request; request = trace.requests[next++]) {
      for (;;) {
        const res = await fetch(`${otlp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(encodeExportTraceRequestProto(request)) });
        await res.arrayBuffer();
        if (res.ok) break;
        if (res.status !== 429 && res.status !== 503) throw new Error(`ingest → ${res.status}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
  await Promise.all(Array.from({ length: INGEST_CONCURRENCY }, post));
  for (;;) {
    const body = (await (await fetch(`${http}/api/v1/search?limit=1500`)).json()) as { traces?: Array<{ traceId: string; spanCount: number }> };
    if (body.traces?.some((t) => t.traceId === trace.traceId && t.spanCount === trace.spanCount)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

try {
  let traceId = '';
  for (const size of sizes) {
    const trace = generateTrace(size);
    await store(trace);
    console.log(`${size.toLocaleString('en')} spans stored and indexed: RSS ${rssMB()} MB`);
    traceId = trace.traceId;
  }
  const before = rssMB();
  const peaks: number[] = [];
  for (let k = 0; k < serves; k++) {
    let peak = rssMB();
    const sampler = setInterval(() => (peak = Math.max(peak, rssMB())), 20);
    const started = performance.now();
    const res = await fetch(`${http}/api/v1/traces/${traceId}?format=compact-3`, { headers: { 'accept-encoding': encoding } });
    const bytes = (await res.arrayBuffer()).byteLength;
    // The sampler keeps going a moment: what the server frees or collects after the answer counts too.
    await new Promise((resolve) => setTimeout(resolve, 100));
    clearInterval(sampler);
    peaks.push(peak);
    console.log(`serve ${k + 1}: ${Math.round(performance.now() - started)} ms, ${(bytes / 1e6).toFixed(1)} MB of JSON, peak RSS ${peak} MB, ${rssMB()} MB after`);
  }
  const sorted = [...peaks].sort((a, b) => a - b);
  console.log(`RSS before serving ${before} MB; peak while serving: max ${sorted.at(-1)} MB, median ${sorted[Math.floor(sorted.length / 2)]} MB`);
} finally {
  server.child.kill('SIGTERM');
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
}
