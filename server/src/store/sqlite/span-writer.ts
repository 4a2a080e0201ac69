import type Database from 'better-sqlite3';
import type { Span } from '@threadline/shared';
import { BlockBuilder } from './block-builder.js';
import { RowBatcher } from './row-batcher.js';
import { asBuffer, PostingListBuilder, registerPostingListFunctions, startBoundsOf, UPSERT_POSTING_LIST } from './posting-lists.js';
import { compressChunk } from './chunk-compression.js';
import { DurationListBuilder, durationListParams, INSERT_DURATION_LIST } from './duration-lists.js';
import { LatencySketchWriter, MinuteDeltas } from './latency-sketch-writer.js';
import { buildPreparedBatch, chunkParts, isBetterRoot, type PreparedBatch, type PreparedChunk } from './prepared-batch.js';

export interface WriteOptions {
  /** false: leave the latency sketches alone (spans they already count). */
  sketches?: boolean;
}

interface StoredSummary {
  trace_num: bigint;
  start_ns: bigint;
  end_ns: bigint;
  root_is_root: bigint;
  root_start_ns: bigint;
  root_span_id: bigint;
  services: string;
}

/**
 * Writes prepared batches, one transaction each: per trace a compressed chunk and its
 * summary row; per (hour, tag) a list of the batch's traces that carry it
 * (posting-lists.ts); per span one span_index row; per (operation, duration bucket) a list of
 * the batch's spans (duration-lists.ts); sketches per operation and minute. A
 * span already stored (a client retrying after a lost ack) collides on the span_index key
 * and is not counted again; a chunk whose spans were all stored before is not written at
 * all, and readers drop the rare duplicate of a partly repeated chunk.
 */
export class SpanWriter {
  private readonly opIds = new Map<string, number>();
  private readonly selectOp;
  private readonly insertOp;
  private readonly insertCatalog;
  private readonly insertSpan;
  private readonly selectSummary;
  private readonly insertSummary;
  private readonly updateWithRoot;
  private readonly updateKeepingRoot;
  private readonly setCounts;
  private readonly insertBlock;
  private readonly insertChunk;
  private readonly postings;
  /** This batch's postings, gathered by (hour, tag) and written as lists at its end. */
  private readonly passPostings = new PostingListBuilder();
  /** This batch's spans, gathered by (operation, duration bucket) and written as lists at its end. */
  private readonly passDurations = new DurationListBuilder();
  private readonly insertDurationList;
  private readonly insertResourceTag;
  /** Resource keys whose tags this connection has written: each resource's are written once per process. */
  private readonly knownResources = new Set<number>();
  private readonly sketches;
  private readonly writeInTransaction;
  /**
   * Called between a pass's traces: the background indexing pass sets it to step aside for
   * queries in flight (threads/foreground-gate.ts); a pass a search asked for does not.
   */
  betweenChunks: () => void = () => {};

  constructor(db: Database.Database) {
    this.selectOp = db.prepare<[string, string, number], number>('SELECT op_id FROM span_ops WHERE service = ? AND name = ? AND kind = ?').pluck();
    this.insertOp = db.prepare('INSERT INTO span_ops (service, name, kind) VALUES (?, ?, ?)');
    this.insertCatalog = db.prepare('INSERT OR IGNORE INTO operations (service, name, kind) VALUES (?, ?, ?)');
    this.insertSpan = db.prepare(
      `INSERT OR IGNORE INTO span_index (op_id, start_ns, trace_num, span_id, duration_ns, is_error) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.selectSummary = db
      .prepare<[Buffer], StoredSummary>(
        `SELECT trace_num, start_ns, end_ns, root_is_root, root_start_ns, root_span_id, services
         FROM trace_summaries WHERE trace_id = ?`,
      )
      .safeIntegers(true);
    this.insertSummary = db.prepare(
      `INSERT INTO trace_summaries (trace_id, start_ns, end_ns, root_is_root, root_start_ns, root_span_id,
         root_service, root_name, span_count, error_count, services)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateWithRoot = db.prepare(
      `UPDATE trace_summaries SET start_ns = ?, end_ns = ?, root_is_root = ?, root_start_ns = ?, root_span_id = ?,
         root_service = ?, root_name = ?, span_count = span_count + ?, error_count = error_count + ?, services = ?
       WHERE trace_num = ?`,
    );
    this.setCounts = db.prepare('UPDATE trace_summaries SET span_count = ?, error_count = ? WHERE trace_num = ?');
    this.updateKeepingRoot = db.prepare(
      `UPDATE trace_summaries SET start_ns = ?, end_ns = ?, span_count = span_count + ?, error_count = error_count + ?, services = ?
       WHERE trace_num = ?`,
    );
    this.insertBlock = db.prepare('INSERT INTO span_blocks (data) VALUES (?)');
    this.insertChunk = db.prepare('INSERT INTO span_chunks (trace_num, block_id, offset, length) VALUES (?, ?, ?, ?)');
    // A list whose key (hour, tag, last trace) a previous pass took is merged into that one (posting-lists.ts).
    registerPostingListFunctions(db);
    this.postings = new RowBatcher(db, UPSERT_POSTING_LIST.insert, UPSERT_POSTING_LIST.columns, 100, UPSERT_POSTING_LIST.onConflict);
    this.insertDurationList = db.prepare(INSERT_DURATION_LIST);
    this.insertResourceTag = db.prepare('INSERT OR IGNORE INTO resource_tags (tag, resource_key) VALUES (?, ?)');
    this.sketches = new LatencySketchWriter(db);
    this.writeInTransaction = db.transaction((batch: PreparedBatch, sketches: boolean) => this.writeChunks(batch, sketches));
  }

  /** Spans that were not prepared ahead (net/trace records, conversion), stored and indexed at once. */
  write(spans: readonly Span[], options: WriteOptions = {}): void {
    if (spans.length === 0) return;
    this.writePrepared(buildPreparedBatch(spans), options);
  }

  /** Stores and indexes the batch atomically; returns once it is committed. */
  writePrepared(batch: PreparedBatch, options: WriteOptions = {}): void {
    // IMMEDIATE takes the write lock up front instead of upgrading mid-transaction.
    this.writeInTransaction.immediate(batch, options.sketches ?? true);
  }

  /** writePrepared inside the caller's transaction (the ingest log's). */
  writeInCurrentTransaction(batch: PreparedBatch): void {
    this.writeChunks(batch, true);
  }

  /** The op_id of (service, name, kind), created with its catalog row when new. */
  operationId(service: string, name: string, kind: number): number {
    const key = `${kind}\u0000${service}\u0000${name}`;
    let id = this.opIds.get(key);
    if (id === undefined) {
      id = this.selectOp.get(service, name, kind);
      if (id === undefined) {
        id = Number(this.insertOp.run(service, name, kind).lastInsertRowid);
        this.insertCatalog.run(service, name, kind);
      }
      this.opIds.set(key, id);
    }
    return id;
  }

  /** Forgets cached op IDs and resources, for after a rollback could have undone one. */
  private forgetCaches(): void {
    this.opIds.clear();
    this.knownResources.clear();
  }

  private writeChunks(batch: PreparedBatch, sketches: boolean): void {
    try {
      const opIds = batch.operations.map((op) => this.operationId(op.service, op.name, op.kind));
      for (const resource of batch.resources) {
        if (this.knownResources.has(resource.key)) continue;
        for (const tag of resource.tags) this.insertResourceTag.run(tag, resource.key);
        this.knownResources.add(resource.key);
      }
      const sketched = new MinuteDeltas();
      const blocks = new BlockBuilder((data) => Number(this.insertBlock.run(compressChunk(data)).lastInsertRowid), (c) =>
        this.insertChunk.run(c.traceNum, c.blockId, c.offset, c.length),
      );
      for (const chunk of batch.chunks) {
        this.betweenChunks();
        this.writeChunk(chunk, opIds, batch, sketched, blocks);
      }
      blocks.finish();
      for (const list of this.passPostings.take()) this.postings.add(list.hour, list.tag, list.lastNum, list.count, asBuffer(list.nums), list.fromMs, list.toMs);
      this.postings.flush();
      for (const list of this.passDurations.take()) this.insertDurationList.run(...durationListParams(list));
      if (sketches) this.sketches.add(sketched);
    } catch (err) {
      this.postings.discard();
      this.passPostings.clear();
      this.passDurations.clear();
      this.forgetCaches();
      throw err;
    }
  }

  private writeChunk(chunk: PreparedChunk, opIds: number[], batch: PreparedBatch, sketched: MinuteDeltas, blocks: BlockBuilder): void {
    const traceId = Buffer.from(chunk.traceId, 'hex');
    const stored = this.selectSummary.get(traceId);
    const { operation, startNs, durationNs, spanId, isError } = batch.spans;
    const spans = chunk.spanEnd - chunk.spanStart;
    let chunkErrors = 0;
    let traceNum: bigint;
    if (stored) traceNum = stored.trace_num;
    else {
      // A trace new to the store: its summary goes in whole, counts included (an update
      // after the spans cost a second write of the row and of its start index).
      for (let k = chunk.spanStart; k < chunk.spanEnd; k++) chunkErrors += isError[k]!;
      traceNum = BigInt(
        this.insertSummary.run(
          traceId, chunk.startNs, chunk.endNs, chunk.root.isRoot, chunk.root.startNs, chunk.root.spanId,
          chunk.root.service, chunk.root.name, spans, chunkErrors, JSON.stringify(chunk.services),
        ).lastInsertRowid,
      );
    }
    let inserted = 0;
    let errors = 0;
    const num = Number(traceNum);
    for (let k = chunk.spanStart; k < chunk.spanEnd; k++) {
      const op = operation[k]!;
      const opId = opIds[op]!;
      const start = startNs[k]!;
      const duration = durationNs[k]!;
      const id = spanId[k]!;
      const error = isError[k]!;
      if (this.insertSpan.run(opId, start, traceNum, id, duration, error).changes === 0) continue;
      this.passDurations.add(opId, batch.spans, k, num);
      inserted++;
      errors += error;
      sketched.add(opId, batch.operations[op]!, start, duration, error === 1);
    }
    // Only a span repeated within the chunk makes a new trace count less than it holds.
    if (!stored && (inserted !== spans || errors !== chunkErrors)) this.setCounts.run(inserted, errors, traceNum);
    if (inserted === 0) return;
    blocks.add(traceNum, chunkParts(batch, chunk));
    // The chunk's tags may be on any of its spans: its postings are bounded by its first start
    // and its last end, as the trace's summary bounds a search (a span ending before it
    // starts is not looked for past the end).
    const { fromMs, toMs } = startBoundsOf(chunk.startNs, chunk.endNs);
    for (let t = chunk.tagStart; t < chunk.tagEnd; t++) this.passPostings.add(chunk.hour, batch.tags[t]!, num, fromMs, toMs);
    if (stored) this.mergeSummary(traceNum, stored, chunk, inserted, errors);
  }

  /** Into a stored summary: start/end are min/max, counts add up, services are a union, the root the better candidate: all order-independent. */
  private mergeSummary(traceNum: bigint, stored: StoredSummary, chunk: PreparedChunk, inserted: number, errors: number): void {
    const startNs = stored.start_ns < chunk.startNs ? stored.start_ns : chunk.startNs;
    const endNs = stored.end_ns > chunk.endNs ? stored.end_ns : chunk.endNs;
    const storedRoot = { isRoot: Number(stored.root_is_root), startNs: stored.root_start_ns, spanId: stored.root_span_id };
    const newRoot = isBetterRoot(chunk.root, { ...storedRoot, service: '', name: '' });
    const known = JSON.parse(stored.services) as string[];
    const services = chunk.services.every((s) => known.includes(s)) ? known : [...new Set([...known, ...chunk.services])].sort();
    const servicesJson = JSON.stringify(services);
    if (newRoot) {
      const { isRoot, startNs: rootStart, spanId, service, name } = chunk.root;
      this.updateWithRoot.run(startNs, endNs, isRoot, rootStart, spanId, service, name, inserted, errors, servicesJson, traceNum);
    } else {
      this.updateKeepingRoot.run(startNs, endNs, inserted, errors, servicesJson, traceNum);
    }
  }
}
