import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BatchFactory, DEFAULT_SERVER_COMMAND, arg, batchTraceId, log, postOnce, sleep, startServerProcess } from './reliability-support.js';

/**
 * kill -9 during full-speed ingest, `--cycles` times, then checks that every acknowledged
 * span is stored and that `PRAGMA integrity_check` says ok.
 *
 *   node --import tsx test/reliability/kill9-cycles.ts --cycles 20 [--server "node server/dist/main.js"]
 *        [--clients 4] [--min-ms 1500] [--max-ms 4000] [--db path/to/threadline.db]
 *
 * `--server` is the command that runs Threadline; the script appends --db and the port
 * flags. Exit code 0 only when nothing acknowledged is missing and the database is intact.
 */

const SCRIPT = 'kill9';
const cycles = Number(arg('cycles', '5'));
const command = arg('server', DEFAULT_SERVER_COMMAND);
const clients = Number(arg('clients', '4'));
const minMs = Number(arg('min-ms', '1500'));
const maxMs = Number(arg('max-ms', '4000'));
const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-kill9-'));
const db = arg('db', path.join(dir, 'threadline.db'));
const serverArgs = ['--db', db, '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off', '--retention', '0'];
const SPANS_PER_BATCH = 512;

async function main(): Promise<number> {
  const acked: Array<[number, number]> = [];
  const batches = new BatchFactory(SPANS_PER_BATCH);
  for (let cycle = 1; cycle <= cycles; cycle++) {
    const server = await startServerProcess(command, serverArgs, 2);
    const url = `${server.urls['OTLP/HTTP']}/v1/traces`;
    let seq = 0;
    let stop = false;
    const before = acked.length;
    const client = async () => {
      while (!stop) {
        const mine = seq++;
        const res = await postOnce(url, batches.batch(cycle, mine));
        if (res.status === 200) acked.push([cycle, mine]);
        else if (res.status === 429 || res.status === 503) await sleep(50);
      }
    };
    const running = Array.from({ length: clients }, client);
    await sleep(minMs + Math.random() * (maxMs - minMs));
    server.child.kill('SIGKILL');
    const how = await server.exited;
    stop = true;
    await Promise.all(running);
    log(SCRIPT, `cycle ${cycle}/${cycles}: killed (${how}) after ${acked.length - before} acknowledged batches; ${acked.length * SPANS_PER_BATCH} acknowledged spans so far`);
  }

  const server = await startServerProcess(command, serverArgs, 2);
  const api = server.urls['UI + query API']!;
  let missing = 0;
  let next = 0;
  const checker = async () => {
    for (let i = next++; i < acked.length; i = next++) {
      const [cycle, seq] = acked[i]!;
      const res = await fetch(`${api}/api/traces/${batchTraceId(cycle, seq)}`);
      const spans = res.status === 200 ? ((await res.json()) as { data: Array<{ spans: unknown[] }> }).data[0]!.spans.length : 0;
      if (spans !== SPANS_PER_BATCH) {
        missing++;
        if (missing <= 10) log(SCRIPT, `MISSING: batch ${cycle}/${seq} has ${spans} of ${SPANS_PER_BATCH} spans`);
      }
      if (i > 0 && i % 2000 === 0) log(SCRIPT, `checked ${i}/${acked.length} batches`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, checker));
  await server.stop();

  const integrity = new Database(db, { readonly: true }).pragma('integrity_check', { simple: true });
  log(SCRIPT, `${cycles} kill -9 cycles, ${acked.length} acknowledged batches (${acked.length * SPANS_PER_BATCH} spans): ${missing} missing; integrity_check: ${String(integrity)}`);
  return missing === 0 && integrity === 'ok' ? 0 : 1;
}

main().then(
  (code) => {
    if (!process.argv.includes('--db')) rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
