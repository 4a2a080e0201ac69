import type Database from 'better-sqlite3';
import type { Resource, Span } from '@threadline/shared';
import { parseJsonText } from './span-json.js';
import type { SpanWriter } from './span-writer.js';

/** Spans converted per transaction: each step is short, and a restart resumes after the last. */
const STEP_SPANS = 5_000;

/** The storage v1 tables (migration 001), emptied into the v2 tables and dropped. */
const LEGACY_TABLES = ['span_attributes', 'resource_attributes', 'root_candidates', 'traces', 'spans', 'resources'];

interface LegacyRow {
  span_pk: number;
  payload: string;
  resource_id: number;
  resource_json: string;
}

export type ConversionLog = (msg: string, fields: Record<string, unknown>) => void;

/**
 * Moves spans stored by storage v1 (one JSON row per span) into the v2 tables, in steps of
 * STEP_SPANS, each one transaction that also records how far it got, so a killed process
 * resumes where it stopped; then drops the v1 tables. A fresh database has empty v1 tables
 * (migration 001 still runs first) and only pays for the DROPs once. Latency sketches
 * already count these spans, so they are not counted again. Progress goes to the log.
 */
export function convertLegacySpans(db: Database.Database, writer: SpanWriter, log: ConversionLog): void {
  const hasLegacy = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'spans'").get() !== undefined;
  if (!hasLegacy) return;
  db.exec('CREATE TABLE IF NOT EXISTS legacy_conversion (last_span_pk INTEGER NOT NULL)');
  const progress = db.prepare<[], number>('SELECT last_span_pk FROM legacy_conversion').pluck();
  const total = db.prepare<[number], number>('SELECT count(*) FROM spans WHERE span_pk > ?').pluck().get(progress.get() ?? 0) ?? 0;
  if (total > 0) log('converting spans stored by Threadline storage v1 to v2', { spans: total });
  const select = db.prepare<[number, number], LegacyRow>(
    `SELECT s.span_pk, s.payload, s.resource_id, r.resource_json FROM spans s JOIN resources r ON r.resource_id = s.resource_id
     WHERE s.span_pk > ? ORDER BY s.span_pk LIMIT ?`,
  );
  const record = db.prepare('INSERT INTO legacy_conversion (last_span_pk) VALUES (?)');
  const clear = db.prepare('DELETE FROM legacy_conversion');
  const resources = new Map<number, Resource>();
  const step = db.transaction((rows: LegacyRow[]) => {
    const spans = rows.map((row) => {
      let resource = resources.get(row.resource_id);
      if (!resource) resources.set(row.resource_id, (resource = parseJsonText<Resource>(row.resource_json)));
      const span = parseJsonText<Span>(row.payload);
      span.resource = resource;
      return span;
    });
    writer.write(spans, { sketches: false });
    clear.run();
    record.run(rows[rows.length - 1]!.span_pk);
  });
  let done = 0;
  for (;;) {
    const rows = select.all(progress.get() ?? 0, STEP_SPANS);
    if (rows.length === 0) break;
    step.immediate(rows);
    done += rows.length;
    if (done % (STEP_SPANS * 20) === 0 || done === total) log('converting spans', { done, total });
  }
  db.transaction(() => {
    for (const table of LEGACY_TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
    db.exec('DROP TABLE legacy_conversion');
  }).immediate();
  if (total > 0) log('conversion to storage v2 done', { spans: done });
}
