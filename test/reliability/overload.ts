import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatchFactory, DEFAULT_SERVER_COMMAND, arg, batchTraceId, log, percentile, postOnce, sleep, startServerProcess } from './reliability-support.js';
import { timedGet } from '../bench/http-client.js';
import { cpuSeconds } from '../support/proc-cpu.js';

/**
 * Overload with retrying exporters. First measures capacity (acknowledged 512-span batches
 * per second with `--clients` closed-loop clients, over the second half of
 * `--capacity-seconds`), then the same again with the UI-like client below running (what
 * ingest can take while those queries have their share), then offers `--factor` (2.5) times
 * the first as an open stream of batches for `--seconds`, each one retried with the OTel
 * exporters' backoff, never sooner than the server's Retry-After (an exporter holds at most
 * `--max-inflight` batches and drops new ones beyond, as their queues do). Meanwhile a
 * UI-like client runs queries. Then both capacities again, in the reverse order.
 * Reports acknowledged throughput against the mean of each capacity's two measurements (and
 * against the first alone, as earlier runs did), how fast refusals come, query latency, and
 * checks that every acknowledged batch is stored. The load generator runs on the same
 * machine: the CPU it used, the server used and the machine left idle in each phase are
 * reported, so that a result can be read against what the clients took.
 *
 * The UI-like client asks, in turn, for the services, a search of the newest 20 traces and
 * one trace (`--queries jaeger`, the default: through the Jaeger API, as Grafana does, so a
 * search answers 20 whole traces of 512 spans, ~10k spans; `--queries ui`: as Threadline's
 * own UI does, a search answering trace summaries and a trace in the compact format).
 *
 *   node --import tsx test/reliability/overload.ts [--seconds 30] [--factor 2.5] [--clients 8] [--max-inflight 512] [--query-ms 100] [--queries jaeger|ui]
 */

const SCRIPT = 'overload';
const seconds = Number(arg('seconds', '30'));
const factor = Number(arg('factor', '2.5'));
const clients = Number(arg('clients', '8'));
const maxInflight = Number(arg('max-inflight', '512'));
const command = arg('server', DEFAULT_SERVER_COMMAND);
/** Pause between the UI-like client's queries; 0 runs none. */
const queryPauseMs = Number(arg('query-ms', '100'));
const queryMix = arg('queries', 'jaeger');
if (queryMix !== 'jaeger' && queryMix !== 'ui') throw new Error(`--queries is jaeger or ui, not ${queryMix}`);

async function main(): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-overload-'));
  const server = await startServerProcess(command, ['--db', path.join(dir, 'db'), '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off', '--retention', '0'], 2);
  const ingest = `${server.urls['OTLP/HTTP']}/v1/traces`;
  const api = server.urls['UI + query API']!;
  const acked: Array<[number, number]> = [];
  const batches = new BatchFactory();

  const pid = server.child.pid!;
  // 1. Capacity: sustained, so measured over the second half of a run (a fresh database takes
  // the first seconds faster). Then again with the queries running: under overload they keep
  // their share (foreground-gate.ts), so what overload itself costs shows against this one.
  // Both again after the overload, in the reverse order: the shared host's pace drifts from
  // minute to minute (one run's capacity 259 batches/s, the next one's 201, same build) and
  // the database grows through the run, so the overload is set against the mean of a
  // measurement on either side of it.
  const capacitySeconds = Number(arg('capacity-seconds', '30'));
  let seq = 0;
  const measureCapacity = async (): Promise<number> => {
    const capStart = Date.now();
    const capDeadline = capStart + capacitySeconds * 1000;
    let inSecondHalf = 0;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (Date.now() < capDeadline) {
          const mine = seq++;
          if ((await postOnce(ingest, batches.batch(1, mine))).status === 200) {
            acked.push([1, mine]);
            if (Date.now() - capStart >= (capacitySeconds * 1000) / 2) inSecondHalf++;
          }
        }
      }),
    );
    return inSecondHalf / (capacitySeconds / 2);
  };
  const plainCapacity = async (when: string): Promise<number> => {
    const cpu = cpuMark(pid);
    const capacity = await measureCapacity();
    log(SCRIPT, `capacity ${when}: ${capacity.toFixed(1)} batches/s (${Math.round(capacity * 512)} spans/s) with ${clients} clients; ${cpuSince(cpu, pid)}`);
    return capacity;
  };
  const capacityWithQueries = async (when: string): Promise<number | undefined> => {
    if (queryPauseMs <= 0) return undefined;
    const cpu = cpuMark(pid);
    const times = new QueryTimes();
    const [capacity] = await Promise.all([measureCapacity(), runQueries(api, Date.now() + capacitySeconds * 1000, Date.now(), times)]);
    log(SCRIPT, `capacity with the queries running, ${when}: ${capacity.toFixed(1)} batches/s; ${times.summary()}; ${cpuSince(cpu, pid)}`);
    return capacity;
  };
  const capacity = await plainCapacity('before');
  const withQueriesBefore = await capacityWithQueries('before');

  // 2. Overload.
  const rate = capacity * factor;
  // Over the offered load's seconds: time ingest's threads waited for queries in flight
  // (foreground-gate.ts), and time acknowledgements waited for indexing (the store's pacing).
  const waitsAtStart = await ingestWaits(api);
  const start = Date.now();
  const cpu = cpuMark(pid);
  const deadline = start + seconds * 1000;
  // CPU over the offered load's seconds only, not the retries' tail after them.
  const atDeadline = sleep(seconds * 1000).then(async () => ({ cpu: cpuSince(cpu, pid), waits: await ingestWaits(api) }));
  let inflight = 0;
  let droppedByExporter = 0;
  let overloadAcked = 0;
  const refusalMs: number[] = [];
  const statuses = new Map<number, number>();
  const exporterBatch = async (mine: number) => {
    inflight++;
    const body = batches.batch(2, mine);
    let backoff = 1000;
    try {
      while (Date.now() < deadline + 15_000) {
        const res = await postOnce(ingest, body, undefined, undefined, 10_000);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200) {
          acked.push([2, mine]);
          if (Date.now() <= deadline) overloadAcked++;
          return;
        }
        if (res.status === 429 || res.status === 503) refusalMs.push(res.ms);
        // The OTel exporters' retry: exponential backoff from 1 s (×1.5, at most 5 s, ±20% jitter), never sooner than Retry-After.
        await sleep(Math.max(res.retryAfterS * 1000, backoff * (0.8 + 0.4 * Math.random())));
        backoff = Math.min(5000, backoff * 1.5);
      }
    } finally {
      inflight--;
    }
  };
  const arrivals = (async () => {
    const pending: Promise<void>[] = [];
    for (let n = 0; Date.now() < deadline; n++) {
      const due = start + (n * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      if (inflight >= maxInflight) droppedByExporter++;
      else pending.push(exporterBatch(n));
    }
    await Promise.all(pending);
  })();
  const queryTimes = new QueryTimes();
  const queries = runQueries(api, deadline, start, queryTimes);
  const progress = setInterval(() => {
    void metricsLine(api).then((m) => log(SCRIPT, `${Math.round((Date.now() - start) / 1000)} s: ${overloadAcked} batches acknowledged, ${inflight} in flight; server: ${m}`));
  }, 5000);
  await Promise.all([arrivals, queries]);
  clearInterval(progress);
  const { cpu: overloadCpu, waits: waitsAtEnd } = await atDeadline;
  const aside = waitsAtEnd.steppedAside - waitsAtStart.steppedAside;
  const paced = waitsAtEnd.paced - waitsAtStart.paced;
  const withQueriesAfter = await capacityWithQueries('after');
  const capacityAfter = await plainCapacity('after');

  // 3. Every acknowledged batch is stored.
  let missing = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < acked.length; i = next++) {
        const [run, s] = acked[i]!;
        const res = await fetch(`${api}/api/traces/${batchTraceId(run, s)}`);
        const n = res.status === 200 ? ((await res.json()) as { data: Array<{ spans: unknown[] }> }).data[0]!.spans.length : 0;
        if (n !== 512) missing++;
      }
    }),
  );
  const finalMetrics = await scrapeMetrics(api);
  const refusedConnections = connectionsRefused(finalMetrics);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  const throughput = overloadAcked / seconds;
  const pct = (of: number) => `${((100 * throughput) / of).toFixed(0)}%`;
  const meanCapacity = (capacity + capacityAfter) / 2;
  const ofCapacityWithQueries = withQueriesBefore === undefined || withQueriesAfter === undefined ? '' : `; ${pct((withQueriesBefore + withQueriesAfter) / 2)} of capacity with the queries running (${pct(withQueriesBefore)} of the one before)`;
  log(SCRIPT, `offered ${rate.toFixed(1)} batches/s (${factor}× the capacity before; ${(rate / meanCapacity).toFixed(2)}× the mean) for ${seconds} s: acknowledged ${throughput.toFixed(1)} batches/s = ${pct(meanCapacity)} of capacity (the mean of ${capacity.toFixed(1)} before and ${capacityAfter.toFixed(1)} after; ${pct(capacity)} of the one before)${ofCapacityWithQueries}; dropped by the exporter (its queue full) ${droppedByExporter}; ${overloadCpu}; in those ${seconds} s, ingest threads stepped aside for queries ${aside.toFixed(1)} s (summed over threads) and acknowledgements waited for indexing ${paced.toFixed(1)} s (summed over batches)`);
  log(SCRIPT, `refusals (429/503): ${refusalMs.length}, answered in p50 ${percentile(refusalMs, 0.5).toFixed(1)} ms, p90 ${percentile(refusalMs, 0.9).toFixed(1)} ms, p99 ${percentile(refusalMs, 0.99).toFixed(1)} ms (${refusalMs.filter((ms) => ms > 100).length} over 100 ms); ${queryTimes.summary()}`);
  log(SCRIPT, `statuses: ${[...statuses].map(([k, v]) => `${k} ×${v}`).join(', ')} (0: no answer; connections the server closed at once for a cap: ${refusedConnections}); acknowledged batches missing afterwards: ${missing} of ${acked.length}`);
  log(SCRIPT, `the server's count, whole run: ${serverCounts(finalMetrics)}`);
  return missing === 0 ? 0 : 1;
}

/** The UI-like client's query latencies, and its slowest queries (to see which kind makes the tail). */
class QueryTimes {
  private readonly ms: number[] = [];
  private readonly slowest: Array<{ ms: number; path: string; at: number }> = [];

  add(ms: number, path: string, atS: number): void {
    this.ms.push(ms);
    this.slowest.push({ ms, path: path.split('?')[0]!, at: Math.round(atS * 10) / 10 });
    this.slowest.sort((a, b) => b.ms - a.ms).splice(3);
  }

  summary(): string {
    if (this.ms.length === 0) return 'no queries';
    const slowest = this.slowest.map((q) => `${q.path} ${q.ms.toFixed(0)} ms at ${q.at} s`).join(', ');
    return `queries (${queryMix}): ${this.ms.length}, p50 ${percentile(this.ms, 0.5).toFixed(1)} ms, p99 ${percentile(this.ms, 0.99).toFixed(1)} ms (slowest: ${slowest})`;
  }
}

/** Asks, in turn, for the services, a search and one trace, `--query-ms` apart, until `deadline` (none when 0). */
async function runQueries(api: string, deadline: number, start: number, times: QueryTimes): Promise<void> {
  const paths =
    queryMix === 'jaeger'
      ? ['/api/services', '/api/traces?service=reliability&limit=20', `/api/traces/${batchTraceId(1, 0)}`]
      : ['/api/v1/services', '/api/v1/search?service=reliability&limit=20', `/api/v1/traces/${batchTraceId(1, 0)}?format=compact-3`];
  for (let n = 0; queryPauseMs > 0 && Date.now() < deadline; n++) {
    const path = paths[n % paths.length]!;
    // Timed as the query benchmark times its queries (node:http, kept alive, gzip).
    const { ms } = await timedGet(`${api}${path}`);
    times.add(ms, path, (Date.now() - start) / 1000);
    await sleep(queryPauseMs);
  }
}

interface CpuMark {
  at: number;
  client: NodeJS.CpuUsage;
  serverSeconds: number;
  machine: MachineTicks;
}

/** The whole machine's CPU time, all cores, in clock ticks (/proc/stat's first line). */
interface MachineTicks {
  idle: number;
  steal: number;
  total: number;
}

function machineTicks(): MachineTicks {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guests are already counted in user and nice.
  const [, , , idle = 0, iowait = 0, , , steal = 0] = fields;
  return { idle: idle + iowait, steal, total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
}

function cpuMark(pid: number): CpuMark {
  return { at: performance.now(), client: process.cpuUsage(), serverSeconds: cpuSeconds(pid), machine: machineTicks() };
}

/** CPU of this load generator and of the server since `mark`, in % of one core. */
function cpuSince(mark: CpuMark, pid: number): string {
  const seconds = (performance.now() - mark.at) / 1000;
  const client = process.cpuUsage(mark.client);
  const clientPct = (100 * (client.user + client.system)) / 1e6 / seconds;
  const serverPct = (100 * (cpuSeconds(pid) - mark.serverSeconds)) / seconds;
  const now = machineTicks();
  const machineTotal = now.total - mark.machine.total;
  const share = (ticks: number) => ((100 * ticks) / machineTotal).toFixed(0);
  return `CPU: load generator ${clientPct.toFixed(0)}%, server ${serverPct.toFixed(0)}% of one core (2 cores, shared; the machine ${share(now.idle - mark.machine.idle)}% idle, ${share(now.steal - mark.machine.steal)}% stolen, of all its cores)`;
}

/** The text of `GET /metrics`. */
async function scrapeMetrics(api: string): Promise<string> {
  return (await fetch(`${api}/metrics`)).text();
}

/** A series' value in a Prometheus text exposition (`name value` on a line of its own), as written. */
function metricSample(text: string, name: string): string | undefined {
  return text.split('\n').find((l) => l.startsWith(`${name} `))?.slice(name.length + 1);
}

/** A counter summed by one of its labels (over every other), as `value ×n, …`, or `none`. */
function countsByLabel(text: string, metric: string, label: string): string {
  const byValue = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${metric}\\{[^}]*${label}="([^"]+)"[^}]*\\} (\\S+)$`, 'gm'))) byValue.set(m[1]!, (byValue.get(m[1]!) ?? 0) + Number(m[2]));
  return byValue.size === 0 ? 'none' : [...byValue].map(([value, n]) => `${value} ×${n}`).join(', ');
}

/**
 * `threadline_connections_refused_total` by cap, summed over listeners. The exporters here all
 * come from 127.0.0.1 with up to `--max-inflight` connections, more than the per-client cap.
 */
function connectionsRefused(text: string): string {
  return countsByLabel(text, 'threadline_connections_refused_total', 'cap');
}

/** Spans decoded and stored, and requests refused by reason, summed over receivers: decoding spent on spans not stored shows here. */
function serverCounts(text: string): string {
  const sum = (name: string) => [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))].reduce((total, m) => total + Number(m[1]), 0);
  const refused = countsByLabel(text, 'threadline_ingest_requests_rejected_total', 'reason');
  return `spans decoded ${sum('threadline_spans_received_total')}, stored ${sum('threadline_spans_accepted_total')}; requests refused: ${refused}`;
}

/** Seconds ingest's threads stepped aside for queries, and acknowledgements waited for indexing, so far. */
async function ingestWaits(api: string): Promise<{ steppedAside: number; paced: number }> {
  const text = await scrapeMetrics(api);
  const value = (name: string) => Number(metricSample(text, name) ?? Number.NaN);
  return { steppedAside: value('threadline_ingest_stepped_aside_seconds_total'), paced: value('threadline_ingest_paced_seconds_total') };
}

/** Queue depth, budget use and commits so far, from /metrics. */
async function metricsLine(api: string): Promise<string> {
  const text = await scrapeMetrics(api);
  const value = (name: string) => metricSample(text, name) ?? '?';
  return `queue ${value('threadline_ingest_queue_spans')} spans, in-flight ${(Number(value('threadline_ingest_inflight_bytes')) / 1e6).toFixed(1)} MB, ${value('threadline_store_commit_seconds_count')} commits taking ${Number(value('threadline_store_commit_seconds_sum')).toFixed(1)} s`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
