import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { TestServer } from './in-process-server.js';

/**
 * What a test server's store holds, read behind Threadline's back (the SQLite file, or
 * ClickHouse over HTTP): lets tests that check storage itself (retention, redaction, the
 * spans behind a percentile) run on both stores. Values are bound parameters on both.
 */

function sqliteValue<T>(server: TestServer, sql: string, ...params: unknown[]): T {
  const db = new Database(server.dbPath, { readonly: true });
  try {
    return db.prepare(sql).safeIntegers(true).pluck().get(...params) as T;
  } finally {
    db.close();
  }
}

/** Rows of a ClickHouse query on the test server's database; params as `{name:Type}`. */
export async function clickhouseRows<T>(server: TestServer, sql: string, params: Record<string, string> = {}): Promise<T[]> {
  const { clickhouseUrl, clickhouseDatabase } = server.config;
  const url = new URL(clickhouseUrl);
  url.searchParams.set('database', clickhouseDatabase);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(`param_${k}`, v);
  const res = await fetch(url, { method: 'POST', body: `${sql} FORMAT JSONEachRow` });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse: ${text}`);
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as T);
}

async function clickhouseCount(server: TestServer, sql: string, params: Record<string, string> = {}): Promise<bigint> {
  const [row] = await clickhouseRows<{ n: string | number }>(server, sql, params);
  return BigInt(row?.n ?? 0);
}

/** Spans stored (started before `beforeNs` when given). */
export function countStoredSpans(server: TestServer, beforeNs?: bigint): Promise<bigint> {
  if (server.storage === 'sqlite') {
    return Promise.resolve(
      beforeNs === undefined
        ? sqliteValue<bigint>(server, 'SELECT count(*) FROM span_index')
        : sqliteValue<bigint>(server, 'SELECT count(*) FROM span_index WHERE start_ns < ?', beforeNs),
    );
  }
  return beforeNs === undefined
    ? clickhouseCount(server, 'SELECT count() AS n FROM spans')
    : clickhouseCount(server, 'SELECT count() AS n FROM spans WHERE start_ns < {before:Int64}', { before: String(beforeNs) });
}

export function countStoredTraces(server: TestServer): Promise<bigint> {
  return server.storage === 'sqlite'
    ? Promise.resolve(sqliteValue<bigint>(server, 'SELECT count(*) FROM trace_summaries'))
    : clickhouseCount(server, 'SELECT uniqExact(trace_id) AS n FROM spans');
}

/** Earliest stored span start. */
export async function oldestStoredStart(server: TestServer): Promise<bigint> {
  return server.storage === 'sqlite'
    ? sqliteValue<bigint>(server, 'SELECT min(start_ns) FROM trace_summaries')
    : BigInt((await clickhouseRows<{ n: string }>(server, 'SELECT toString(min(start_ns)) AS n FROM spans'))[0]!.n);
}

/**
 * Whether the store holds `text` anywhere: SQLite's file or WAL in any table or free
 * page; on ClickHouse, any stored span, net/trace record or event.
 */
export async function storedTextContains(server: TestServer, text: string): Promise<boolean> {
  if (server.storage === 'sqlite') {
    return [server.dbPath, `${server.dbPath}-wal`].some((file) => existsSync(file) && readFileSync(file).includes(text));
  }
  const n = await clickhouseCount(
    server,
    `SELECT (SELECT count() FROM spans WHERE position(span, {t:String}) > 0)
       + (SELECT count() FROM nettrace_requests WHERE position(events, {t:String}) > 0 OR position(span, {t:String}) > 0)
       + (SELECT count() FROM nettrace_log_events WHERE position(message, {t:String}) > 0) AS n`,
    { t: text },
  );
  return n > 0n;
}

export interface StoredSpanFacts {
  span_id: string;
  name: string;
  duration_ns: bigint;
  is_error: bigint;
  start_ns: bigint;
}

/** The spans of a service started in [startNs, endNs], as stored. */
export async function storedSpansOf(server: TestServer, service: string, startNs: bigint, endNs: bigint): Promise<StoredSpanFacts[]> {
  if (server.storage === 'sqlite') {
    const db = new Database(server.dbPath, { readonly: true });
    try {
      return db
        .prepare<[string, bigint, bigint], StoredSpanFacts>(
          `SELECT printf('%016x', i.span_id) AS span_id, o.name, i.duration_ns, i.is_error, i.start_ns
           FROM span_index i JOIN span_ops o ON o.op_id = i.op_id WHERE o.service = ? AND i.start_ns BETWEEN ? AND ?`,
        )
        .safeIntegers(true)
        .all(service, startNs, endNs);
    } finally {
      db.close();
    }
  }
  const rows = await clickhouseRows<{ span_id: string; name: string; duration_ns: string; is_error: number; start_ns: string }>(
    server,
    `SELECT span_id, name, duration_ns, is_error, start_ns FROM spans
     WHERE service = {service:String} AND start_ns BETWEEN {lo:Int64} AND {hi:Int64}`,
    { service, lo: String(startNs), hi: String(endNs) },
  );
  return rows.map((r) => ({ span_id: r.span_id, name: r.name, duration_ns: BigInt(r.duration_ns), is_error: BigInt(r.is_error), start_ns: BigInt(r.start_ns) }));
}

/** Bytes the store counts against --max-db-size, measured independently of Threadline's own count. */
export async function storedBytes(server: TestServer): Promise<bigint> {
  if (server.storage === 'sqlite') {
    return sqliteValue<bigint>(server, 'SELECT (SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count)') * 8192n;
  }
  return clickhouseCount(server, `SELECT sum(bytes_on_disk) AS n FROM system.parts WHERE active AND database = {db:String}`, { db: server.config.clickhouseDatabase });
}
