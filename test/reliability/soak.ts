import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatchFactory, DEFAULT_SERVER_COMMAND, arg, log, percentile, postOnce, rssMb, sleep, startServerProcess } from './reliability-support.js';

/**
 * Soak: `--rate` batches of 512 spans per second (set it to half the capacity the overload
 * script measures) for `--minutes`, with a query every second. Every `--sample-seconds`
 * prints RSS, database + WAL size and the ingest and query p99 of that interval; at the
 * end, the first and last samples side by side.
 *
 *   node --import tsx test/reliability/soak.ts [--minutes 30] [--rate 10] [--sample-seconds 30] [--flags "--max-db-size 200MB"]
 */

const SCRIPT = 'soak';
const minutes = Number(arg('minutes', '30'));
const rate = Number(arg('rate', '10'));
const sampleSeconds = Number(arg('sample-seconds', '30'));
const command = arg('server', DEFAULT_SERVER_COMMAND);
const extraFlags = arg('flags', '').split(/\s+/).filter(Boolean);

function fileMb(file: string): number {
  try {
    return statSync(file).size / 1e6;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-soak-'));
  const db = path.join(dir, 'threadline.db');
  const server = await startServerProcess(command, ['--db', db, '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off', ...extraFlags], 2);
  const ingest = `${server.urls['OTLP/HTTP']}/v1/traces`;
  const api = server.urls['UI + query API']!;
  const batches = new BatchFactory();
  const deadline = Date.now() + minutes * 60_000;
  let ingestMs: number[] = [];
  let queryMs: number[] = [];
  let failed = 0;
  const samples: string[] = [];
  const sampler = setInterval(() => {
    const line = `RSS ${rssMb(server.child.pid!).toFixed(0)} MB, db+wal ${(fileMb(db) + fileMb(`${db}-wal`)).toFixed(1)} MB, ingest p99 ${percentile(ingestMs, 0.99).toFixed(0)} ms (${ingestMs.length} batches), query p99 ${percentile(queryMs, 0.99).toFixed(0)} ms, failed ${failed}`;
    samples.push(line);
    log(SCRIPT, line);
    ingestMs = [];
    queryMs = [];
  }, sampleSeconds * 1000);
  const start = Date.now();
  const pending: Promise<void>[] = [];
  const queries = (async () => {
    while (Date.now() < deadline) {
      const started = performance.now();
      await (await fetch(`${api}/api/traces?service=reliability&limit=20`)).arrayBuffer();
      queryMs.push(performance.now() - started);
      await sleep(1000);
    }
  })();
  for (let n = 0; Date.now() < deadline; n++) {
    const due = start + (n * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    pending.push(
      postOnce(ingest, batches.batch(5, n)).then((r) => {
        if (r.status === 200) ingestMs.push(r.ms);
        else failed++;
      }),
    );
    if (pending.length > 1000) await Promise.all(pending.splice(0));
  }
  await Promise.all([...pending, queries]);
  clearInterval(sampler);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  log(SCRIPT, `${minutes} min at ${rate} batches/s: first sample: ${samples[0] ?? '-'}; last: ${samples.at(-1) ?? '-'}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
