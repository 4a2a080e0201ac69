import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Span } from '@threadline/shared';
import { MIGRATIONS } from '../../server/src/store/sqlite/migrations/index.js';
import { openDatabase } from '../../server/src/store/sqlite/open-database.js';
import { SpanWriter } from '../../server/src/store/sqlite/span-writer.js';
import type { BenchSettings } from './bench-settings.js';
import { buildFleet, TraceGenerator } from './go-fleet-generator.js';

/**
 * Seeds the benchmark database through the store's own writer (SpanWriter: spans,
 * attributes, summaries, catalog and latency sketches, exactly as ingest writes them), in
 * big transactions and without HTTP. A finished seed leaves `<db>.meta.json`; a rerun with
 * the same parameters reuses the database instead of seeding again.
 */

/** Bumped whenever the generator's output changes, so an old seed is not reused. */
const GENERATOR_VERSION = 2;
const SPANS_PER_TRANSACTION = 50_000;
const PROGRESS_EVERY_MS = 5_000;
const HOUR_NS = 3_600_000_000_000n;
const MINUTE_NS = 60_000_000_000n;

export interface SeedParams {
  spans: number;
  seed: number;
  hours: number;
  generator: number;
  /** A database of another schema version is seeded again rather than migrated. */
  schema: number;
}

export interface SeedInfo {
  params: SeedParams;
  complete: boolean;
  /** Unix ns, decimal: the seeded spans start in [startNs, endNs). */
  startNs: string;
  endNs: string;
  traces: number;
  seconds: number;
  /**
   * The first server start on the fresh file, in ms: SQLite's `PRAGMA optimize` at open
   * runs a full ANALYZE on a database never analyzed, once.
   */
  firstOpenMs?: number;
}

export interface SeedResult extends SeedInfo {
  reused: boolean;
  fileBytes: number;
}

/**
 * Schema versions since storage v2 (migration 4) only add or change indexes, which the
 * server's migration builds at open: such a seed is reused rather than seeded again.
 */
const FIRST_REUSABLE_SCHEMA = 4;

const sameParams = (a: SeedParams, b: SeedParams) =>
  a.spans === b.spans &&
  a.seed === b.seed &&
  a.hours === b.hours &&
  a.generator === b.generator &&
  a.schema >= FIRST_REUSABLE_SCHEMA &&
  a.schema <= b.schema;

function readMeta(metaPath: string): SeedInfo | undefined {
  try {
    return JSON.parse(readFileSync(metaPath, 'utf8')) as SeedInfo;
  } catch {
    return undefined;
  }
}

function fileBytes(dbPath: string): number {
  return [dbPath, `${dbPath}-wal`].reduce((n, f) => n + (existsSync(f) ? statSync(f).size : 0), 0);
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Keeps how long the first server start on a fresh seed took, for later reports. */
export function recordFirstOpen(settings: BenchSettings, seed: SeedResult, openMs: number): SeedResult {
  if (seed.reused || seed.firstOpenMs !== undefined) return seed;
  const { reused: _reused, fileBytes: _bytes, ...info } = seed;
  writeFileSync(`${settings.dbPath}.meta.json`, JSON.stringify({ ...info, firstOpenMs: openMs }, null, 2));
  return { ...seed, firstOpenMs: openMs };
}

export function seedDatabase(settings: BenchSettings, log: (line: string) => void): SeedResult {
  const params: SeedParams = {
    spans: settings.spans,
    seed: settings.seed,
    hours: settings.hours,
    generator: GENERATOR_VERSION,
    schema: MIGRATIONS.length,
  };
  const metaPath = `${settings.dbPath}.meta.json`;
  const meta = readMeta(metaPath);
  if (meta?.complete && sameParams(meta.params, params) && existsSync(settings.dbPath)) {
    const migrated = meta.params.schema < params.schema ? `; schema ${meta.params.schema}, migrated to ${params.schema} when the server opens it` : '';
    log(`reusing ${settings.dbPath} (${settings.spans.toLocaleString('en-US')} spans, seeded in ${duration(meta.seconds)}${migrated})`);
    return { ...meta, reused: true, fileBytes: fileBytes(settings.dbPath) };
  }
  for (const file of [settings.dbPath, `${settings.dbPath}-wal`, `${settings.dbPath}-shm`, metaPath]) rmSync(file, { force: true });

  const endNs = (BigInt(Date.now()) * 1_000_000n / MINUTE_NS) * MINUTE_NS;
  const windowNs = BigInt(settings.hours) * HOUR_NS;
  const startNs = endNs - windowNs;
  const info: SeedInfo = { params, complete: false, startNs: String(startNs), endNs: String(endNs), traces: 0, seconds: 0 };
  writeFileSync(metaPath, JSON.stringify(info, null, 2));

  const db = openDatabase(settings.dbPath, 'writer');
  // Seeding only: a crash mid-seed just means seeding again (the meta file says it is not
  // complete), so neither a journal nor fsync is needed. The cache holds the hot indexes.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -4000000');
  const writer = new SpanWriter(db);
  const generator = new TraceGenerator(buildFleet(settings.seed), settings.seed + 1);
  const started = performance.now();
  let written = 0;
  let lastReport = started;
  log(`seeding ${settings.dbPath}: ${settings.spans.toLocaleString('en-US')} spans over ${settings.hours} h`);
  while (written < settings.spans) {
    const batch: Span[] = [];
    while (batch.length < SPANS_PER_TRANSACTION && written + batch.length < settings.spans) {
      // Traces start evenly over the window, in time order, as they would arrive.
      const at = startNs + (windowNs * BigInt(written + batch.length)) / BigInt(settings.spans);
      const trace = generator.next(at);
      batch.push(...trace.slice(0, settings.spans - written - batch.length));
      info.traces++;
    }
    writer.write(batch);
    written += batch.length;
    const now = performance.now();
    if (now - lastReport >= PROGRESS_EVERY_MS || written === settings.spans) {
      lastReport = now;
      const rate = written / ((now - started) / 1000);
      log(
        `  ${written.toLocaleString('en-US')} / ${settings.spans.toLocaleString('en-US')} spans ` +
          `(${((100 * written) / settings.spans).toFixed(1)}%), ${Math.round(rate).toLocaleString('en-US')} spans/s, ` +
          `ETA ${duration((settings.spans - written) / rate)}, ${(fileBytes(settings.dbPath) / 2 ** 30).toFixed(2)} GiB`,
      );
    }
  }
  db.pragma('journal_mode = WAL');
  db.close();
  info.complete = true;
  info.seconds = (performance.now() - started) / 1000;
  writeFileSync(metaPath, JSON.stringify(info, null, 2));
  log(`seeded in ${duration(info.seconds)} (${Math.round(settings.spans / info.seconds).toLocaleString('en-US')} spans/s)`);
  return { ...info, reused: false, fileBytes: fileBytes(settings.dbPath) };
}
