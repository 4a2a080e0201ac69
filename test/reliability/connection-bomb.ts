import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { DEFAULT_SERVER_COMMAND, arg, buildBatch, log, postOnce, sleep, startServerProcess } from './reliability-support.js';

/**
 * `--idle` idle TCP connections (default 1,100) held against a server whose descriptor
 * limit is 1,024 (`prlimit`), from another address (127.0.0.2, as another machine would),
 * each reopened 100 ms after the server closes it; then a new exporter (from 127.0.0.1)
 * sends a batch with a 10 s timeout, retrying every second as exporters do. Reports how
 * long its batch took to be accepted. With `--receiver grpc` the idle sockets go to the
 * OTLP/gRPC port and the new exporter is OpenTelemetry JS's gRPC exporter.
 *
 *   node --import tsx test/reliability/connection-bomb.ts [--receiver http|grpc] [--idle 1100] [--nofile 1024] [--seconds 30] [--attacker-address 127.0.0.2]
 */

const SCRIPT = 'connection-bomb';
const idle = Number(arg('idle', '1100'));
const nofile = arg('nofile', '1024');
const seconds = Number(arg('seconds', '30'));
/** 127.0.0.1 puts the idle sockets and the exporter behind the same per-client cap. */
const attacker = arg('attacker-address', '127.0.0.2');
const receiver = arg('receiver', 'http');
const command = `prlimit --nofile=${nofile}:${nofile} ${arg('server', DEFAULT_SERVER_COMMAND)}`;

async function main(): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-conn-'));
  const grpc = receiver === 'grpc';
  const server = await startServerProcess(command, ['--db', path.join(dir, 'db'), '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', grpc ? '0' : 'off', '--zipkin-port', 'off'], grpc ? 3 : 2);
  log(SCRIPT, server.output().split('\n').find((l) => l.includes('descriptor')) ?? '(no descriptor line)');
  const url = new URL(server.urls[grpc ? 'OTLP/gRPC' : 'OTLP/HTTP']!);
  const send = grpc ? grpcExporter(url.origin) : async (attempt: number) => (await postOnce(`${url.origin}/v1/traces`, buildBatch(1, attempt), undefined, undefined, 10_000)).status === 200;
  let holding = true;
  let opened = 0;
  let closedByServer = 0;
  const live = new Set<net.Socket>();
  const hold = () => {
    if (!holding) return;
    const s = net.connect({ port: Number(url.port), host: url.hostname, localAddress: attacker });
    opened++;
    live.add(s);
    s.on('error', () => {});
    // Read (and drop) what the server sends (HTTP/2 settings), so that its close is seen.
    s.resume();
    s.on('close', () => {
      live.delete(s);
      if (!holding) return;
      closedByServer++;
      setTimeout(hold, 100);
    });
  };
  for (let i = 0; i < idle; i++) {
    hold();
    if (i % 100 === 99) await sleep(20);
  }
  await sleep(2000);
  log(SCRIPT, `holding ${live.size} idle connections (${opened} opened, ${closedByServer} closed by the server so far)`);

  const started = performance.now();
  const deadline = Date.now() + seconds * 1000;
  let attempts = 0;
  let accepted = false;
  while (Date.now() < deadline) {
    attempts++;
    accepted = await send(attempts);
    if (accepted) break;
    await sleep(1000);
  }
  const tookS = (performance.now() - started) / 1000;
  holding = false;
  for (const s of live) s.destroy();
  const alive = server.child.exitCode === null;
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  log(SCRIPT, `new ${receiver} exporter: ${accepted ? 'accepted' : 'NOT accepted'} after ${tookS.toFixed(2)} s and ${attempts} attempt(s); idle sockets opened ${opened}, closed by the server ${closedByServer}; server ${alive ? 'alive' : 'DEAD'}`);
  return accepted && tookS < 15 && alive ? 0 : 1;
}

/** One export of a fresh span through OpenTelemetry JS's OTLP/gRPC exporter (10 s timeout); true on success. */
function grpcExporter(origin: string): (attempt: number) => Promise<boolean> {
  const finished = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(finished)] });
  return async (attempt) => {
    provider.getTracer('connection-bomb').startSpan(`attempt ${attempt}`).end();
    const spans = finished.getFinishedSpans();
    finished.reset();
    // A new exporter each attempt: a new connection, as a freshly started process makes.
    const exporter = new OTLPTraceExporter({ url: origin, timeoutMillis: 10_000 });
    try {
      return await new Promise<boolean>((resolve) => exporter.export(spans, (result) => resolve(result.code === 0)));
    } finally {
      await exporter.shutdown();
    }
  };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
