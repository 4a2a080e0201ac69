import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../app-error.js';
import { StoreOpenError, StoreVersionError } from '../store-errors.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Span } from '@threadline/shared';
import { listSegments } from './ingest-log-file.js';
import { parseFrames } from './ingest-log-frames.js';
import { parseSpanChunk } from './span-chunk-codec.js';
import { sortByStart, TraceChunks } from './trace-chunks.js';
import { createSqliteStore, MAX_UNINDEXED_SPANS, type SqliteSpanStore, type SqliteStoreOptions } from './sqlite-store.js';
import { at, spanIdOf, testSpan, traceIdOf } from './test-spans.js';
import { TRACE_PAGE_SPANS } from '../trace-pages.js';

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

/** The batches in the database's ingest log files, as the next start would read them. */
const loggedBatches = (path: string) => listSegments(path).flatMap((s) => parseFrames(readFileSync(s.path)).payloads);

/**
 * Distinct spans of traces 1…`traces` that would survive a kill now: indexed (read with a
 * connection of its own) or in the ingest log files.
 */
const countDurableSpans = (path: string, traces = 20) => {
  const db = new Database(path, { readonly: true });
  try {
    const chunks = new TraceChunks(db);
    const ids = new Set<string>();
    for (let i = 1; i <= traces; i++) for (const span of chunks.byTraceId(traceIdOf(i))) ids.add(`${span.traceId}/${span.spanId}`);
    for (const data of loggedBatches(path)) for (const span of parseSpanChunk(data)) ids.add(`${span.traceId}/${span.spanId}`);
    return ids.size;
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
    // An upload of 700 is stored as one chunk: the pages cut it, a page never holds twice a page's spans.
    for (const page of pages) expect(page.length).toBeLessThan(2 * TRACE_PAGE_SPANS);
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

  it('resolves writeBatch only once the batch is durable, and shows its trace at once', async () => {
    const path = join(dir, 'commit.db');
    const store = await openStore(path);
    for (let i = 1; i <= 5; i++) {
      await store.writeBatch(batch(i, 100));
      expect(countDurableSpans(path)).toBe(i * 100);
      expect(await store.getTrace(traceIdOf(i))).toEqual(batch(i, 100));
      const streamed: Span[] = [];
      for await (const page of store.streamTrace(traceIdOf(i))) streamed.push(...page);
      expect(sortByStart(streamed)).toEqual(batch(i, 100));
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

  it('counts the time acknowledgements waited for indexing to catch up (the backlog past its cap)', async () => {
    const store = await openStore(join(dir, 'paced.db'));
    expect(store.getPacedSeconds()).toBe(0);
    // Twice the backlog the store lets wait unindexed: the later batches wait for indexing passes.
    const batches = Math.ceil((2 * MAX_UNINDEXED_SPANS) / 512);
    await Promise.all(Array.from({ length: batches }, (_, i) => store.writeBatch(batch(i + 1, 512))));
    expect(store.getPacedSeconds()).toBeGreaterThan(0.05);
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
    // Everything logged was indexed at close: the next start has nothing to replay.
    expect(listSegments(path)).toEqual([]);

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
    // Each search has the writer index what waits: one commit each.
    const writeAndIndex = async (trace: number) => {
      await store.writeBatch(batch(trace, 50));
      await store.findTraceIds({ tags: [], limit: 1 });
    };
    await writeAndIndex(1);
    await writeAndIndex(2);
    expect(walSize()).toBeGreaterThan(0);
    await writeAndIndex(3);
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

  it('keeps acknowledged batches in the log when indexing fails, logs why in full and tells callers no SQL', async () => {
    const path = join(dir, 'broken.db');
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const store = await openStore(path, { logger });
    await store.writeBatch(batch(1, 1));
    await store.findTraceIds({ tags: [], limit: 1 });
    const saboteur = new Database(path);
    saboteur.exec('DROP TABLE trace_summaries; DROP TABLE operations');
    saboteur.close();

    // The ack needs the log only: the batch is durable although nothing can index it.
    await store.writeBatch(batch(2, 1));
    const read = store.getServices();
    await expect(read).rejects.toMatchObject({ status: 500, code: 'store_failed' });
    await expect(read).rejects.not.toThrow(/operations|SQL|table/i);
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ error: expect.objectContaining({ message: expect.stringContaining('trace_summaries') }) }),
      'store indexPending failed',
    );
    expect(loggedBatches(path).flatMap((data) => parseSpanChunk(data).map((s) => s.traceId))).toContain(traceIdOf(2));
  });

  it('refuses writes with a 503 once the writer died, and indexes what it had acknowledged at the next start', async () => {
    const path = join(dir, 'crash.db');
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const store = await openStore(path, { logger });
    const writerWorker = Reflect.get(Reflect.get(store, 'writer'), 'worker') as { terminate(): Promise<number> };
    const write = store.writeBatch(batch(1, 20_000));
    await writerWorker.terminate();
    // Appended to the log before or while the writer went: acknowledged, and durable.
    await write;
    await expect(store.writeBatch(batch(2, 1))).rejects.toMatchObject({ status: 503, code: 'store_unavailable' });
    expect(store.isReady()).toBe(false);
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ role: 'writer' }), 'store worker exited unexpectedly');
    await Reflect.get(store, 'reader').close();

    const again = await openStore(path, { logger });
    expect(await again.getTraceSummaries([traceIdOf(1)])).toMatchObject([{ spanCount: 20_000 }]);
    expect(logger.info).toHaveBeenCalledWith(expect.objectContaining({ batches: 1, spans: 20_000 }), 'indexed the ingest log left by the last run');
    expect(listSegments(path)).toEqual([]);
  });
});
