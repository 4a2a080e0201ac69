import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './bench-settings.js';
import { httpSender, nearestRank, peakRssMb, sendFor, type LoadOptions, type Payload } from './ingest-load.js';
import { cpuSeconds } from '../support/proc-cpu.js';

/**
 * The peer of the ingest benchmark: Jaeger v2 (v1.75.0, the approved release, built from
 * the Go module proxy by scripts/build-jaeger.mjs) with its Badger storage, sent the same
 * payloads the same way as Threadline. Its pipeline has no batch processor, so Jaeger
 * acknowledges an OTLP request after its storage exporter wrote it, as Threadline does.
 * Spans committed are not read back (Jaeger's API has no count): the rate is of
 * acknowledged spans.
 */

export interface PeerResult {
  peer: string;
  senders: number;
  spans: number;
  seconds: number;
  spansPerSecond: number;
  ackP50Ms: number;
  ackP99Ms: number;
  cpuSecondsPer100k: number;
  peakRssMb: number;
  diskBytesPerSpan: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(full) : statSync(full).size;
  }
  return total;
}

function config(dataDir: string, otlpPort: number, queryPort: number, queryGrpcPort: number): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: badger_store
    http:
      endpoint: 127.0.0.1:${queryPort}
    grpc:
      endpoint: 127.0.0.1:${queryGrpcPort}
  jaeger_storage:
    backends:
      badger_store:
        badger:
          directories:
            keys: ${path.join(dataDir, 'keys')}
            values: ${path.join(dataDir, 'values')}
          ephemeral: false
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlpPort}
exporters:
  jaeger_storage_exporter:
    trace_storage: badger_store
`;
}

export function buildJaeger(): string {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build-jaeger.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error('scripts/build-jaeger.mjs failed; its output is above');
  return r.stdout.trim();
}

export async function runJaegerIngest(binary: string, senders: number, payloads: readonly Payload[], log: (line: string) => void, options: LoadOptions = {}): Promise<PeerResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-bench-jaeger-'));
  const [otlpPort, queryPort, queryGrpcPort] = [await freePort(), await freePort(), await freePort()];
  const configPath = path.join(dir, 'config.yaml');
  writeFileSync(configPath, config(path.join(dir, 'badger'), otlpPort, queryPort, queryGrpcPort));
  const child = spawn(binary, ['--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const send = httpSender(`http://127.0.0.1:${otlpPort}`);
  try {
    const ready = performance.now();
    for (;;) {
      const up = await fetch(`http://127.0.0.1:${queryPort}/api/services`).then((r) => r.ok, () => false);
      if (up) break;
      if (child.exitCode !== null || performance.now() - ready > 60_000) throw new Error(`jaeger did not start:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const pid = child.pid!;
    const cpuBefore = cpuSeconds(pid);
    const started = performance.now();
    const sent = await sendFor(send, payloads, senders, options, (batches, spans) =>
      log(`  jaeger × ${senders}: ${batches} batches, ${Math.round(spans / ((performance.now() - started) / 1000)).toLocaleString('en-US')} spans/s acknowledged so far`),
    );
    const { latencies } = sent;
    const spans = sent.acknowledgedSpans;
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(pid) - cpuBefore;
    const rss = peakRssMb(pid);
    child.kill('SIGTERM');
    await exited;
    const result: PeerResult = {
      peer: 'Jaeger v1.75.0, Badger',
      senders,
      spans,
      seconds,
      spansPerSecond: spans / seconds,
      ackP50Ms: nearestRank(latencies, 0.5),
      ackP99Ms: nearestRank(latencies, 0.99),
      cpuSecondsPer100k: (cpu / spans) * 100_000,
      peakRssMb: rss,
      diskBytesPerSpan: dirBytes(path.join(dir, 'badger')) / spans,
    };
    log(
      `  jaeger × ${senders}: ${Math.round(result.spansPerSecond).toLocaleString('en-US')} spans/s acknowledged, ack p50 ${result.ackP50Ms.toFixed(0)} ms, ` +
        `p99 ${result.ackP99Ms.toFixed(0)} ms, ${result.cpuSecondsPer100k.toFixed(2)} CPU-s per 100k spans, peak RSS ${Math.round(rss)} MB, ` +
        `${result.diskBytesPerSpan.toFixed(0)} B/span on disk`,
    );
    return result;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
