import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../app-error.js';
import { StoreOpenError, StoreVersionError } from '../store-errors.js';
import { MIGRATIONS } from './migrations/index.js';
import { sortByStart, TraceChunks } from './trace-chunks.js';
import type { Span } from '@threadline/shared';
import { createSqliteStore, type SqliteSpanStore, type SqliteStoreOptions } from './sqlite-store.js';
import { at, spanIdOf, testSpan, traceIdOf } from './test-spans.js';

let dir: string;
const open: SqliteSpanStore[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'threadline-store-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function openStore(path: string, options: Omit<SqliteStoreOptions, 'path'> = {}) {
  const store = await createSqliteStore({ path, ...options });
  open.push(store);
  return store;
}

function batch(trace: number, size: number, fromSpan = 1) {
  return Array.from({ length: size }, (_, i) =>
    testSpan({ traceId: traceIdOf(trace), spanId: spanIdOf(fromSpan + i), parentSpanId: i === 0 ? '' : spanIdOf(fromSpan) }),
  );
}

/** Spans of traces 1…`traces` committed to the file, indexed or still in the ingest log, read with a connection of its own. */
const countSpans = (path: string, traces = 20) => {
  const db = new Database(path, { readonly: true });
  try {
    const chunks = new TraceChunks(db);
    return Array.from({ length: traces }, (_, i) => chunks.byTraceId(traceIdOf(i + 1)).length).reduce((a, b) => a + b, 0);
  } finally {
    db.close();
  }
};

describe('createSqliteStore', () => {
  it('serves every call from one worker for :memory:', async () => {
    const store = await openStore(':memory:');
    expect(store.isReady()).toBe(true);
    await store.writeBatch(batch(1, 3));
    expect(await store.getTrace(traceIdOf(1))).toEqual(batch(1, 3));
    expect(await store.getServices()).toEqual(['api']);
    expect(await store.getOperations('api', 'server')).toEqual([{ name: 'GET /users', spanKind: 'server' }]);
    expect(await store.findTraceIds({ service: 'api', tags: [], limit: 10 })).toEqual([traceIdOf(1)]);
    expect(await store.getTraceSummaries([traceIdOf(1)])).toMatchObject([{ spanCount: 3, rootService: 'api' }]);
    expect(await store.getDependencies(0n, 2n ** 63n - 1n)).toEqual([]);
  });

  it('streams a trace in pages that hold exactly what getTrace gives, each page in start order', async () => {
    const store = await openStore(join(dir, 'pages.db'));
    // Three uploads, starts interleaved across them, and one span sent twice (its first copy wins).
    const uploads = [0, 1, 2].map((k) =>
      Array.from({ length: 700 }, (_, i) =>
        testSpan({ traceId: traceIdOf(1), spanId: spanIdOf(1 + k + 3 * i), parentSpanId: k + i === 0 ? '' : spanIdOf(1), startTimeUnixNano: at(3 * i + (2 - k)), endTimeUnixNano: at(3 * i + 3), name: `upload ${k}` }),
      ),
    );
    uploads[2]!.push(testSpan({ traceId: traceIdOf(1), spanId: spanIdOf(1), name: 'repeated' }));
    for (const upload of uploads) await store.writeBatch(upload);
    const pages: Span[][] = [];
    for await (const page of store.streamTrace(traceIdOf(1))) pages.push(page);
    const whole = await store.getTrace(traceIdOf(1));
    expect(whole).toHaveLength(2100);
    expect(whole.find((s) => s.spanId === spanIdOf(1))!.name).toBe('upload 0');
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(page).toEqual(sortByStart([...page]));
    expect(sortByStart(pages.flat())).toEqual(whole);
    const none: Span[][] = [];
    for await (const page of store.streamTrace(traceIdOf(2))) none.push(page);
    expect(none).toEqual([]);
  });

  it('creates the directory of a file database', async () => {
    const path = join(dir, 'nested', 'deeper', 'threadline.db');
    const store = await openStore(path);
    await store.writeBatch(batch(1, 1));
    expect(statSync(path).isFile()).toBe(true);
  });

  it('resolves writeBatch only once the rows are committed', async () => {
    const path = join(dir, 'commit.db');
    const store = await openStore(path);
    for (let i = 1; i <= 5; i++) {
      await store.writeBatch(batch(i, 100));
      expect(countSpans(path)).toBe(i * 100);
    }
  });

  it('indexes acknowledged batches by itself within about a second, with no read to ask for it', async () => {
    const path = join(dir, 'log.db');
    const store = await openStore(path);
    await store.writeBatch(batch(1, 10));
    const indexed = () => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT count(*) FROM span_index').pluck().get() as number;
      } finally {
        db.close();
      }
    };
    const acked = performance.now();
    while (indexed() < 10 && performance.now() - acked < 5_000) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(indexed()).toBe(10);
  });

  it('accepts concurrent batches, one transaction each', async () => {
    const store = await openStore(join(dir, 'concurrent.db'));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.writeBatch(batch(i + 1, 10))));
    expect(await store.findTraceIds({ tags: [], limit: 100 })).toHaveLength(20);
  });

  it('keeps everything across close and re-open', async () => {
    const path = join(dir, 'durable.db');
    const first = await openStore(path);
    await first.writeBatch(batch(1, 10));
    const summaries = await first.getTraceSummaries([traceIdOf(1)]);
    // Requests made before close still complete.
    const pending = first.writeBatch(batch(2, 10));
    await first.close();
    await pending;
    expect(first.isReady()).toBe(false);
    expect(statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0).toBe(0);

    const second = await openStore(path);
    expect(await second.getTrace(traceIdOf(1))).toEqual(batch(1, 10));
    expect(await second.getTraceSummaries([traceIdOf(1)])).toEqual(summaries);
    expect(await second.findTraceIds({ tags: [], limit: 10 })).toHaveLength(2);
  });

  it('refuses calls once closed', async () => {
    const store = await openStore(':memory:');
    await store.close();
    await expect(store.getServices()).rejects.toMatchObject({ status: 503, code: 'store_closed' });
    await expect(store.writeBatch(batch(1, 1))).rejects.toBeInstanceOf(AppError);
  });

  it('truncates the WAL every few commits', async () => {
    const path = join(dir, 'wal.db');
    const store = await openStore(path, { checkpoint: { everyCommits: 3 } });
    const walSize = () => statSync(`${path}-wal`).size;
    await store.writeBatch(batch(1, 50));
    await store.writeBatch(batch(2, 50));
    expect(walSize()).toBeGreaterThan(0);
    await store.writeBatch(batch(3, 50));
    expect(walSize()).toBe(0);
  });

  it('refuses a database from a newer Threadline', async () => {
    const path = join(dir, 'newer.db');
    const raw = new Database(path);
    raw.pragma('user_version = 999');
    raw.close();
    const opening = createSqliteStore({ path });
    await expect(opening).rejects.toBeInstanceOf(StoreVersionError);
    await expect(opening).rejects.toThrow(`schema version 999 is newer than this Threadline supports (${MIGRATIONS.length})`);
  });

  it('reports a path that cannot be opened', async () => {
    await expect(createSqliteStore({ path: dir })).rejects.toBeInstanceOf(StoreOpenError);
    await expect(createSqliteStore({ path: '' })).rejects.toThrow('the database path is empty');
  });

  it('rejects malformed spans with a 400', async () => {
    const store = await openStore(':memory:');
    const bad = testSpan({ spanId: 'nothex' });
    await expect(store.writeBatch([testSpan(), bad])).rejects.toMatchObject({
      status: 400,
      code: 'invalid_span',
      message: 'span 1: spanId is not 16 lowercase hex digits',
    });
    await expect(store.findTraceIds({ tags: [], limit: -1 })).rejects.toMatchObject({ status: 400, code: 'invalid_query' });
  });

  it('logs SQLite failures in full but tells callers no SQL', async () => {
    const path = join(dir, 'broken.db');
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const store = await openStore(path, { logger });
    await store.writeBatch(batch(1, 1));
    const saboteur = new Database(path);
    saboteur.exec('DROP TABLE ingest_log_traces; DROP TABLE operations');
    saboteur.close();

    const write = store.writeBatch(batch(2, 1));
    await expect(write).rejects.toMatchObject({ status: 503, code: 'store_unavailable', headers: { 'Retry-After': '5' } });
    await expect(write).rejects.not.toThrow(/ingest_log_traces|SQL|table/i);
    const read = store.getServices();
    await expect(read).rejects.toMatchObject({ status: 500, code: 'store_failed' });
    await expect(read).rejects.not.toThrow(/operations|SQL|table/i);
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ error: expect.objectContaining({ message: expect.stringContaining('ingest_log_traces') }) }),
      'store writeBatch failed',
    );
    // The failed batch left nothing behind: the first one's single span is in the log or indexed, nothing more.
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT (SELECT count(*) FROM ingest_log) + (SELECT count(*) FROM span_index)').pluck().get()).toBe(1);
    check.close();
  });

  it('fails pending and later calls with a 503 when a worker dies', async () => {
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const store = await openStore(join(dir, 'crash.db'), { logger });
    const writerWorker = Reflect.get(Reflect.get(store, 'writer'), 'worker') as { terminate(): Promise<number> };
    const write = store.writeBatch(batch(1, 20_000));
    await writerWorker.terminate();
    await expect(write).rejects.toMatchObject({ status: 503, code: 'store_unavailable' });
    await expect(store.writeBatch(batch(2, 1))).rejects.toMatchObject({ status: 503 });
    expect(store.isReady()).toBe(false);
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ role: 'writer' }), 'store worker exited unexpectedly');
  });
});
