import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Resource, Span } from '@threadline/shared';
import { LatencySketchWriter } from './latency-sketch-writer.js';
import { buildAttributeTags, buildSpanSearchTags } from './search-tags.js';
import { toJsonText } from './span-json.js';
import { parseSpanRow, type SpanRow } from './span-row.js';
import { StoreInputError } from './store-input-error.js';
import { TraceSummaryWriter } from './trace-summary-writer.js';

/** Writes batches of spans, one transaction each, with every derived table kept in step. */
export class SpanWriter {
  private readonly insertSpan;
  private readonly insertSpanAttribute;
  private readonly insertOperation;
  private readonly selectResource;
  private readonly insertResource;
  private readonly insertResourceAttribute;
  private readonly summaries;
  private readonly sketches;
  private readonly writeInTransaction;

  constructor(db: Database.Database) {
    this.insertSpan = db.prepare(
      `INSERT INTO spans (trace_id, span_id, parent_span_id, service, name, kind, start_ns, end_ns,
         duration_ns, status_code, is_error, resource_id, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (trace_id, span_id) DO NOTHING`,
    );
    this.insertSpanAttribute = db.prepare(
      'INSERT OR IGNORE INTO span_attributes (key, value, start_ns, span_pk) VALUES (?, ?, ?, ?)',
    );
    this.insertOperation = db.prepare('INSERT OR IGNORE INTO operations (service, name, kind) VALUES (?, ?, ?)');
    this.selectResource = db.prepare<[Buffer], number>('SELECT resource_id FROM resources WHERE hash = ?').pluck();
    this.insertResource = db.prepare('INSERT INTO resources (hash, resource_json) VALUES (?, ?)');
    this.insertResourceAttribute = db.prepare(
      'INSERT OR IGNORE INTO resource_attributes (key, value, resource_id) VALUES (?, ?, ?)',
    );
    this.summaries = new TraceSummaryWriter(db);
    this.sketches = new LatencySketchWriter(db);
    this.writeInTransaction = db.transaction((spans: readonly Span[], rows: readonly SpanRow[]) =>
      this.writeRows(spans, rows),
    );
  }

  /**
   * Stores the batch atomically; returns once it is committed. A span already stored
   * (same trace and span ID, e.g. a client retrying after a lost ack) is skipped whole, so
   * the first copy stays and nothing is counted twice. Throws StoreInputError, before
   * writing anything, if a span is malformed.
   */
  write(spans: readonly Span[]): void {
    const rows = spans.map((span, i) => {
      try {
        return parseSpanRow(span);
      } catch (err) {
        if (err instanceof StoreInputError) throw new StoreInputError(err.code, `span ${i}: ${err.message}`);
        throw err;
      }
    });
    // IMMEDIATE takes the write lock up front instead of upgrading mid-transaction.
    this.writeInTransaction.immediate(spans, rows);
  }

  private writeRows(spans: readonly Span[], rows: readonly SpanRow[]): void {
    // Spans of one OTLP ResourceSpans share their resource object, also after structured clone.
    const resourceIds = new Map<Resource, number>();
    const operations = new Set<string>();
    const inserted: SpanRow[] = [];
    spans.forEach((span, i) => {
      const row = rows[i]!;
      let resourceId = resourceIds.get(span.resource);
      if (resourceId === undefined) {
        resourceId = this.resolveResource(span.resource);
        resourceIds.set(span.resource, resourceId);
      }
      // Replacing the value keeps the key's position, so getTrace can put it back in place.
      const payload = toJsonText({ ...span, resource: null });
      const result = this.insertSpan.run(
        row.traceId, row.spanId, row.parentSpanId, row.service, row.name, row.kind,
        row.startNs, row.endNs, row.durationNs, row.statusCode, row.isError ? 1 : 0, resourceId, payload,
      );
      if (result.changes === 0) return;
      for (const tag of buildSpanSearchTags(span)) {
        this.insertSpanAttribute.run(tag.key, tag.value, row.startNs, result.lastInsertRowid);
      }
      const operationKey = JSON.stringify([row.service, row.name, row.kind]);
      if (!operations.has(operationKey)) {
        operations.add(operationKey);
        this.insertOperation.run(row.service, row.name, row.kind);
      }
      inserted.push(row);
    });
    this.summaries.update(inserted);
    this.sketches.add(inserted);
  }

  private resolveResource(resource: Resource): number {
    const json = toJsonText(resource);
    const hash = createHash('sha256').update(json).digest();
    const existing = this.selectResource.get(hash);
    if (existing !== undefined) return existing;
    const id = Number(this.insertResource.run(hash, json).lastInsertRowid);
    for (const tag of buildAttributeTags(resource.attributes)) {
      this.insertResourceAttribute.run(tag.key, tag.value, id);
    }
    return id;
  }
}
