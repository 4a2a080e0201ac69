import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import type { InstrumentationScope, Resource, Span } from '@threadline/shared';
import { encodeExportTraceRequestProto } from '../../server/src/receivers/otlp/otlp-proto-encoder.js';
import type { OtlpSpan, OtlpTraceRequest } from '../../server/src/receivers/otlp/otlp-types.js';
import { cpuSeconds } from '../support/proc-cpu.js';
import { MAIN_JS, spawnThreadline } from '../support/spawned-server.js';
import { buildFleet, TraceGenerator } from './go-fleet-generator.js';
import { post } from './http-client.js';

/**
 * Ingest under load, as a fleet's exporters would apply it: OTLP protobuf batches of 512
 * spans of one process each (what Go's BatchSpanProcessor sends), encoded up front, sent
 * by `senders` concurrent clients over OTLP/HTTP or OTLP/gRPC to a collector running as
 * its own process (`threadline` from server/dist) on a fresh file database, for a given
 * number of seconds (or until the payloads run out). A batch is
 * done when acknowledged; 429/503 (gRPC UNAVAILABLE) are retried after a pause, as the Go
 * exporter does. The clock stops when a search after the last acknowledgement answers
 * (the collector first indexes what its ingest log holds, so every span is searchable by
 * then). Afterwards the collector is stopped and the spans committed are counted in its
 * database, so the rate is of spans read back, not of spans sent. The collector's
 * CPU time and peak RSS come from /proc.
 */

const BATCH_SPANS = 512;
const RETRY_PAUSE_MS = 50;
const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export type IngestProtocol = 'otlp-http' | 'otlp-grpc';

export interface IngestLoadResult {
  protocol: IngestProtocol;
  senders: number;
  /** Spans in the batches acknowledged. */
  spansSent: number;
  spansCommitted: number;
  /** Until the last acknowledgement. */
  ackedSeconds: number;
  /** Until every span was indexed (searchable): what `spansPerSecond` divides by. */
  seconds: number;
  spansPerSecond: number;
  ackP50Ms: number;
  ackP99Ms: number;
  retries: number;
  cpuSecondsPer100k: number;
  peakRssMb: number;
  diskBytesPerSpan: number;
  wireBytesPerSpan: number;
  /**
   * Bytes the collector wrote per span committed: its log, the WAL, checkpoints into the
   * database file, and the (small) acknowledgements. How much the store rewrites what it
   * keeps: pages an indexing pass dirties are written whole, twice.
   */
  writtenBytesPerSpan: number;
}

function toOtlpSpan(s: Span): OtlpSpan {
  const { resource: _r, scope: _s, serviceName: _n, ...otlp } = s;
  return otlp;
}

function toRequest(resource: Resource, spans: readonly Span[]): OtlpTraceRequest {
  const byScope = new Map<InstrumentationScope, OtlpSpan[]>();
  for (const s of spans) {
    const list = byScope.get(s.scope) ?? [];
    list.push(toOtlpSpan(s));
    byScope.set(s.scope, list);
  }
  return { resourceSpans: [{ resource, scopeSpans: [...byScope].map(([scope, list]) => ({ scope, spans: list, schemaUrl: '' })), schemaUrl: '' }] };
}

/** Protobuf payloads of BATCH_SPANS spans per process, at least `total` spans in all, with recent timestamps. */
export function buildPayloads(total: number, seed: number, log: (line: string) => void): { payloads: Payload[]; spans: number; payloadSpans: number[] } {
  const generator = new TraceGenerator(buildFleet(seed), seed + 7);
  const pending = new Map<Resource, Span[]>();
  const payloads: Payload[] = [];
  const payloadSpans: number[] = [];
  const startNs = BigInt(Date.now()) * 1_000_000n;
  let made = 0;
  let reported = 0;
  while (made < total) {
    for (const span of generator.next(startNs + BigInt(made) * 20_000n)) {
      const list = pending.get(span.resource) ?? [];
      list.push(span);
      pending.set(span.resource, list);
      if (list.length === BATCH_SPANS) {
        payloads.push(encodeExportTraceRequestProto(toRequest(span.resource, list)) as Payload);
        payloadSpans.push(list.length);
        pending.delete(span.resource);
      }
      made++;
    }
    if (made - reported >= 250_000) {
      reported = made;
      log(`  encoding payloads: ${made.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} spans`);
    }
  }
  for (const [resource, list] of pending) {
    payloads.push(encodeExportTraceRequestProto(toRequest(resource, list)) as Payload);
    payloadSpans.push(list.length);
  }
  return { payloads, spans: made, payloadSpans };
}

/** Encoded ExportTraceServiceRequest bytes. */
export type Payload = Uint8Array<ArrayBuffer>;

type Send = (payload: Payload) => Promise<'ok' | 'retry'>;

export function httpSender(baseUrl: string): Send {
  const url = `${baseUrl}/v1/traces`;
  return async (payload) => {
    const { status } = await post(url, payload, { 'content-type': 'application/x-protobuf' });
    if (status === 200) return 'ok';
    if (status === 429 || status === 503) return 'retry';
    throw new Error(`OTLP/HTTP answered ${status}`);
  };
}

function grpcSender(address: string): { send: Send; close(): void } {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  });
  const send: Send = (payload) =>
    new Promise((resolve, reject) => {
      client.makeUnaryRequest(EXPORT_PATH, (b: Payload) => Buffer.from(b.buffer, b.byteOffset, b.byteLength), (b: Buffer) => b, payload, (err) => {
        if (!err) resolve('ok');
        else if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.RESOURCE_EXHAUSTED) resolve('retry');
        else reject(err);
      });
    });
  return { send, close: () => client.close() };
}

/** The number on the line of a /proc file that starts with `name` (NaN when there is none). */
function procValue(path: string, name: string): number {
  const line = readFileSync(path, 'utf8').split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(/\s+/)[1]) : Number.NaN;
}

export function peakRssMb(pid: number): number {
  return procValue(`/proc/${pid}/status`, 'VmHWM:') / 1024;
}

/** Bytes the process has handed to write(2) and friends so far (/proc/<pid>/io `wchar`): files and sockets alike. */
export function writtenBytes(pid: number): number {
  return procValue(`/proc/${pid}/io`, 'wchar:');
}

export function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1] ?? Number.NaN;
}

/** What `sendFor` did: batches acknowledged, their latencies (sorted), retries, and whether it stopped at the deadline or ran out of payloads. */
export interface SendResult {
  acknowledged: number;
  /** Spans in the batches acknowledged. */
  acknowledgedSpans: number;
  latencies: number[];
  retries: number;
  ranOut: boolean;
}

/**
 * `senders` concurrent exporters sending `payloads` in order, each taking the next batch once
 * its last one is acknowledged (429/503 retried after a pause, as the OTel exporters do),
 * until `options.seconds` have passed (no new batch starts after it) or the payloads run out.
 */
export async function sendFor(send: Send, payloads: readonly Payload[], senders: number, options: LoadOptions, onProgress?: (batches: number, spans: number) => void): Promise<SendResult> {
  const deadline = performance.now() + (options.seconds ?? Number.POSITIVE_INFINITY) * 1000;
  const spansOf = (i: number) => options.payloadSpans?.[i] ?? BATCH_SPANS;
  const latencies: number[] = [];
  let retries = 0;
  let next = 0;
  let acknowledgedSpans = 0;
  const progress = onProgress && setInterval(() => onProgress(latencies.length, acknowledgedSpans), 10_000);
  try {
    await Promise.all(
      Array.from({ length: senders }, async () => {
        while (next < payloads.length && performance.now() < deadline) {
          const i = next++;
          const sent = performance.now();
          while ((await send(payloads[i]!)) === 'retry') {
            retries++;
            await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
          }
          latencies.push(performance.now() - sent);
          acknowledgedSpans += spansOf(i);
        }
      }),
    );
  } finally {
    if (progress) clearInterval(progress);
  }
  latencies.sort((a, b) => a - b);
  return { acknowledged: latencies.length, acknowledgedSpans, latencies, retries, ranOut: next >= payloads.length };
}

function fileBytes(dbPath: string): number {
  return [dbPath, `${dbPath}-wal`].reduce((n, f) => n + (existsSync(f) ? statSync(f).size : 0), 0);
}

/**
 * The collector's command line: BENCH_COLLECTOR_MAIN runs another build (e.g. an older commit's,
 * for a before/after in one run); BENCH_COLLECTOR_NODE_ARGS adds Node flags such as
 * `--cpu-prof --cpu-prof-dir=data/prof` (a profile per thread, written when it stops).
 */
function collectorCommand(): string[] {
  const nodeArgs = (process.env.BENCH_COLLECTOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return [process.execPath, ...nodeArgs, process.env.BENCH_COLLECTOR_MAIN || MAIN_JS];
}

/** The store a load run's collector writes to, and how to count what it committed once the collector stopped. */
export interface IngestTarget {
  /** Collector flags that choose the store. */
  args: string[];
  committed(): Promise<number>;
  /** Bytes the store takes on disk. */
  bytes(): Promise<number>;
  cleanup(): Promise<void>;
}

/** A fresh SQLite file (the default store). */
export function sqliteIngestTarget(): IngestTarget {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-bench-load-'));
  const dbPath = path.join(dir, 'load.db');
  return {
    args: ['--db', dbPath],
    committed: async () => {
      const db = new Database(dbPath, { readonly: true });
      // Storage v1 (an older collector) kept one row per span in `spans`.
      const table = db.prepare("SELECT name FROM sqlite_schema WHERE name IN ('span_index', 'spans') ORDER BY name DESC").pluck().get() as string;
      const committed = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
      db.close();
      return committed;
    },
    bytes: async () => fileBytes(dbPath),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** How long a load run sends, and the spans in each payload (for what was acknowledged). */
export interface LoadOptions {
  /** No new batch starts after this many seconds (default: send every payload). */
  seconds?: number;
  /** Spans per payload, as buildPayloads gives them (default: 512 each). */
  payloadSpans?: readonly number[];
}

export async function runIngestLoad(
  protocol: IngestProtocol,
  senders: number,
  payloads: readonly Payload[],
  log: (line: string) => void,
  target: IngestTarget = sqliteIngestTarget(),
  options: LoadOptions = {},
): Promise<IngestLoadResult> {
  const server = await spawnThreadline(
    [...target.args, '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', '--zipkin-port', 'off', '--retention', '0'],
    3,
    {},
    collectorCommand(),
  );
  const pid = server.child.pid!;
  const grpcClient = protocol === 'otlp-grpc' ? grpcSender(server.urls['OTLP/gRPC']!.replace('http://', '')) : undefined;
  const send = grpcClient?.send ?? httpSender(server.urls['OTLP/HTTP']!);
  const cpuBefore = cpuSeconds(pid);
  const writtenBefore = writtenBytes(pid);
  const started = performance.now();
  try {
    const sent = await sendFor(send, payloads, senders, options, (batches, spans) => {
      const s = (performance.now() - started) / 1000;
      log(`  ${protocol} × ${senders}: ${batches} / ${payloads.length} batches, ${Math.round(spans / s).toLocaleString('en-US')} spans/s acknowledged so far`);
    });
    if (sent.ranOut && options.seconds !== undefined) log(`  ${protocol} × ${senders}: the payloads ran out before ${options.seconds} s`);
    const { latencies, retries } = sent;
    const ackedSeconds = (performance.now() - started) / 1000;
    // A search has the collector index what its ingest log still holds: from then on every span is searchable.
    const search = await fetch(`${server.urls['UI + query API']!}/api/services`);
    if (search.status !== 200) throw new Error(`the collector answered a search with ${search.status}`);
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(pid) - cpuBefore;
    const written = writtenBytes(pid) - writtenBefore;
    const rss = peakRssMb(pid);
    grpcClient?.close();
    server.child.kill('SIGTERM');
    await server.exited;
    const committed = await target.committed();
    const result: IngestLoadResult = {
      protocol,
      senders,
      spansSent: sent.acknowledgedSpans,
      spansCommitted: committed,
      ackedSeconds,
      seconds,
      spansPerSecond: committed / seconds,
      ackP50Ms: nearestRank(latencies, 0.5),
      ackP99Ms: nearestRank(latencies, 0.99),
      retries,
      cpuSecondsPer100k: (cpu / committed) * 100_000,
      peakRssMb: rss,
      diskBytesPerSpan: (await target.bytes()) / committed,
      wireBytesPerSpan: payloads.slice(0, sent.acknowledged).reduce((n, p) => n + p.length, 0) / sent.acknowledgedSpans,
      writtenBytesPerSpan: written / committed,
    };
    log(
      `  ${protocol} × ${senders}: ${Math.round(result.spansPerSecond).toLocaleString('en-US')} spans/s committed and searchable ` +
        `(${Math.round(committed / ackedSeconds).toLocaleString('en-US')} spans/s acknowledged) ` +
        `(${committed.toLocaleString('en-US')} of ${sent.acknowledgedSpans.toLocaleString('en-US')}), ack p50 ${result.ackP50Ms.toFixed(0)} ms, ` +
        `p99 ${result.ackP99Ms.toFixed(0)} ms, ${result.cpuSecondsPer100k.toFixed(2)} CPU-s per 100k spans, peak RSS ${Math.round(rss)} MB, ` +
        `${result.diskBytesPerSpan.toFixed(0)} B/span on disk vs ${result.wireBytesPerSpan.toFixed(0)} on the wire, ` +
        `${result.writtenBytesPerSpan.toFixed(0)} B/span written`,
    );
    return result;
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await target.cleanup();
  }
}
