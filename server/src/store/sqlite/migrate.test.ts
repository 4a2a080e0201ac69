import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreVersionError } from '../store-errors.js';
import { applyMigrations } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { openDatabase } from './open-database.js';
import { decodePostingList } from './posting-lists.js';
import { decodeDurationList } from './duration-lists.js';
import { durationBucketOf } from './duration-buckets.js';
import { SpanReader } from './span-reader.js';
import { spanIdOf, testSpan } from './test-spans.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'threadline-migrate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tables = (db: Database.Database) =>
  db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();

describe('opening and migrating', () => {
  it('creates the schema on a fresh file with the pragmas the design asks for', () => {
    const db = openDatabase(join(dir, 'fresh.db'), 'writer');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('page_size', { simple: true })).toBe(8192);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('journal_size_limit', { simple: true })).toBe(64 * 1024 * 1024);
    expect(tables(db)).toEqual(expect.arrayContaining(['operations', 'span_chunks', 'span_index', 'span_ops', 'tag_posting_lists', 'trace_summaries']));
    // Storage v1's tables are created by migration 001 and dropped once converted (here: empty).
    expect(tables(db)).not.toEqual(expect.arrayContaining(['spans']));
    db.close();
  });

  it('moves one-row-per-posting tag postings into posting lists (007), in order, a long one split', () => {
    const path = join(dir, 'v6.db');
    const v6 = new Database(path);
    applyMigrations(v6, MIGRATIONS.slice(0, 6));
    const insert = v6.prepare('INSERT INTO tag_postings (hour, tag, trace_num) VALUES (?, ?, ?)');
    const postings: Array<[number, number, number]> = [];
    for (let num = 1; num <= 5_000; num++) postings.push([490_000, 2 ** 52 + 3, num]);
    for (const num of [7, 3, 900]) postings.push([490_000, -17, num], [490_001, -17, num]);
    v6.transaction(() => postings.forEach((p) => insert.run(...p)))();
    v6.close();

    const db = openDatabase(path, 'writer');
    expect(tables(db)).not.toContain('tag_postings');
    const lists = db.prepare<[], { hour: number; tag: number; last_num: number; n: number; nums: Buffer }>('SELECT * FROM tag_posting_lists ORDER BY hour, tag, last_num').all();
    expect(lists.map((l) => [l.hour, l.tag, l.last_num, l.n])).toEqual([
      [490_000, -17, 900, 3],
      [490_000, 2 ** 52 + 3, 2_048, 2_048],
      [490_000, 2 ** 52 + 3, 4_096, 2_048],
      [490_000, 2 ** 52 + 3, 5_000, 904],
      [490_001, -17, 900, 3],
    ]);
    const back = lists.flatMap((l) => decodePostingList(l.nums).map((num) => [l.hour, l.tag, num]));
    expect(back.sort()).toEqual(postings.sort());
    db.close();
  });

  it('lists every span_index row under its (operation, duration bucket) (009), a long or long-lasting one split, and drops the old index', () => {
    const path = join(dir, 'v8.db');
    const v8 = new Database(path);
    applyMigrations(v8, MIGRATIONS.slice(0, 8));
    v8.exec("INSERT INTO span_ops (op_id, service, name, kind) VALUES (1, 'api', 'GET', 2), (2, 'db', 'SELECT', 3)");
    const insert = v8.prepare('INSERT INTO span_index (op_id, start_ns, trace_num, span_id, duration_ns, is_error) VALUES (?, ?, ?, ?, ?, ?)');
    const rows: Array<[number, bigint, number, bigint, bigint, number]> = [];
    // 3,000 spans of one operation and bucket (1 ms), started newest first; a few of another operation over three buckets.
    for (let i = 0; i < 3_000; i++) rows.push([1, 1_700_000_000_000_000_000n - BigInt(i) * 1000n, 10 + i, BigInt(i) - 2n ** 62n, 1_000_000n, i % 100 === 0 ? 1 : 0]);
    for (const [i, ns] of [10n, 1_000n, 1_000_000_000n].entries()) rows.push([2, 1_700_000_000_000_000_000n + BigInt(i), 5, BigInt(i), ns, 0]);
    // Twenty minutes later: past the time a converted list may cover.
    rows.push([2, 1_700_000_000_000_000_000n + 1_200_000_000_000n, 6, 9n, 10n, 1]);
    v8.transaction(() => rows.forEach((r) => insert.run(...r)))();
    v8.close();

    const db = openDatabase(path, 'writer');
    const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'span_index'").pluck().all();
    expect(indexes).not.toContain('span_index_by_duration_bucket');
    db.defaultSafeIntegers(true);
    const lists = db
      .prepare<[], { op_id: bigint; bucket: bigint; first_start_ns: bigint; last_start_ns: bigint; n: bigint; entries: Buffer }>(
        'SELECT op_id, bucket, first_start_ns, last_start_ns, n, entries FROM duration_lists ORDER BY op_id, bucket, last_start_ns',
      )
      .all();
    expect(lists.map((l) => [Number(l.op_id), Number(l.bucket), Number(l.n)])).toEqual([
      [1, durationBucketOf(1_000_000n), 2_048],
      [1, durationBucketOf(1_000_000n), 952],
      [2, durationBucketOf(10n), 1],
      [2, durationBucketOf(10n), 1],
      [2, durationBucketOf(1_000n), 1],
      [2, durationBucketOf(1_000_000_000n), 1],
    ]);
    const back = lists.flatMap((l) => {
      const entries = decodeDurationList(l.entries);
      // Within the list's bounds, which the earliest and latest reach.
      const starts = entries.map((e) => e.startNs).sort((a, b) => (a < b ? -1 : 1));
      expect([starts[0], starts[starts.length - 1]]).toEqual([l.first_start_ns, l.last_start_ns]);
      return entries.map((e) => [Number(l.op_id), e.startNs, e.traceNum, e.spanId, e.durationNs, e.isError]);
    });
    const key = (r: readonly unknown[]) => `${r[0]}/${r[1]}/${r[2]}`;
    expect(back.map(key).sort()).toEqual(rows.map(key).sort());
    expect(new Set(back.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v))))).toEqual(
      new Set(rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v)))),
    );
    db.close();
  });

  it('converts a storage v1 database in place, with progress on the log, and resumes after a crash', () => {
    const path = join(dir, 'v1.db');
    const v1 = new Database(path);
    applyMigrations(v1, MIGRATIONS.slice(0, 3));
    const spans = Array.from({ length: 3 }, (_, i) => testSpan({ spanId: spanIdOf(i + 1), parentSpanId: i === 0 ? '' : spanIdOf(1) }));
    v1.prepare("INSERT INTO resources (resource_id, hash, resource_json) VALUES (7, x'00', ?)").run(JSON.stringify(spans[0]!.resource));
    const insert = v1.prepare(
      `INSERT INTO spans (trace_id, span_id, parent_span_id, service, name, kind, start_ns, end_ns, duration_ns, status_code, is_error, resource_id, payload)
       VALUES (?, ?, ?, 'api', 'GET /users', 2, 0, 0, 0, 0, 0, 7, ?)`,
    );
    for (const span of spans) insert.run(span.traceId, span.spanId, span.parentSpanId, JSON.stringify({ ...span, resource: null }));
    // A conversion killed after its first step left its mark.
    v1.exec('CREATE TABLE legacy_conversion (last_span_pk INTEGER NOT NULL); INSERT INTO legacy_conversion VALUES (0)');
    v1.close();

    const lines: string[] = [];
    const db = openDatabase(path, 'writer', (msg, fields) => lines.push(`${msg} ${JSON.stringify(fields)}`));
    expect(new SpanReader(db).getTrace(spans[0]!.traceId)).toEqual(spans);
    expect(new SpanReader(db).getTraceSummaries([spans[0]!.traceId])).toMatchObject([{ rootOperation: 'GET /users', spanCount: 3 }]);
    expect(tables(db)).not.toEqual(expect.arrayContaining(['spans']));
    expect(tables(db)).not.toEqual(expect.arrayContaining(['legacy_conversion']));
    expect(lines).toEqual([
      ...MIGRATIONS.slice(3).map((m) => `migrating the database {"toVersion":${m.version},"migration":"${m.name}"}`),
      'converting spans stored by Threadline storage v1 to v2 {"spans":3}',
      'converting spans {"done":3,"total":3}',
      'conversion to storage v2 done {"spans":3}',
    ]);
    db.close();
  });

  it('re-opens a migrated file without touching it', () => {
    const path = join(dir, 'again.db');
    const first = openDatabase(path, 'writer');
    first.prepare("INSERT INTO operations (service, name, kind) VALUES ('api', 'op', 2)").run();
    first.close();
    const second = openDatabase(path, 'writer');
    expect(second.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(second.prepare('SELECT service FROM operations').pluck().all()).toEqual(['api']);
    second.close();
  });

  it('refuses a database from a newer Threadline, with the message the CLI prints', () => {
    const path = join(dir, 'newer.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    const open = () => openDatabase(path, 'writer');
    expect(open).toThrow(StoreVersionError);
    expect(open).toThrow(
      `database schema version ${MIGRATIONS.length + 1} is newer than this Threadline supports (${MIGRATIONS.length}); ` +
        'upgrade Threadline or use another --db',
    );
    const check = new Database(path);
    expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    check.close();
  });

  it('numbers migrations 1, 2, … and refuses a gap', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    const db = new Database(':memory:');
    expect(() => applyMigrations(db, [{ version: 2, name: 'gap', sql: 'SELECT 1' }])).toThrow(/expected 1/);
    db.close();
  });

  it('applies each migration in its own transaction, version included', () => {
    const db = new Database(':memory:');
    const migrations = [
      { version: 1, name: 'one', sql: 'CREATE TABLE one (x)' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE two (x); INSERT INTO nowhere VALUES (1)' },
    ];
    const told: string[] = [];
    expect(() => applyMigrations(db, migrations, (m) => told.push(m.name))).toThrow(/nowhere/);
    expect(told).toEqual(['one', 'broken']);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(tables(db)).toEqual(['one']);
    expect(applyMigrations(db, migrations.slice(0, 1))).toBe(1);
    db.close();
  });
});
