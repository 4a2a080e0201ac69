/**
 * `npm run bench:clickhouse`: the ClickHouse store next to SQLite on this machine. The
 * same OTLP protobuf payloads (BENCH_CH_SPANS spans of the Go fleet generator, 300k by
 * default) are ingested by a collector process on each store (4 senders over OTLP/HTTP,
 * as `npm run bench` does), then the query table of `npm run bench` runs on each, then
 * the percentiles of every busy operation are compared with exact nearest-rank values:
 * Threadline's sketches (built by a GROUP BY on ClickHouse) against ClickHouse's own
 * quantile functions. ClickHouse is chdb (ClickHouse's engine in-process, PyPI) behind
 * test/support/clickhouse/chdb_http_server.py, as in the tests: one process, one query at
 * a time, on the same two shared cores. Replaces the "## ClickHouse store" section of
 * docs/benchmarks.md (BENCH_WRITE=0: not).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startClickhouseTestServer, type ClickhouseTestServer } from '../support/clickhouse-server.js';
import { exactQuantile } from '../support/latency-payloads.js';
import { countLabel, repoRoot } from './bench-settings.js';
import { buildPayloads, runIngestLoad, sqliteIngestTarget, type IngestLoadResult, type IngestTarget } from './ingest-load.js';
import { cpuSeconds } from '../support/proc-cpu.js';
import { measureQueries, type QueryReport } from './query-bench.js';
import { BENCH_DOC, machineLine, writeSection } from './report.js';
import { fmtInt, fmtMs } from './timing.js';

const HEADING = '## ClickHouse store (issue 12)';
const QUANTILES = [0.5, 0.9, 0.99, 0.999];
const log = (line: string) => console.log(line);

async function clickhouseQuery<T>(url: string, sql: string): Promise<T[]> {
  const res = await fetch(url, { method: 'POST', body: `${sql} FORMAT JSONEachRow` });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse: ${text.slice(0, 500)}`);
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T);
}

/** A database on the bench's ClickHouse; kept until `drop` so the queries can run on what was ingested. */
function clickhouseTarget(clickhouse: ClickhouseTestServer, database: string): IngestTarget & { drop(): Promise<void> } {
  return {
    args: ['--storage', 'clickhouse', '--clickhouse-url', clickhouse.url, '--clickhouse-database', database],
    committed: async () => Number((await clickhouseQuery<{ n: string }>(clickhouse.url, `SELECT count() AS n FROM ${database}.spans`))[0]!.n),
    bytes: async () =>
      Number((await clickhouseQuery<{ n: string }>(clickhouse.url, `SELECT sum(bytes_on_disk) AS n FROM system.parts WHERE active AND database = '${database}'`))[0]!.n),
    cleanup: async () => {},
    drop: async () => void (await clickhouseQuery(clickhouse.url, `DROP DATABASE IF EXISTS ${database}`)),
  };
}

interface AccuracyRow {
  method: string;
  maxRelError: number;
  meanRelError: number;
  ms: number;
}

/** Every operation with at least 1,000 spans: exact nearest-rank quantiles against each method's. */
async function measureAccuracy(clickhouse: ClickhouseTestServer, database: string, queryBase: string, window: { startNs: string; endNs: string }): Promise<{ operations: number; rows: AccuracyRow[] }> {
  const t = `${database}.spans`;
  const ops = await clickhouseQuery<{ service: string; name: string; durations: string[] }>(
    clickhouse.url,
    `SELECT service, name, arraySort(groupArray(duration_ns)) AS durations FROM ${t} GROUP BY service, name HAVING count() >= 1000`,
  );
  const exact = new Map(ops.map((o) => [`${o.service}\u0000${o.name}`, QUANTILES.map((q) => exactQuantile(o.durations.map(BigInt), q))]));
  const methods: Array<{ method: string; fn: string }> = [
    { method: 'quantilesExact (ClickHouse, exact)', fn: `quantilesExact(${QUANTILES.join(', ')})` },
    { method: 'quantilesTDigest (ClickHouse)', fn: `quantilesTDigest(${QUANTILES.join(', ')})` },
    { method: 'quantilesDD(0.01) (ClickHouse DDSketch)', fn: `quantilesDD(0.01, ${QUANTILES.join(', ')})` },
    { method: 'quantiles (ClickHouse reservoir of 8192)', fn: `quantiles(${QUANTILES.join(', ')})` },
  ];
  const rows: AccuracyRow[] = [];
  const score = (method: string, ms: number, values: Map<string, number[]>) => {
    const errors: number[] = [];
    for (const [key, want] of exact) {
      const got = values.get(key);
      if (!got) throw new Error(`${method} gave nothing for ${key}`);
      want.forEach((w, i) => errors.push(Math.abs(got[i]! - Number(w)) / Math.max(1, Number(w))));
    }
    rows.push({ method, maxRelError: Math.max(...errors), meanRelError: errors.reduce((a, b) => a + b, 0) / errors.length, ms });
  };
  for (const m of methods) {
    const started = performance.now();
    const result = await clickhouseQuery<{ service: string; name: string; q: number[] }>(
      clickhouse.url,
      `SELECT service, name, ${m.fn}(duration_ns) AS q FROM ${t} GROUP BY service, name HAVING count() >= 1000`,
    );
    score(m.method, performance.now() - started, new Map(result.map((r) => [`${r.service}\u0000${r.name}`, r.q.map(Number)])));
  }
  // Threadline's answer: the percentiles API, one request per operation.
  const started = performance.now();
  const sketch = new Map<string, number[]>();
  for (const o of ops) {
    const res = await fetch(`${queryBase}/api/v1/percentiles?service=${encodeURIComponent(o.service)}&operation=${encodeURIComponent(o.name)}&start=${window.startNs}&end=${window.endNs}&q=${QUANTILES.join(',')}`);
    const body = (await res.json()) as { quantiles: Array<{ durationNano: string }> };
    sketch.set(`${o.service}\u0000${o.name}`, body.quantiles.map((q) => Number(q.durationNano)));
  }
  score('Threadline sketch buckets (GROUP BY latency_bucket), via the API', (performance.now() - started) / Math.max(1, ops.length), sketch);
  return { operations: ops.length, rows };
}

async function main(): Promise<void> {
  const spansWanted = Number(process.env.BENCH_CH_SPANS ?? 300_000);
  const reps = Number(process.env.BENCH_REPS ?? 20);
  log('starting the chdb-backed ClickHouse');
  const clickhouse = await startClickhouseTestServer();
  const database = `bench_${randomBytes(4).toString('hex')}`;
  const chTarget = clickhouseTarget(clickhouse, database);
  const sqliteTarget = sqliteIngestTarget();
  const kept = { ...sqliteTarget, cleanup: async () => {} };
  try {
    const before = BigInt(Date.now() - 60_000) * 1_000_000n;
    const { payloads, spans, payloadSpans } = buildPayloads(spansWanted, 1, log);
    const ingest: Array<{ store: string; result: IngestLoadResult }> = [];
    log('ingest into SQLite (collector from server/dist: run `npm run build` first):');
    ingest.push({ store: 'SQLite', result: await runIngestLoad('otlp-http', 4, payloads, log, kept, { payloadSpans }) });
    log('ingest into ClickHouse:');
    const chdbCpuBefore = cpuSeconds(clickhouse.pid!);
    const chResult = await runIngestLoad('otlp-http', 4, payloads, log, chTarget, { payloadSpans });
    const chdbCpuPer100k = ((cpuSeconds(clickhouse.pid!) - chdbCpuBefore) / chResult.spansCommitted) * 100_000;
    log(`  ClickHouse (chdb process): ${chdbCpuPer100k.toFixed(2)} CPU-s per 100k spans`);
    ingest.push({ store: 'ClickHouse (chdb)', result: chResult });
    const window = { startNs: String(before), endNs: String(BigInt(Date.now() + 60_000) * 1_000_000n) };
    const dbPath = sqliteTarget.args[1]!;
    log('queries on SQLite:');
    const sqliteQueries = await measureQueries(dbPath, window, reps, log, { whileIngesting: false });
    log('queries on ClickHouse:');
    const chQueries = await measureQueries(dbPath, window, reps, log, {
      whileIngesting: false,
      store: { storage: 'clickhouse', clickhouseUrl: clickhouse.url, clickhouseDatabase: database },
    });
    log('percentile accuracy on ClickHouse:');
    const { startServer } = await import('../../server/src/server.js');
    const { defaultConfig } = await import('../../server/src/config.js');
    const { pino } = await import('pino');
    const server = await startServer(
      { ...defaultConfig(), storage: 'clickhouse', clickhouseUrl: clickhouse.url, clickhouseDatabase: database, httpPort: 0, otlpHttpPort: 'off', otlpGrpcPort: 'off', zipkinPort: 'off', retentionNs: 0n, logLevel: 'silent' },
      { logger: pino({ level: 'silent' }) },
    );
    const accuracy = await measureAccuracy(clickhouse, database, `http://127.0.0.1:${server.port('http')}`, window);
    await server.close();
    for (const r of accuracy.rows) log(`  ${r.method}: max error ${(r.maxRelError * 100).toFixed(3)}%, mean ${(r.meanRelError * 100).toFixed(3)}%, ${fmtMs(r.ms)} ms`);
    const markdown = buildSection(spans, reps, ingest, chdbCpuPer100k, sqliteQueries, chQueries, accuracy);
    log(`\n${markdown}`);
    if (process.env.BENCH_WRITE !== '0') {
      writeSection(markdown, HEADING);
      log(`wrote the "${HEADING.slice(3)}" section of ${path.relative(repoRoot, BENCH_DOC)}`);
    }
  } finally {
    await chTarget.drop().catch(() => undefined);
    await sqliteTarget.cleanup();
    await clickhouse.stop();
  }
}

function buildSection(
  spans: number,
  reps: number,
  ingest: Array<{ store: string; result: IngestLoadResult }>,
  chdbCpuPer100k: number,
  sqlite: QueryReport,
  clickhouse: QueryReport,
  accuracy: { operations: number; rows: AccuracyRow[] },
): string {
  const lines = [
    HEADING,
    '',
    `\`npm run bench:clickhouse\` (test/bench/clickhouse-run.ts) on ${machineLine()}. ClickHouse is the engine the tests use: chdb 4.4.0 ` +
      '(ClickHouse 26.9 in-process) behind the small HTTP server of test/support/clickhouse/, one query at a time, on the same two shared ' +
      'cores as the collector and the benchmark itself — a floor for what a real ClickHouse server does, not a measure of one. ' +
      `Both stores took the same ${countLabel(spans)} spans (OTLP protobuf, 512-span batches of the Go fleet generator, 4 senders over OTLP/HTTP, ` +
      'a collector process each, spans counted in the store afterwards).',
    '',
    '### Ingest',
    '',
    '| store | spans/s committed | ack p50 | ack p99 | CPU-s per 100k spans (collector) | bytes/span on disk |',
    '|---|--:|--:|--:|--:|--:|',
    ...ingest.map(({ store, result: r }) =>
      `| ${store} | ${fmtInt(r.spansPerSecond)} | ${fmtMs(r.ackP50Ms)} ms | ${fmtMs(r.ackP99Ms)} ms | ${r.cpuSecondsPer100k.toFixed(2)} | ${r.diskBytesPerSpan.toFixed(0)} |`,
    ),
    '',
    `ClickHouse's own CPU is not in the collector's column (chdb runs in its own process): it took ${chdbCpuPer100k.toFixed(2)} CPU-s per 100k spans ` +
      '(utime + stime of the chdb process over the run, queries of the run included).',
    '',
    `### Queries (${countLabel(spans)} spans, median of ${reps} after warm-up, ms)`,
    '',
    '| query | SQLite | ClickHouse (chdb) | answer on ClickHouse |',
    '|---|--:|--:|---|',
    ...clickhouse.results.map((r, i) => `| ${r.name.replace('24 h', 'whole window')} | ${fmtMs(sqlite.results[i]!.timing.medianMs)} | ${fmtMs(r.timing.medianMs)} | ${r.answer} |`),
    '',
    `### Percentiles: sketches against ClickHouse's quantile functions (${accuracy.operations} operations with ≥ 1,000 spans, p50/p90/p99/p99.9)`,
    '',
    'Error is relative to the exact nearest-rank value of the stored durations; time is the whole query over every such operation ' +
      '(for the sketch: per operation, through the HTTP API).',
    '',
    '| method | max error | mean error | time |',
    '|---|--:|--:|--:|',
    ...accuracy.rows.map((r) => `| ${r.method} | ${(r.maxRelError * 100).toFixed(3)}% | ${(r.meanRelError * 100).toFixed(3)}% | ${fmtMs(r.ms)} ms |`),
    '',
  ];
  return lines.join('\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
