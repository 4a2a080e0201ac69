import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeExportTraceRequestProto } from '../../server/src/receivers/otlp/otlp-proto-encoder.js';
import { buildSampleTraceRequest } from '../../server/src/receivers/otlp/otlp-sample-requests.js';
import { post } from '../bench/http-client.js';

/**
 * What the reliability scripts share: running the built CLI (or any command) as a child,
 * Go-exporter-shaped batches with IDs unique per batch, RSS sampling and percentiles.
 * Every script only talks to 127.0.0.1 and stops by itself.
 */

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_SERVER_COMMAND = `node ${path.join(REPO_ROOT, 'server/dist/main.js')}`;

export interface RunningServer {
  child: ChildProcess;
  /** Listener label as printed ("OTLP/HTTP", "UI + query API", …) → base URL. */
  urls: Record<string, string>;
  output(): string;
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `command` (split on spaces) with `args`, waits for `listeners` "listening on" lines. */
export async function startServerProcess(command: string, args: string[], listeners: number, env: Record<string, string> = {}): Promise<RunningServer> {
  const [bin, ...pre] = command.split(/\s+/).filter(Boolean);
  const child = spawn(bin!, [...pre, ...args], { env: { ...process.env, THREADLINE_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const urls: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
    const check = () => {
      for (const m of out.matchAll(/threadline: (.+) listening on (https?:\/\/[^/\s]+)/g)) urls[m[1]!] = m[2]!;
      if (Object.keys(urls).length >= listeners) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${out}`));
    });
  });
  return {
    child,
    urls,
    output: () => out,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Trace ID of batch `seq` of run `run`: every batch is one trace of its own, so presence is checkable per batch. */
export function batchTraceId(run: number, seq: number): string {
  return `${run.toString(16).padStart(8, '0')}${seq.toString(16).padStart(16, '0')}5eed5eed`;
}

const PLACEHOLDER_TRACE_ID = 'fe'.repeat(16);

/**
 * Batches for load scripts: one batch encoded once, copied with its trace ID patched in
 * (encoding 512 spans per request would make the load generator the bottleneck).
 */
export class BatchFactory {
  private readonly template: Buffer;
  private readonly offsets: number[] = [];

  constructor(spans = 512, service = 'reliability') {
    this.template = Buffer.from(encodeBatch(PLACEHOLDER_TRACE_ID, spans, service));
    const needle = Buffer.from(PLACEHOLDER_TRACE_ID, 'hex');
    for (let i = this.template.indexOf(needle); i !== -1; i = this.template.indexOf(needle, i + needle.length)) this.offsets.push(i);
  }

  batch(run: number, seq: number): Buffer {
    const out = Buffer.from(this.template);
    const id = Buffer.from(batchTraceId(run, seq), 'hex');
    for (const offset of this.offsets) id.copy(out, offset);
    return out;
  }
}

/** A Go-exporter-sized batch (512 spans, 10 attributes each) forming one trace, with recent timestamps. */
export function buildBatch(run: number, seq: number, spans = 512, service = 'reliability'): Uint8Array {
  return encodeBatch(batchTraceId(run, seq), spans, service);
}

function encodeBatch(traceId: string, spans: number, service: string): Uint8Array {
  const req = buildSampleTraceRequest({ spans, attributesPerSpan: 10, serviceName: service, startTimeUnixNano: BigInt(Date.now()) * 1_000_000n });
  for (const span of req.resourceSpans[0]!.scopeSpans[0]!.spans) span.traceId = traceId;
  return encodeExportTraceRequestProto(req);
}

export interface PostResult {
  status: number;
  ms: number;
  retryAfterS: number;
}

/**
 * One POST; network errors and timeouts become status 0. Sent as the benchmarks send
 * (node:http on kept-alive connections, as the OTel JS exporter does, not `fetch`): the
 * scripts run their exporters on the collector's own two cores, and undici's work per
 * request was CPU taken from the collector under test.
 */
export async function postOnce(url: string, body: Uint8Array, contentType = 'application/x-protobuf', headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<PostResult> {
  const started = performance.now();
  try {
    const res = await post(url, body, { 'content-type': contentType, ...headers }, timeoutMs);
    return { status: res.status, ms: performance.now() - started, retryAfterS: Number(res.headers['retry-after'] ?? '1') };
  } catch {
    return { status: 0, ms: performance.now() - started, retryAfterS: 1 };
  }
}

export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples the RSS of `pid` every `everyMs` until stopped; returns the maximum seen. */
export function sampleRss(pid: number, everyMs = 100): { stop(): number; max(): number } {
  let max = 0;
  const timer = setInterval(() => (max = Math.max(max, rssMb(pid))), everyMs);
  return {
    max: () => max,
    stop() {
      clearInterval(timer);
      return max;
    },
  };
}

export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function log(script: string, line: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${script}: ${line}\n`);
}

/** `--name value` from argv, or the default. */
export function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}
