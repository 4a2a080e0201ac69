import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, credentials } from '@grpc/grpc-js';
import { FuzzGenerator, nastiestCases } from './fuzz-cases.js';
import { sendCase } from './fuzz-sender.js';
import { BatchFactory, DEFAULT_SERVER_COMMAND, arg, batchTraceId, log, postOnce, startServerProcess } from './reliability-support.js';

/**
 * Fuzzes every receiver (OTLP/HTTP protobuf and JSON, gzip, Zipkin, net/trace, OTLP/gRPC)
 * and every query parameter of the query APIs with `--inputs` seeded mutations (after the
 * seed corpus), `--concurrency` at a time, for at most `--max-seconds`. Fails on any server
 * fault (HTTP 500-502/504+, gRPC INTERNAL/UNKNOWN/no answer), a crash, or a control trace
 * stored before the run that does not come back intact.
 *
 *   node --import tsx test/reliability/fuzz.ts [--inputs 100000] [--seed 1] [--concurrency 16] [--max-seconds 600]
 */

const SCRIPT = 'fuzz';
const inputs = Number(arg('inputs', '100000'));
const seed = Number(arg('seed', '1'));
const concurrency = Number(arg('concurrency', '16'));
const maxSeconds = Number(arg('max-seconds', '600'));
const command = arg('server', DEFAULT_SERVER_COMMAND);

async function main(): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-fuzz-'));
  const server = await startServerProcess(command, ['--db', path.join(dir, 'db'), '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', '--zipkin-port', '0', '--retention', '0'], 4);
  const urls = { http: server.urls['UI + query API']!, otlpHttp: server.urls['OTLP/HTTP']!, zipkin: server.urls['Zipkin v2']!, grpc: server.urls['OTLP/gRPC']! };
  const control = new BatchFactory(50, 'fuzz-control');
  for (let i = 0; i < 5; i++) await postOnce(`${urls.otlpHttp}/v1/traces`, control.batch(9, i));

  const corpus = nastiestCases();
  const generator = new FuzzGenerator(seed);
  const grpc = new Client(new URL(urls.grpc).host, credentials.createInsecure());
  const statuses = new Map<string, number>();
  const faults: string[] = [];
  const deadline = Date.now() + maxSeconds * 1000;
  const total = corpus.length + inputs;
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let i = next++; i < total && Date.now() < deadline && server.child.exitCode === null; i = next++) {
      const c = i < corpus.length ? corpus[i]! : generator.case(i);
      const outcome = await sendCase(c, urls, grpc);
      statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
      if (outcome.fault) faults.push(`${c.name}: ${outcome.status}`);
      if (++done % 10_000 === 0) log(SCRIPT, `${done}/${total} inputs, ${faults.length} faults`);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  grpc.close();
  const alive = server.child.exitCode === null;
  let intact = 0;
  for (let i = 0; i < 5 && alive; i++) {
    const res = await fetch(`${urls.http}/api/traces/${batchTraceId(9, i)}`);
    if (res.status === 200 && ((await res.json()) as { data: Array<{ spans: unknown[] }> }).data[0]!.spans.length === 50) intact++;
  }
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  log(SCRIPT, `${done} inputs in ${((performance.now() - started) / 1000).toFixed(0)} s (seed ${seed}): ${faults.length} faults; server ${alive ? 'alive' : 'CRASHED'}; control traces intact ${intact}/5`);
  log(SCRIPT, `answers: ${[...statuses].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  for (const f of faults.slice(0, 20)) log(SCRIPT, `FAULT ${f}`);
  return faults.length === 0 && alive && intact === 5 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
