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
