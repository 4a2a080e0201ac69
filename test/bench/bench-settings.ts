import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What `npm run bench` does, from environment variables (all optional). */
export interface BenchSettings {
  /** BENCH_SPANS: spans to seed (default 10,000,000). */
  spans: number;
  /** BENCH_DB: the seeded database (default ./data/bench-<spans>.db, e.g. bench-10m.db). */
  dbPath: string;
  /** BENCH_SEED: generator seed (default 1). */
  seed: number;
  /** BENCH_HOURS: the seeded spans spread over this many hours, ending when seeding started (default 24). */
  hours: number;
  /** BENCH_REPS: measured requests per query, after warm-up (default 30). */
  reps: number;
  /** BENCH_INGEST_SECONDS: how long each ingest run sends (default 60, as issue 8 asks), 0 to skip. */
  ingestSeconds: number;
  /** BENCH_INGEST_SPANS: spans encoded up front for the runs (default 80,000 a second of a run, more than it can take here); a run stops early if they run out. */
  ingestSpans: number;
  /** BENCH_INGEST_SENDERS: concurrent senders, one run each (default 4,8). */
  ingestSenders: number[];
  /** BENCH_INGEST_PROTOCOLS: otlp-http and/or otlp-grpc (default both). */
  ingestProtocols: Array<'otlp-http' | 'otlp-grpc'>;
  /** BENCH_BUSY_QUERIES=0 skips timing the queries again while ingest runs. */
  queriesWhileIngesting: boolean;
  /** BENCH_WRITE=0 leaves docs/benchmarks.md alone. */
  writeDoc: boolean;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, allowZero = false): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < (allowZero ? 0 : 1)) throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got "${raw}"`);
  return n;
}

/** 10000000 → "10m", 1500000 → "1.5m", 200000 → "200k". */
export function countLabel(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(2)}m`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export function parseBenchSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const spans = positiveInteger(env, 'BENCH_SPANS', 10_000_000);
  const ingestSeconds = positiveInteger(env, 'BENCH_INGEST_SECONDS', 60, true);
  return {
    spans,
    dbPath: path.resolve(repoRoot, env.BENCH_DB || `data/bench-${countLabel(spans)}.db`),
    seed: positiveInteger(env, 'BENCH_SEED', 1),
    hours: positiveInteger(env, 'BENCH_HOURS', 24),
    reps: positiveInteger(env, 'BENCH_REPS', 30),
    ingestSeconds,
    ingestSpans: positiveInteger(env, 'BENCH_INGEST_SPANS', ingestSeconds * 80_000, true),
    ingestSenders: (env.BENCH_INGEST_SENDERS || '4,8').split(',').map((n) => positiveInteger({ n }, 'n', 4)),
    ingestProtocols: (env.BENCH_INGEST_PROTOCOLS || 'otlp-http,otlp-grpc').split(',').map((p) => {
      if (p !== 'otlp-http' && p !== 'otlp-grpc') throw new Error(`BENCH_INGEST_PROTOCOLS takes otlp-http and otlp-grpc, got "${p}"`);
      return p;
    }),
    queriesWhileIngesting: env.BENCH_BUSY_QUERIES !== '0',
    writeDoc: env.BENCH_WRITE !== '0',
  };
}
