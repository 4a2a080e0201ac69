import type Database from 'better-sqlite3';
import { StatusCode, type Span } from '@threadline/shared';
import { compressChunk, inflateChunk } from './chunk-compression.js';
import { LatencySketchWriter } from './latency-sketch-writer.js';
import { buildPreparedBatch, toSignedId } from './prepared-batch.js';
import { encodeSpanChunk, parseSpanChunk } from './span-chunk-codec.js';
import { parseSpanRow } from './span-row.js';

interface StoredChunk {
  chunk_id: number;
  block_id: number;
  offset: number;
  length: number;
}

/**
 * Deletes a stored span with everything derived from it (its span_index row, its count
 * in the latency sketches, its place in its chunk; its duration-list entry stays, and
 * readers check entries against span_index) and recomputes its trace's summary
 * from the spans that remain (start/end are min/max and cannot be "subtracted"). Used
 * when a newer snapshot replaces a span (net/trace records without a span of their own);
 * the caller runs it inside its write transaction. Tag postings stay: a search checks
 * every candidate's spans, so a stale posting costs a look, never a wrong answer.
 */
export class SpanRemover {
  private readonly selectTraceNum;
  private readonly selectChunks;
  private readonly selectBlock;
  private readonly deleteChunk;
  private readonly insertBlock;
  private readonly insertChunk;
  private readonly selectOp;
  private readonly deleteIndexRow;
  private readonly deleteSummary;
  private readonly updateSummary;
  private readonly sketches;

  constructor(db: Database.Database) {
    this.selectTraceNum = db.prepare<[Uint8Array], number>('SELECT trace_num FROM trace_summaries WHERE trace_id = ?').pluck();
    this.selectChunks = db.prepare<[number], StoredChunk>(
      'SELECT chunk_id, block_id, offset, length FROM span_chunks WHERE trace_num = ? ORDER BY chunk_id',
    );
    this.selectBlock = db.prepare<[number], Buffer>('SELECT data FROM span_blocks WHERE block_id = ?').pluck();
    this.deleteChunk = db.prepare('DELETE FROM span_chunks WHERE chunk_id = ?');
    this.insertBlock = db.prepare('INSERT INTO span_blocks (data) VALUES (?)');
    this.insertChunk = db.prepare('INSERT INTO span_chunks (trace_num, block_id, offset, length) VALUES (?, ?, 0, ?)');
    this.selectOp = db.prepare<[string, string, number], number>('SELECT op_id FROM span_ops WHERE service = ? AND name = ? AND kind = ?').pluck();
    this.deleteIndexRow = db.prepare('DELETE FROM span_index WHERE op_id = ? AND start_ns = ? AND trace_num = ? AND span_id = ?');
    this.deleteSummary = db.prepare('DELETE FROM trace_summaries WHERE trace_num = ?');
    this.updateSummary = db.prepare(
      `UPDATE trace_summaries SET start_ns = ?, end_ns = ?, root_is_root = ?, root_start_ns = ?, root_span_id = ?,
         root_service = ?, root_name = ?, span_count = ?, error_count = ?, services = ? WHERE trace_num = ?`,
    );
    this.sketches = new LatencySketchWriter(db);
  }

  /** False when no such span is stored. */
  remove(traceId: string, spanId: string): boolean {
    const traceNum = this.selectTraceNum.get(Buffer.from(traceId, 'hex'));
    if (traceNum === undefined) return false;
    const remaining: Span[] = [];
    let removed: Span | undefined;
    for (const chunk of this.selectChunks.all(traceNum)) {
      const block = inflateChunk(this.selectBlock.get(chunk.block_id)!);
      const spans = parseSpanChunk(block.subarray(chunk.offset, chunk.offset + chunk.length));
      const kept = spans.filter((s) => s.spanId !== spanId);
      if (kept.length === spans.length) {
        remaining.push(...spans);
        continue;
      }
      removed ??= spans.find((s) => s.spanId === spanId);
      // The rest moves to a block of its own under a new chunk ID: chunk and block IDs stay
      // in the same order, which retention relies on to find blocks no chunk uses.
      this.deleteChunk.run(chunk.chunk_id);
      if (kept.length > 0) {
        const data = encodeSpanChunk(kept);
        this.insertChunk.run(traceNum, this.insertBlock.run(compressChunk(data)).lastInsertRowid, data.length);
      }
      remaining.push(...kept);
    }
    if (!removed) return false;
    const row = parseSpanRow(removed);
    const opId = this.selectOp.get(row.service, row.name, row.kind);
    if (opId !== undefined) this.deleteIndexRow.run(opId, row.startNs, traceNum, toSignedId(row.spanId));
    this.sketches.remove(row);
    this.rebuildSummary(traceNum, remaining);
    return true;
  }

  private rebuildSummary(traceNum: number, spans: Span[]): void {
    if (spans.length === 0) {
      this.deleteSummary.run(traceNum);
      return;
    }
    // Same rules as the writer's: one prepared chunk of the whole trace gives the summary.
    const [chunk] = buildPreparedBatch(spans).chunks;
    const { root } = chunk!;
    const errors = spans.filter((s) => s.status.code === StatusCode.ERROR).length;
    this.updateSummary.run(
      chunk!.startNs, chunk!.endNs, root.isRoot, root.startNs, root.spanId, root.service, root.name,
      spans.length, errors, JSON.stringify(chunk!.services), traceNum,
    );
  }
}
