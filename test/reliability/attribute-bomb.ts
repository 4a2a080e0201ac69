import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Metadata, credentials } from '@grpc/grpc-js';
import { TRACE_SERVICE_EXPORT_PATH } from '../../server/src/receivers/otlp-grpc/trace-service-definition.js';
import { DEFAULT_SERVER_COMMAND, arg, buildBatch, log, percentile, postOnce, rssMb, sampleRss, sleep, startServerProcess } from './reliability-support.js';

/**
 * Attribute bombs while normal ingest runs: 8 concurrent 20 MiB OTLP/HTTP bodies of
 * attributes (one span with ~2M attributes; 12k spans of 128; the OTLP/JSON form), and
 * 16 MiB gRPC messages of attributes, for `--seconds`. Reports the server's peak RSS and
 * the p99 of a normal exporter's requests meanwhile.
 *
 *   node --import tsx test/reliability/attribute-bomb.ts [--seconds 30] [--concurrency 8] [--server CMD] [--flags "--max-inflight-bytes 128MiB"] [--kinds wide,manySpans,json,grpc]
 */

const SCRIPT = 'attribute-bomb';
const seconds = Number(arg('seconds', '30'));
const concurrency = Number(arg('concurrency', '8'));
const command = arg('server', DEFAULT_SERVER_COMMAND);
/** Extra server flags, e.g. --flags "--max-inflight-bytes 128MiB". */
const extraFlags = arg('flags', '').split(/\s+/).filter(Boolean);

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function field(tag: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag, ...varint(payload.length)]), payload]);
}

const SPAN_HEAD = Buffer.concat([
  field(0x0a, Buffer.from('b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0', 'hex')),
  field(0x12, Buffer.from('b0b0b0b0b0b0b0b0', 'hex')),
  field(0x2a, Buffer.from('bomb')),
  Buffer.from([0x39]), Buffer.from('0100000000000000', 'hex'),
  Buffer.from([0x41]), Buffer.from('0200000000000000', 'hex'),
]);

/** KeyValue{key:"k", value:{string_value:"v"}} as span field 9 (10 bytes), `count` times. */
function attributes(count: number): Buffer {
  const one = field(0x4a, Buffer.concat([field(0x0a, Buffer.from('k')), field(0x12, field(0x0a, Buffer.from('v')))]));
  return Buffer.alloc(one.length * count, one);
}

function request(spans: Buffer[]): Buffer {
  const scope = Buffer.concat(spans.map((s) => field(0x12, s)));
  return field(0x0a, field(0x12, scope));
}

function wideSpanBody(targetBytes: number): Buffer {
  const one = attributes(1).length;
  return request([Buffer.concat([SPAN_HEAD, attributes(Math.floor(targetBytes / one))])]);
}

function manySpansBody(spans: number, perSpan: number): Buffer {
  const attrs = attributes(perSpan);
  return request(Array.from({ length: spans }, (_, i) => Buffer.concat([SPAN_HEAD.subarray(0, 18), field(0x12, Buffer.from((i + 1).toString(16).padStart(16, '0'), 'hex')), SPAN_HEAD.subarray(28), attrs])));
}

function jsonBody(targetBytes: number): Buffer {
  const attr = '{"key":"k","value":{"stringValue":"v"}},';
  const count = Math.floor(targetBytes / attr.length);
  return Buffer.from(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0","spanId":"b0b0b0b0b0b0b0b0","name":"bomb","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[${attr.repeat(count).slice(0, -1)}]}]}]}]}`);
}

function grpcExport(target: string, body: Buffer): Promise<string> {
  const client = new Client(target, credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
  return new Promise((resolve) => {
    client.makeUnaryRequest(TRACE_SERVICE_EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, body, new Metadata(), { deadline: Date.now() + 30_000 }, (err) => {
      client.close();
      resolve(err ? `grpc ${err.code}` : 'grpc OK');
    });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-bomb-'));
  const server = await startServerProcess(command, ['--db', path.join(dir, 'db'), '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', '0', '--zipkin-port', 'off', ...extraFlags], 3);
  const otlp = `${server.urls['OTLP/HTTP']}/v1/traces`;
  const grpcTarget = new URL(server.urls['OTLP/gRPC']!).host;
  const bodies = {
    wide: wideSpanBody(20 * 1024 * 1024 - 1024),
    manySpans: manySpansBody(12_000, 128),
    json: jsonBody(20 * 1024 * 1024 - 1024),
    grpc: wideSpanBody(16 * 1024 * 1024 - 1024),
  };
  log(SCRIPT, `bodies: wide ${bodies.wide.length} B, 12k spans ${bodies.manySpans.length} B, json ${bodies.json.length} B, grpc ${bodies.grpc.length} B; idle RSS ${rssMb(server.child.pid!).toFixed(0)} MB`);
  const rss = sampleRss(server.child.pid!);
  const deadline = Date.now() + seconds * 1000;
  const outcomes = new Map<string, number>();
  const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);

  const normal: number[] = [];
  let normalSeq = 0;
  const normalClient = async () => {
    while (Date.now() < deadline) {
      const started = performance.now();
      for (;;) {
        const res = await postOnce(otlp, buildBatch(1, normalSeq++));
        if (res.status === 200) break;
        count(`normal ${res.status}`);
        await sleep(res.retryAfterS * 1000);
      }
      normal.push(performance.now() - started);
      await sleep(200);
    }
  };
  const kinds = arg('kinds', 'wide,manySpans,json,grpc').split(',') as Array<keyof typeof bodies>;
  const bomber = async (i: number) => {
    for (let n = i; Date.now() < deadline; n++) {
      const kind = kinds[n % kinds.length]!;
      if (kind === 'grpc') count(`grpc bomb: ${await grpcExport(grpcTarget, bodies.grpc)}`);
      else count(`${kind} bomb: ${(await postOnce(otlp, bodies[kind], kind === 'json' ? 'application/json' : 'application/x-protobuf')).status}`);
    }
  };
  const progress = setInterval(() => log(SCRIPT, `peak RSS so far ${rss.max().toFixed(0)} MB; normal requests ${normal.length}`), 5000);
  await Promise.all([normalClient(), ...Array.from({ length: concurrency }, (_, i) => bomber(i))]);
  clearInterval(progress);
  const peak = rss.stop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  log(SCRIPT, `${seconds} s, ${concurrency} concurrent bombers: peak RSS ${peak.toFixed(0)} MB; normal ingest ${normal.length} batches, p50 ${percentile(normal, 0.5).toFixed(0)} ms, p99 ${percentile(normal, 0.99).toFixed(0)} ms, max ${Math.max(...normal).toFixed(0)} ms`);
  log(SCRIPT, `outcomes: ${[...outcomes].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
