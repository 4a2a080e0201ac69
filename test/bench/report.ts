import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { countLabel, repoRoot, type BenchSettings } from './bench-settings.js';
import type { IngestLoadResult } from './ingest-load.js';
import type { PeerResult } from './jaeger-peer.js';
import type { QueryReport } from './query-bench.js';
import type { SeedResult } from './seed-database.js';
import { fmtInt, fmtMs } from './timing.js';
import { paceSentence, type HostPace } from '../support/host-pace.js';

export const BENCH_DOC = path.join(repoRoot, 'docs/benchmarks.md');
const HEADING = '## Query and ingest';

export function machineLine(): string {
  const cpus = os.cpus();
  const db = new Database(':memory:');
  const sqlite = db.prepare('SELECT sqlite_version()').pluck().get() as string;
  db.close();
  return [
    `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `${os.type()} ${os.release()}`,
    `Node ${process.version}`,
    `SQLite ${sqlite} (better-sqlite3)`,
  ].join(', ');
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

export interface SketchTableStats {
  table: string;
  rows: number;
  avgBytes: number;
}

/** Row counts and blob sizes of the sketch tables, for the report. */
export function sketchTableStats(dbPath: string): SketchTableStats[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return ['latency_sketches', 'latency_sketches_hourly'].map((table) => {
      const row = db.prepare(`SELECT count(*) AS n, avg(length(sketch)) AS bytes FROM ${table}`).get() as { n: number; bytes: number | null };
      return { table, rows: row.n, avgBytes: row.bytes ?? 0 };
    });
  } finally {
    db.close();
  }
}

export function buildSection(
  settings: BenchSettings,
  seed: SeedResult,
  queries: QueryReport,
  ingest: readonly IngestLoadResult[],
  peers: readonly PeerResult[],
  sketches: readonly SketchTableStats[],
  machine: string,
  pace: HostPace,
): string {
  const rows = queries.results.map((q) => {
    const worst = q.targetOnP99 ? q.timing.p99Ms : q.timing.p95Ms;
    const verdict = q.targetMs === undefined ? '' : q.timing.medianMs < q.targetMs && worst < q.targetMs ? 'met' : '**missed**';
    const busy = q.busy
      ? `${fmtMs(q.busy.medianMs)} ms | ${fmtMs(q.busy.p99Ms)} ms | ${(q.busy.p99Ms / q.timing.p99Ms).toFixed(1)}×`
      : '– | – | –';
    return `| ${q.name} | **${fmtMs(q.timing.medianMs)} ms** | ${fmtMs(q.timing.p95Ms)} ms | ${fmtMs(q.timing.p99Ms)} ms | ${busy} | ${q.targetMs === undefined ? '' : `< ${q.targetMs} ms${q.targetOnP99 ? ' (p99)' : ''}`} ${verdict} | ${q.answer} |`;
  });
  const busyText = queries.ingestWhileBusy
    ? `\n\n"While ingesting": the same requests against a copy of the database while a child process (\`test/bench/ingest-background.ts\`, 4 senders of 512-span OTLP/HTTP batches) ingested into it at full speed (it reported: ${queries.ingestWhileBusy}); the ratio is p99 while ingesting over p99 idle (target: at most 2×).`
    : '';
  const seedLine = `${fmtInt(settings.spans)} spans in ${fmtInt(seed.traces)} traces, 20 services × 10 operations, over ${settings.hours} h; database ${gib(seed.fileBytes)}; seeded in ${Math.round(seed.seconds / 60)} min (${fmtInt(settings.spans / seed.seconds)} spans/s)${seed.reused ? ', reused from an earlier run' : ''}`;
  const ingestText =
    ingest.length > 0
      ? `\n\n| protocol | senders | spans/s committed and searchable | ack p50 | ack p99 | collector CPU-s per 100k spans | peak RSS | bytes/span on disk | on the wire | written | retries |
|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
${ingest
  .map(
    (r) =>
      `| ${r.protocol} | ${r.senders} | **${fmtInt(r.spansPerSecond)}** (${fmtInt(r.spansCommitted)} of ${fmtInt(r.spansSent)}) | ${fmtMs(r.ackP50Ms)} ms | ${fmtMs(r.ackP99Ms)} ms | ${r.cpuSecondsPer100k.toFixed(2)} | ${Math.round(r.peakRssMb)} MB | ${Math.round(r.diskBytesPerSpan)} | ${Math.round(r.wireBytesPerSpan)} | ${Number.isFinite(r.writtenBytesPerSpan) ? Math.round(r.writtenBytesPerSpan) : '–'} | ${r.retries} |`,
  )
  .join('\n')}

Each row: ${fmtInt(settings.ingestSpans)} spans encoded up front as OTLP protobuf batches of 512 spans of one process (as Go's BatchSpanProcessor sends them), sent for ${settings.ingestSeconds} s (no batch starts after that; until 2026-12-07 each row sent 600k spans, ~11 s at the last rates) by that many concurrent senders from the benchmark process (OTLP/HTTP: node:http on kept-alive connections, as the OTel JS exporter sends, \`test/bench/http-client.ts\`; before 2026-12-06 10:00 \`fetch\`, which took half as much CPU again; gRPC: @grpc/grpc-js) to a collector started as its own process (\`node server/dist/main.js\`, fresh file database); a batch counts when acknowledged, 429/503 retried after 50 ms; the clock stops when a search after the last acknowledgement answers (the collector indexes what its ingest log holds first); spans committed are counted in the database after the collector stopped; CPU and peak RSS (VmHWM) from /proc of the collector process, and "written" the bytes per span it handed to write calls (\`wchar\` of /proc/<pid>/io: ingest log, WAL, checkpoints into the database file, acknowledgements) (\`test/bench/ingest-load.ts\`).`
      : 'not measured this run (BENCH_INGEST_SECONDS=0).';
  const peerText =
    peers.length > 0
      ? `\n\nPeer in the same run (\`npm run bench -- --peer jaeger\`: ${peers[0]!.peer}, built from the Go module proxy by \`scripts/build-jaeger.mjs\`, no batch processor so it acknowledges after writing; the same payloads over OTLP/HTTP for the same time; spans acknowledged, not read back):

| senders | spans/s acknowledged | ack p50 | ack p99 | CPU-s per 100k spans | peak RSS | bytes/span on disk | Threadline OTLP/HTTP ÷ Jaeger |
|--:|--:|--:|--:|--:|--:|--:|--:|
${peers
  .map((p) => {
    const ours = ingest.find((r) => r.protocol === 'otlp-http' && r.senders === p.senders);
    return `| ${p.senders} | ${fmtInt(p.spansPerSecond)} | ${fmtMs(p.ackP50Ms)} ms | ${fmtMs(p.ackP99Ms)} ms | ${p.cpuSecondsPer100k.toFixed(2)} | ${Math.round(p.peakRssMb)} MB | ${Math.round(p.diskBytesPerSpan)} | ${ours ? `${(ours.spansPerSecond / p.spansPerSecond).toFixed(2)}×` : '–'} |`;
  })
  .join('\n')}`
      : '';
  return `${HEADING}

\`npm run bench\` (\`test/bench/run.ts\`, BENCH_SPANS=${settings.spans}). Last run ${new Date().toISOString().slice(0, 10)} on ${machine};
${paceSentence(pace)}.

Data: ${seedLine}. Sketches: ${sketches.map((t) => `${fmtInt(t.rows)} rows in \`${t.table}\` (${Math.round(t.avgBytes)} bytes a blob on average)`).join(', ')}. Starting the collector process on the file took ${(queries.openMs / 1000).toFixed(1)} s${seed.firstOpenMs === undefined || seed.firstOpenMs === queries.openMs ? '' : `; the first start after seeding took ${(seed.firstOpenMs / 1000).toFixed(1)} s`} (\`PRAGMA optimize\` at open runs a full ANALYZE on a file never analyzed, once).

| query (HTTP, warm) | median | p95 | p99 | median while ingesting | p99 while ingesting | p99 ratio | target (at 10M spans) | answer |
|---|--:|--:|--:|--:|--:|--:|---|---|
${rows.join('\n')}${busyText}

Ingest: ${ingestText}${peerText}

**Method.** \`test/bench/go-fleet-generator.ts\` (fixed seed) models Go services instrumented
with OpenTelemetry contrib: 2 HTTP edge services (otelhttp, 5 routes and 5 gRPC clients
each) call 5 gRPC services (otelgrpc), which call 13 more; every gRPC method has exactly one
calling client operation, and PostgreSQL (otelsql), Redis and internal spans fill each
service up to 10 operations — 200 in all, every one of them with spans. Every operation
has its own log-normal latency (medians 50 µs–300 ms), ~1% of spans fail (status ERROR,
exception event, HTTP 500 / gRPC 13), spans carry the usual semantic-convention
attributes (5–9 each, some with per-request values), and traces are 3–6 levels deep
(about 18 spans on average). Seeding writes through the store's own
\`SpanWriter\` (spans, attributes, summaries, catalog and per-minute latency sketches exactly as
ingest writes them) in transactions of 50,000 spans, with \`journal_mode=OFF\` and
\`synchronous=OFF\` during the seed only; traces start evenly over the window, in time order.
A rerun with the same parameters reuses the database (\`<db>.meta.json\`). The queries then go
through the real HTTP API of the built collector started on that file as its own process
(\`node server/dist/main.js --db\`, retention off; before 2026-12-06 07:40 it ran inside the
benchmark process, sharing the client's event loop), one at a time: ${queries.results[0]?.timing.reps ?? 0} timed requests each after 3 warm-up
requests, on one kept-alive node:http connection (\`test/bench/http-client.ts\`), from the request to
the last byte of the gunzipped body; p95 is nearest-rank. Until 2026-12-06 09:40 the client was
\`fetch\`, whose own work added 0.4–0.6 ms to medians and 2–4 ms to get-trace's p99 (1,000
requests timed both ways, alternately), and made busy/idle ratios look smaller. Percentiles,
operation stats, histogram and heatmap merge sketches (never spans): hourly ones for the
whole hours of the window, per-minute ones at its edges. The slow-span lists take the
sketch's percentile as threshold and read the (operation, duration bucket) index from the
slowest bucket down (a window holding all the data, as here, always takes that plan), one scan per
operation merged for a whole service. The machine has 2 cores; single runs vary by ±20% or
more, far more when other work shares them. Scale with \`BENCH_SPANS\` (e.g. 1000000), \`BENCH_DB\`, \`BENCH_REPS\`,
\`BENCH_INGEST_SECONDS\` (0 skips ingest), \`BENCH_INGEST_SPANS\`, \`BENCH_INGEST_SENDERS\` (e.g. 4,8), \`BENCH_INGEST_PROTOCOLS\`; \`BENCH_COLLECTOR_MAIN\` runs another build of the collector (ingest and queries alike); \`BENCH_WRITE=0\` leaves this file alone.
The default database is \`data/bench-${countLabel(settings.spans)}.db\`.
`;
}

/** Replaces this file's "## Query and ingest" section (up to the next "## " heading), or appends one. */
export function writeSection(markdown: string, heading: string = HEADING): void {
  const current = existsSync(BENCH_DOC) ? readFileSync(BENCH_DOC, 'utf8') : '# Benchmarks\n';
  const lines = current.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  let next: string;
  if (start < 0) {
    next = `${current.replace(/\n*$/, '')}\n\n${markdown}`;
  } else {
    let end = lines.findIndex((line, i) => i > start && /^## /.test(line));
    if (end < 0) end = lines.length;
    const before = lines.slice(0, start).join('\n').replace(/\n*$/, '');
    const after = lines.slice(end).join('\n');
    next = `${before}\n\n${markdown}${after ? `\n${after}` : ''}`;
  }
  writeFileSync(BENCH_DOC, next.endsWith('\n') ? next : `${next}\n`);
}
