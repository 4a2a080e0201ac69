/**
 * `npm run bench`: get-trace, search, percentile, operation-stats and slow-span queries over
 * a seeded database of BENCH_SPANS spans (10 million by default) through the real HTTP API,
 * and the OTLP/HTTP and OTLP/gRPC ingest rate of the collector run as its own process. Prints progress and a markdown section, which also
 * replaces the "## Query and ingest" section of docs/benchmarks.md (BENCH_WRITE=0: not).
 * Settings: bench-settings.ts.
 */
import path from 'node:path';
import { parseBenchSettings, repoRoot } from './bench-settings.js';
import { buildPayloads, runIngestLoad, type IngestLoadResult } from './ingest-load.js';
import { buildJaeger, runJaegerIngest, type PeerResult } from './jaeger-peer.js';
import { measureQueries } from './query-bench.js';
import { BENCH_DOC, buildSection, machineLine, sketchTableStats, writeSection } from './report.js';
import { recordFirstOpen, seedDatabase } from './seed-database.js';
import { hostPaceMs } from '../support/host-pace.js';

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const settings = parseBenchSettings(process.env);
  // The machine's pace beside the figures: on a shared host it moves by half within minutes (host-pace.ts).
  const paceAtStart = hostPaceMs();
  log(`host pace ${Math.round(paceAtStart)} ms (test/support/host-pace.ts: lower is faster)`);
  let seed = seedDatabase(settings, log);
  log(`database: ${(seed.fileBytes / 2 ** 30).toFixed(2)} GiB`);
  log('queries:');
  const queries = await measureQueries(settings.dbPath, seed, settings.reps, log, { whileIngesting: settings.queriesWhileIngesting });
  seed = recordFirstOpen(settings, seed, queries.openMs);
  const ingest: IngestLoadResult[] = [];
  const peers: PeerResult[] = [];
  if (settings.ingestSeconds > 0 && settings.ingestSpans > 0) {
    log('ingest (collector from server/dist: run `npm run build` first):');
    const { payloads, payloadSpans } = buildPayloads(settings.ingestSpans, settings.seed, log);
    const load = { seconds: settings.ingestSeconds, payloadSpans };
    for (const protocol of settings.ingestProtocols) {
      for (const senders of settings.ingestSenders) ingest.push(await runIngestLoad(protocol, senders, payloads, log, undefined, load));
    }
    if (process.argv.includes('--peer') && process.argv[process.argv.indexOf('--peer') + 1] === 'jaeger') {
      log('peer: Jaeger with Badger, the same payloads over OTLP/HTTP:');
      const jaeger = buildJaeger();
      for (const senders of settings.ingestSenders) peers.push(await runJaegerIngest(jaeger, senders, payloads, log, load));
    }
  }
  const pace = { startMs: paceAtStart, endMs: hostPaceMs() };
  log(`host pace at the end: ${Math.round(pace.endMs)} ms`);
  const markdown = buildSection(settings, seed, queries, ingest, peers, sketchTableStats(settings.dbPath), machineLine(), pace);
  log(`\n${markdown}`);
  if (settings.writeDoc) {
    writeSection(markdown);
    log(`wrote the "Query and ingest" section of ${path.relative(repoRoot, BENCH_DOC)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
