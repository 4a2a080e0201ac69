import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatchFactory, DEFAULT_SERVER_COMMAND, arg, log, percentile, postOnce, startServerProcess } from '../reliability/reliability-support.js';
import { timedGet } from './http-client.js';
import { cpuSeconds, statCpuSeconds } from '../support/proc-cpu.js';

/**
 * Jaeger searches that answer whole big traces, as Grafana's Jaeger data source asks for
 * them: 20 traces of 512 spans (overload.ts's batches, one trace each, 10 attributes a span),
 * ~12 MB of JSON an answer. Each `--server` command is started on a fresh database of its
 * own, seeded with 40 such traces over OTLP/HTTP; then the servers are asked in turn,
 * `--rounds` rounds of `--searches` searches each, so that a slower or faster minute of a
 * shared host falls on all of them. Timed as the query benchmark times (node:http, kept
 * alive, gzip, the body read and inflated), with the CPU a search took on each side (/proc).
 * Not part of CI: a measurement, not a test.
 *
 *   node --import tsx test/bench/jaeger-search.ts [--server "node a/main.js"] [--server …] [--rounds 2] [--searches 60]
 */

const SCRIPT = 'jaeger-search';
const servers = process.argv.flatMap((a, i) => (a === '--server' ? [process.argv[i + 1]!] : []));
if (servers.length === 0) servers.push(DEFAULT_SERVER_COMMAND);
const rounds = Number(arg('rounds', '2'));
const searches = Number(arg('searches', '60'));
const TRACES = 40;

async function main(): Promise<void> {
  const started = await Promise.all(
    servers.map(async (command) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-jaeger-search-'));
      const server = await startServerProcess(command, ['--db', path.join(dir, 'db'), '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off', '--retention', '0'], 2);
      return { command, dir, server };
    }),
  );
  try {
    const batches = new BatchFactory();
    for (const { command, server } of started) {
      for (let i = 0; i < TRACES; i++) {
        const { status } = await postOnce(`${server.urls['OTLP/HTTP']}/v1/traces`, batches.batch(1, i));
        if (status !== 200) throw new Error(`${command}: ingest answered ${status}`);
      }
      log(SCRIPT, `${command}: ${TRACES} traces of 512 spans stored`);
    }
    const times = started.map(() => [] as number[]);
    for (let round = 1; round <= rounds; round++) {
      for (const [k, { command, server }] of started.entries()) {
        const url = `${server.urls['UI + query API']}/api/traces?service=reliability&limit=20`;
        // Unmeasured searches until the background indexing (about once a second) has it all:
        // a search does not wait for a writer that is behind.
        let first = await timedGet(url);
        for (const deadline = Date.now() + 10_000; tracesIn(first.text) < 20 && Date.now() < deadline; ) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          first = await timedGet(url);
        }
        const traces = tracesIn(first.text);
        if (traces !== 20) throw new Error(`${command}: the search answered ${traces} traces after 10 s, not 20`);
        const mine: number[] = [];
        const cpu = cpuMark(server.child.pid!);
        for (let i = 0; i < searches; i++) mine.push((await timedGet(url)).ms);
        times[k]!.push(...mine);
        log(SCRIPT, `round ${round}, ${command}: p50 ${percentile(mine, 0.5).toFixed(1)} ms, p95 ${percentile(mine, 0.95).toFixed(1)} ms (${searches} searches, ${(first.text.length / 1e6).toFixed(1)} MB an answer); ${cpuPerSearch(cpu, server.child.pid!, searches)}`);
      }
    }
    for (const [k, { command }] of started.entries()) {
      const all = times[k]!;
      log(SCRIPT, `${command}: all rounds p50 ${percentile(all, 0.5).toFixed(1)} ms, p95 ${percentile(all, 0.95).toFixed(1)} ms, max ${Math.max(...all).toFixed(1)} ms (${all.length} searches)`);
    }
  } finally {
    for (const { server, dir } of started) {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** CPU time so far, in ms: the server process (all its threads), its main thread, and this client. */
interface CpuMark {
  server: number;
  main: number;
  client: NodeJS.CpuUsage;
}

function cpuMark(pid: number): CpuMark {
  return { server: 1000 * cpuSeconds(pid), main: 1000 * statCpuSeconds(`/proc/${pid}/task/${pid}/stat`), client: process.cpuUsage() };
}

/**
 * What one search cost in CPU, on average: the whole server (main thread, libuv's pool
 * gzipping the answer, the store's reader thread, V8's helpers), its main thread alone, and
 * this client reading and gunzipping the answer; the client shares the machine's cores.
 */
function cpuPerSearch(mark: CpuMark, pid: number, searches: number): string {
  const now = cpuMark(pid);
  const client = process.cpuUsage(mark.client);
  const per = (ms: number) => (ms / searches).toFixed(1);
  return `CPU a search: server ${per(now.server - mark.server)} ms (main thread ${per(now.main - mark.main)} ms), client ${per((client.user + client.system) / 1000)} ms`;
}

function tracesIn(answer: string): number {
  return (JSON.parse(answer) as { data: unknown[] }).data.length;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
