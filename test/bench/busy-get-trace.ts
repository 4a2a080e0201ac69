import { spawn } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, log, percentile } from '../reliability/reliability-support.js';
import { hostPaceMs } from '../support/host-pace.js';
import { MAIN_JS, spawnThreadline } from '../support/spawned-server.js';
import { timedGet } from './http-client.js';

/**
 * Get-trace latency while full-speed ingest runs, and the full collections of the main
 * thread's heap meanwhile, for one or more builds in turn (so that a slower minute of a
 * shared host falls on each). Each round copies `--db` (a database `npm run bench` seeded,
 * e.g. data/bench-1m.db), starts the build on the copy with --trace-gc, has
 * ingest-background.ts send to it with 4 senders, and after 3 s asks in turn for the 20
 * traces a search of `frontend` found, `--gets` times (node:http, kept alive, gzip). Not
 * part of CI: a measurement.
 *
 *   node --import tsx test/bench/busy-get-trace.ts --db data/bench-1m.db [--builds "/tmp/base/server/dist/main.js,checkout"] [--rounds 3] [--gets 2500]
 */

const SCRIPT = 'busy-get-trace';
const db = arg('db', '');
if (!db) throw new Error('--db <a seeded database> is required');
const builds = arg('builds', 'checkout').split(',');
const rounds = Number(arg('rounds', '3'));
const gets = Number(arg('gets', '2500'));

interface GcCounts {
  scavenges: number;
  markCompacts: number;
  markCompactMs: number;
}

/**
 * Scavenges and mark-compacts of the main thread's isolate, from --trace-gc lines: the one
 * at the lowest address (on Linux it is allocated first, from the process's own heap; each
 * worker's comes from its thread's arena, mapped far above).
 */
function mainThreadGc(traceGc: string): GcCounts {
  const lines = [...traceGc.matchAll(/^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: (Scavenge|Mark-Compact)\b.*?, ([\d.]+) \/ [\d.]+ ms/gm)];
  const main = lines.map((m) => m[1]!).reduce((a, b) => (BigInt(a) <= BigInt(b) ? a : b), '0xffffffffffffffff');
  const counts: GcCounts = { scavenges: 0, markCompacts: 0, markCompactMs: 0 };
  for (const [, isolate, kind, ms] of lines) {
    if (isolate !== main) continue;
    if (kind === 'Scavenge') counts.scavenges++;
    else {
      counts.markCompacts++;
      counts.markCompactMs += Number(ms);
    }
  }
  return counts;
}

async function round(build: string): Promise<string> {
  const copy = path.join(os.tmpdir(), `threadline-busy-get-trace-${process.pid}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(copy + suffix, { force: true });
  copyFileSync(db, copy);
  const main = build === 'checkout' ? MAIN_JS : build;
  const pace = hostPaceMs();
  const server = await spawnThreadline(['--db', copy, '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off', '--retention', '0'], 2, {}, [process.execPath, '--trace-gc', main]);
  const ingest = spawn(process.execPath, ['--import', 'tsx', path.join(path.dirname(fileURLToPath(import.meta.url)), 'ingest-background.ts'), server.urls['OTLP/HTTP']!, '4', '1500000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve) => ingest.stdout!.on('data', (chunk) => String(chunk).includes('ready') && resolve()));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const base = server.urls['UI + query API']!;
    const search = (await timedGet(`${base}/api/traces?service=frontend&limit=20&lookback=24h`)).text;
    const ids = (JSON.parse(search) as { data: Array<{ traceID: string }> }).data.map((t) => t.traceID);
    if (ids.length === 0) throw new Error(`${db} has no traces of the service frontend: seed it with npm run bench`);
    const traceGcFrom = server.stdout().length;
    const started = performance.now();
    const ms: number[] = [];
    for (let i = 0; i < gets; i++) ms.push((await timedGet(`${base}/api/traces/${ids[i % ids.length]}`)).ms);
    const seconds = (performance.now() - started) / 1000;
    const gc = mainThreadGc(server.stdout().slice(traceGcFrom));
    return `get trace p50 ${percentile(ms, 0.5).toFixed(2)}, p95 ${percentile(ms, 0.95).toFixed(2)}, p99 ${percentile(ms, 0.99).toFixed(2)} ms over ${seconds.toFixed(1)} s; main thread: ${gc.scavenges} scavenges, ${gc.markCompacts} mark-compacts (${gc.markCompactMs.toFixed(0)} ms of pauses); host pace ${pace.toFixed(0)} ms`;
  } finally {
    ingest.kill('SIGTERM');
    server.child.kill('SIGTERM');
    await server.exited;
    for (const suffix of ['', '-wal', '-shm']) rmSync(copy + suffix, { force: true });
  }
}

for (let r = 1; r <= rounds; r++) {
  for (const build of builds) log(SCRIPT, `round ${r}, ${build}: ${await round(build)}`);
}
