import { spawn } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../server/src/config.js';
import type {
  V1OperationStatsResponse,
  V1PercentilesResponse,
  V1SlowSpansResponse,
} from '../../server/src/query/v1-api/latency-types.js';
import { MAIN_JS, spawnThreadline } from '../support/spawned-server.js';
import type { SeedResult } from './seed-database.js';
import { listSegments } from '../../server/src/store/sqlite/ingest-log-file.js';
import { summarize, type Timing } from './timing.js';
import { timedGet } from './http-client.js';

/**
 * Query latency through the real HTTP API: the built collector started on the seeded
 * database as its own process (`node server/dist/main.js --db …`, retention off so nothing
 * is deleted under the benchmark), then sequential GETs from this process (http-client.ts) timed
 * from request to the last byte of the body, after warm-up. Client and server do not share an
 * event loop: when they did (the server started in this process), the client's own work
 * waited behind the server's ingest while ingest ran, and counted as query latency.
 */

const WARMUP = 3;
const SERVICE = 'frontend';

export interface QueryResult {
  name: string;
  path: string | ((i: number) => string);
  /** The issue's target for this query at 10M spans, when it has one: for the median and the p95, or the p99 (`targetOnP99`). */
  targetMs?: number;
  targetOnP99?: boolean;
  timing: Timing;
  /** The same query while full-speed ingest runs into a copy of the database, when measured. */
  busy?: Timing;
  /** What the answer held, for the report (e.g. "count 812,345"). */
  answer: string;
}

/** `path` may vary per request (e.g. a different trace each time, so that a cache does not flatter the figure). */
async function timeQuery(base: string, path: string | ((i: number) => string), reps: number): Promise<{ timing: Timing; body: unknown; text: string }> {
  const at = (i: number) => base + (typeof path === 'string' ? path : path(i));
  let last = await timedGet(at(0));
  if (last.status !== 200) throw new Error(`GET ${at(0)} answered ${last.status}: ${last.text.slice(0, 300)}`);
  for (let i = 1; i < WARMUP; i++) await timedGet(at(i));
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    last = await timedGet(at(WARMUP + i));
    if (last.status !== 200) throw new Error(`GET ${at(WARMUP + i)} answered ${last.status}`);
    samples.push(last.ms);
  }
  return { timing: summarize(samples), body: JSON.parse(last.text), text: last.text };
}

export interface QueryReport {
  /** From spawning the collector to its listening, on the seeded file. */
  openMs: number;
  results: QueryResult[];
  /** What the background senders achieved while the `busy` timings were taken. */
  ingestWhileBusy?: string;
}

const INGEST_SENDERS = 4;
/** Enough for the busy phase at BENCH_REPS=300 even while queries slow ingest down (it reports if they ran out). */
const INGEST_SPANS = 2_000_000;

/** The store to query, when not the SQLite file at dbPath (the ClickHouse bench). */
export type QueryStore = Partial<Pick<Config, 'storage' | 'clickhouseUrl' | 'clickhouseDatabase'>>;

const collectorMain = (): string => process.env.BENCH_COLLECTOR_MAIN || MAIN_JS;

/**
 * The built collector on `dbPath` (or the store `store` names) in a process of its own, with
 * an OTLP/HTTP listener when `otlpHttp`; `close` stops it (SIGTERM) and waits for it to exit.
 */
async function startCollector(dbPath: string, otlpHttp: boolean, store: QueryStore): Promise<{ base: string; otlp?: string; close(): Promise<void> }> {
  const args = ['--db', dbPath, '--http-port', '0', '--otlp-http-port', otlpHttp ? '0' : 'off', '--otlp-grpc-port', 'off', '--zipkin-port', 'off', '--retention', '0'];
  if (store.storage) args.push('--storage', store.storage);
  if (store.clickhouseUrl) args.push('--clickhouse-url', store.clickhouseUrl);
  if (store.clickhouseDatabase) args.push('--clickhouse-database', store.clickhouseDatabase);
  // BENCH_COLLECTOR_MAIN: another build, as for the ingest runs (ingest-load.ts).
  const server = await spawnThreadline(args, otlpHttp ? 2 : 1, {}, [process.execPath, collectorMain()]);
  let closed: Promise<void> | undefined;
  return {
    base: server.urls['UI + query API']!,
    ...(otlpHttp ? { otlp: server.urls['OTLP/HTTP']! } : {}),
    close: () =>
      (closed ??= (async () => {
        server.child.kill('SIGTERM');
        await server.exited;
      })()),
  };
}

/**
 * Full-speed OTLP/HTTP ingest from a child process (ingest-background.ts) into `otlpUrl`,
 * started once its payloads are encoded; `stop` ends it and returns what it reported.
 */
async function startBackgroundIngest(otlpUrl: string, log: (line: string) => void): Promise<{ stop(): Promise<string> }> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ingest-background.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, otlpUrl, String(INGEST_SENDERS), String(INGEST_SPANS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        lines.push(line);
        if (line === 'ready') resolve();
        else log(`    background ingest: ${line}`);
      }
    });
    void exited.then(() => reject(new Error(`the background ingest exited early: ${lines.join(' | ')}`)));
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return lines.filter((l) => l !== 'ready').slice(-2).join('; ');
    },
  };
}

/**
 * Times every query on the seeded database, then (`whileIngesting`) again on a copy of it
 * while a child process ingests into it at full speed, so the seeded file stays as seeded.
 */
export async function measureQueries(
  dbPath: string,
  seed: Pick<SeedResult, 'startNs' | 'endNs'>,
  reps: number,
  log: (line: string) => void,
  options: { whileIngesting: boolean; store?: QueryStore },
): Promise<QueryReport> {
  const opened = performance.now();
  const server = await startCollector(dbPath, false, options.store ?? {});
  const openMs = performance.now() - opened;
  log(`collector (${path.relative(process.cwd(), collectorMain())}) up on the seeded database in ${Math.round(openMs)} ms`);
  const { base } = server;
  const window = `start=${seed.startNs}&end=${seed.endNs}`;
  try {
    const statsPath = `/api/v1/operations/stats?service=${SERVICE}&${window}&buckets=30`;
    const stats = (await timedGet(base + statsPath)).text;
    const operations = (JSON.parse(stats) as V1OperationStatsResponse).operations;
    const busiest = operations.reduce((a, b) => (b.count > a.count ? b : a));
    const op = encodeURIComponent(busiest.name);
    const jaegerWindow = `start=${BigInt(seed.startNs) / 1000n}&end=${BigInt(seed.endNs) / 1000n}`;
    const jaeger = (query: string) => `/api/traces?${jaegerWindow}&limit=20&${query}`;
    const traceIds = (JSON.parse((await timedGet(base + jaeger(`service=${SERVICE}`))).text) as { data: Array<{ traceID: string }> }).data.map(
      (t) => t.traceID,
    );
    if (traceIds.length === 0) throw new Error('the seeded database has no traces of the benchmark service');
    const all = JSON.parse((await timedGet(`${base}/api/v1/percentiles?service=${SERVICE}&${window}&q=0.9`)).text) as V1PercentilesResponse;
    const p90Us = Math.round(Number(all.quantiles[0]!.durationNano) / 1000);
    // The traces' spans and bytes too: searches answer whole traces, and two windows' newest 20 can differ in size.
    const countTraces = (b: unknown, text: string) => {
      const traces = (b as { data: Array<{ spans: unknown[] }> }).data;
      return `${traces.length} traces, ${traces.reduce((n, t) => n + t.spans.length, 0)} spans, ${Math.round(Buffer.byteLength(text) / 1024)} KB`;
    };
    const cases: Array<Omit<QueryResult, 'timing' | 'answer'> & { describe(body: unknown, text: string): string }> = [
      {
        name: 'get trace by ID (20 different traces in turn)',
        path: (i) => `/api/traces/${traceIds[i % traceIds.length]!}`,
        targetMs: 10,
        targetOnP99: true,
        describe: (b) => `${(b as { data: Array<{ spans: unknown[] }> }).data[0]!.spans.length} spans`,
      },
      { name: `search: service ${SERVICE}, 24 h, limit 20`, path: jaeger(`service=${SERVICE}`), targetMs: 50, describe: countTraces },
      {
        name: `search: service ${SERVICE} + operation "${busiest.name}", 24 h, limit 20`,
        path: jaeger(`service=${SERVICE}&operation=${op}`),
        targetMs: 50,
        describe: countTraces,
      },
      {
        name: 'search: tag http.status_code=500 (about 1% of traces), 24 h, limit 20',
        path: jaeger(`tags=${encodeURIComponent('{"http.status_code":"500"}')}`),
        targetMs: 50,
        describe: countTraces,
      },
      {
        name: 'search: tag deployment.environment=production (every trace), 24 h, limit 20',
        path: jaeger(`tags=${encodeURIComponent('{"deployment.environment":"production"}')}`),
        targetMs: 50,
        describe: countTraces,
      },
      {
        name: `search: service ${SERVICE}, minDuration = its p90 (${(p90Us / 1000).toFixed(1)} ms, 10% of spans), 24 h`,
        path: jaeger(`service=${SERVICE}&minDuration=${p90Us}us`),
        targetMs: 50,
        describe: countTraces,
      },
      {
        name: `search: service ${SERVICE}, minDuration 1000 s (matches nothing), 24 h`,
        path: jaeger(`service=${SERVICE}&minDuration=1000s`),
        targetMs: 50,
        describe: countTraces,
      },
      { name: 'services list', path: '/api/services', targetMs: 50, describe: (b) => `${(b as { data: unknown[] }).data.length} services` },
      {
        name: `operations of ${SERVICE}`,
        path: `/api/services/${SERVICE}/operations`,
        targetMs: 50,
        describe: (b) => `${(b as { data: unknown[] }).data.length} operations`,
      },
      {
        name: `p50/p90/p99 of one operation (${SERVICE} "${busiest.name}"), 24 h`,
        path: `/api/v1/percentiles?service=${SERVICE}&operation=${op}&${window}&q=0.5,0.9,0.99`,
        targetMs: 100,
        describe: (b) => describePercentiles(b as V1PercentilesResponse),
      },
      {
        name: `p50/p90/p99 of every operation of ${SERVICE} together, 24 h`,
        path: `/api/v1/percentiles?service=${SERVICE}&${window}&q=0.5,0.9,0.99`,
        targetMs: 100,
        describe: (b) => describePercentiles(b as V1PercentilesResponse),
      },
      {
        name: `operations/stats of ${SERVICE} (buckets=30), 24 h`,
        path: statsPath,
        targetMs: 100,
        describe: (b) => {
          const stats = b as V1OperationStatsResponse;
          return `${stats.operations.length} operations, p99 series of ${stats.bucketStarts.length} hourly points`;
        },
      },
      {
        name: `spans above p99 of one operation, limit 50, 24 h`,
        path: `/api/v1/slow-spans?service=${SERVICE}&operation=${op}&${window}&percentile=99&limit=50`,
        targetMs: 200,
        describe: (b) => describeSlowSpans(b as V1SlowSpansResponse),
      },
      {
        name: `spans above p99 of every operation of ${SERVICE}, limit 50, 24 h`,
        path: `/api/v1/slow-spans?service=${SERVICE}&${window}&percentile=99&limit=50`,
        targetMs: 200,
        describe: (b) => describeSlowSpans(b as V1SlowSpansResponse),
      },
      {
        name: `latency histogram of one operation, 24 h`,
        path: `/api/v1/latency/histogram?service=${SERVICE}&operation=${op}&${window}`,
        describe: (b) => `${(b as { buckets: unknown[] }).buckets.length} buckets`,
      },
      {
        name: `latency heatmap of one operation (timeBuckets=60, latencyBuckets=40), 24 h`,
        path: `/api/v1/latency/heatmap?service=${SERVICE}&operation=${op}&${window}&timeBuckets=60&latencyBuckets=40`,
        describe: (b) => {
          const heatmap = b as { timeBuckets: unknown[]; latencyBuckets: unknown[] };
          return `${heatmap.timeBuckets.length} × ${heatmap.latencyBuckets.length} cells`;
        },
      },
    ];
    const results: QueryResult[] = [];
    for (const c of cases) {
      const { timing, body, text } = await timeQuery(base, c.path, reps);
      const answer = c.describe(body, text);
      log(`  ${c.name}: median ${timing.medianMs.toFixed(1)} ms, p95 ${timing.p95Ms.toFixed(1)} ms, p99 ${timing.p99Ms.toFixed(1)} ms (${answer})`);
      results.push({ name: c.name, path: c.path, ...(c.targetMs ? { targetMs: c.targetMs } : {}), ...(c.targetOnP99 ? { targetOnP99: true } : {}), timing, answer });
    }
    if (!options.whileIngesting) return { openMs, results };
    await server.close();
    return { openMs, results, ingestWhileBusy: await measureWhileIngesting(dbPath, results, reps, log) };
  } finally {
    await server.close();
  }
}

async function measureWhileIngesting(dbPath: string, results: QueryResult[], reps: number, log: (line: string) => void): Promise<string> {
  const copy = `${dbPath}.while-ingesting.db`;
  log(`while ingesting: copying the database to ${path.basename(copy)}, then ${INGEST_SENDERS} senders at full speed`);
  copyFileSync(dbPath, copy);
  const server = await startCollector(copy, true, {});
  try {
    const ingest = await startBackgroundIngest(server.otlp!, log);
    let report = '';
    try {
      // Past the first passes and the page cache's first misses.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const { base } = server;
      for (const result of results) {
        result.busy = (await timeQuery(base, result.path, reps)).timing;
        log(`  ${result.name}: median ${result.busy.medianMs.toFixed(1)} ms, p95 ${result.busy.p95Ms.toFixed(1)} ms, p99 ${result.busy.p99Ms.toFixed(1)} ms while ingesting`);
      }
    } finally {
      report = await ingest.stop();
    }
    return report;
  } finally {
    await server.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
    for (const file of listSegments(copy).map((s) => s.path)) rmSync(file, { force: true });
  }
}

function describePercentiles(b: V1PercentilesResponse): string {
  const p99 = b.quantiles.find((q) => q.q === 0.99)?.durationNano;
  return `count ${b.count.toLocaleString('en-US')}, p99 ${p99 === null || p99 === undefined ? '–' : `${(Number(p99) / 1e6).toFixed(1)} ms`}`;
}

function describeSlowSpans(b: V1SlowSpansResponse): string {
  return `threshold ${(Number(b.thresholdNano) / 1e6).toFixed(1)} ms, ${b.spans.length} spans${b.nextCursor ? ', more follow' : ''}`;
}
