/**
 * What serving a big trace in compact-3 costs the server (issue 10): CPU time and RSS of a
 * spawned Threadline (the built CLI) per `GET /api/v1/traces/{id}?format=compact-3` with gzip.
 *
 *   node --import tsx test/bench-ui/compact-serve-cost.ts --db=/tmp/x.db [--seed] [--serves=10] [--size=100000] [--main=server/dist/main.js]
 *
 * `--seed` first stores bench:ui's generated trace of `--size` spans (and a 10k one) in the
 * database through the real ingest path (OTLP/HTTP protobuf, as bench:ui's `ingest`) and
 * waits until it is indexed; the trace ID goes to `<db>.trace`. Then a fresh server is started
 * on the database and the trace is fetched `--serves` times, one after the other: per serve,
 * CPU time of the server process (utime + stime from /proc/<pid>/stat, every thread, gzip
 * included), wall time, and RSS after it. `--main` runs another build of the server (an
 * older commit's, for a before/after on the same machine state).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpuSeconds } from '../support/proc-cpu.js';
import { encodeExportTraceRequestProto } from '../../server/src/receivers/otlp/otlp-proto-encoder.js';
import { MAIN_JS, spawnThreadline, type SpawnedServer } from '../support/spawned-server.js';
import { generateTrace } from './trace-generator.js';

const args = new Map<string, string>(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=', 2) as [string, string]));
const db = args.get('db');
if (!db) throw new Error('usage: compact-serve-cost.ts --db=PATH [--seed] [--serves=10] [--size=100000]');
const serves = Number(args.get('serves') ?? 10);
const size = Number(args.get('size') ?? 100_000);
const main = args.get('main') ?? MAIN_JS;
const cpuMs = (pid: number) => 1000 * cpuSeconds(pid);

function rssMB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

async function start(): Promise<SpawnedServer> {
  return spawnThreadline(['--db', db!, '--host', '127.0.0.1', '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off'], 2, {}, [process.execPath, main]);
}

async function stop(server: SpawnedServer): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

async function seed(): Promise<void> {
  const server = await start();
  const base = server.urls['UI + query API']!;
  const otlp = server.urls['OTLP/HTTP']!;
  let traceId = '';
  for (const n of [10_000, size]) {
    const trace = generateTrace(n);
    let sent = 0;
    for (const request of trace.requests) {
      for (;;) {
        const res = await fetch(`${otlp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(encodeExportTraceRequestProto(request)) });
        if (res.ok) break;
        if (res.status !== 429 && res.status !== 503) throw new Error(`ingest → ${res.status}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      sent += request.resourceSpans[0]!.scopeSpans[0]!.spans.length;
      process.stdout.write(`\r  seeding ${n} spans: ${sent}`);
    }
    process.stdout.write('\n');
    for (;;) {
      const body = (await (await fetch(`${base}/api/v1/search?limit=1500`)).json()) as { traces: { traceId: string; spanCount: number }[] };
      if (body.traces.some((t) => t.traceId === trace.traceId && t.spanCount === n)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    traceId = trace.traceId;
  }
  writeFileSync(`${db}.trace`, traceId);
  await stop(server);
}

if (args.has('seed')) await seed();
const traceId = readFileSync(`${db}.trace`, 'utf8').trim();
const server = await start();
const pid = server.child.pid!;
const base = server.urls['UI + query API']!;
console.log(`${main}, trace ${traceId}: RSS ${rssMB(pid).toFixed(0)} MB at start`);
const cpu: number[] = [];
const wall: number[] = [];
for (let i = 1; i <= serves; i++) {
  const c0 = cpuMs(pid);
  const t0 = performance.now();
  const res = await fetch(`${base}/api/v1/traces/${traceId}?format=compact-3`, { headers: { 'accept-encoding': 'gzip' } });
  const text = await res.text();
  const t = performance.now() - t0;
  const c = cpuMs(pid) - c0;
  if (!res.ok) throw new Error(`serve → ${res.status}`);
  cpu.push(c);
  wall.push(t);
  console.log(`serve ${i}: ${c.toFixed(0)} ms CPU, ${t.toFixed(0)} ms wall, ${(text.length / 1e6).toFixed(1)} MB, RSS after ${rssMB(pid).toFixed(0)} MB`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`median of ${serves}: ${median(cpu).toFixed(0)} ms CPU, ${median(wall).toFixed(0)} ms wall per serve`);
await stop(server);
