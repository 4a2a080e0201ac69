import type Database from 'better-sqlite3';
import { decodeDurationList, encodeDurationList, startRange } from './duration-lists.js';
import { asBuffer, decodePostingList, encodePostingList, registerPostingListFunctions, UPSERT_POSTING_LIST } from './posting-lists.js';

/** Tags are 53-bit hashes (tag-hash.ts), spread evenly: equal slices of the range hold about equal shares of an hour. */
const TAG_RANGE = 2 ** 53;
/** An hour with fewer posting lists than this is swept in one step. */
const SMALL_HOUR_ROWS = 20_000;
/** A big hour is swept in this many tag slices, each a short step. */
const TAG_SLICES = 256;
/** Trace numbers whose liveness a postings sweep remembers (a few MB). */
const LIVENESS_CACHE_SIZE = 1 << 18;
/** span_index rows looked at per statement. */
const INDEX_SLICE_ROWS = 20_000;
/** Duration lists looked at per step (~16 spans each). */
const LIST_SLICE_ROWS = 1_000;
const INT64_MIN = -(2n ** 63n);

/**
 * Index rows of traces that are gone. Retention by age deletes index rows by time and
 * postings by whole hours, which is exact there: nothing older than the cutoff stays. An
 * eviction by size takes the oldest traces by their start, and their spans' index rows
 * and postings sit among those of live traces (ties in time, long traces, an hour being
 * written), so each row in the evicted traces' time range (each trace of a posting list) is
 * kept only if its trace_num is still in trace_summaries (one primary-key lookup). Under heavy ingest the postings of the
 * current hour are a third or more of the file: they must go with their traces.
 *
 * Both sweeps are generators that yield after each short statement (the rows deleted),
 * so the writer can serve requests in between.
 */
export class EvictedIndexRows {
  private readonly selectOps;
  private readonly indexSliceEnd;
  private readonly deleteIndexSlice;
  private readonly nextHour;
  private readonly hourRows;
  private readonly selectPostingSlice;
  private readonly traceExists;
  private readonly deleteList;
  private readonly insertList;
  private readonly deleteOrphanBlocks;
  private readonly selectListSlice;
  private readonly updateDurationList;
  private readonly deleteDurationList;

  constructor(db: Database.Database) {
    this.selectOps = db.prepare<[], number>('SELECT op_id FROM span_ops').pluck();
    this.indexSliceEnd = db
      .prepare<[number, bigint, bigint, number], bigint>(
        'SELECT start_ns FROM span_index WHERE op_id = ? AND start_ns > ? AND start_ns <= ? ORDER BY start_ns LIMIT 1 OFFSET ?',
      )
      .pluck()
      .safeIntegers(true);
    this.deleteIndexSlice = db.prepare<[number, bigint, bigint]>(
      `DELETE FROM span_index WHERE op_id = ? AND start_ns > ? AND start_ns <= ?
         AND NOT EXISTS (SELECT 1 FROM trace_summaries s WHERE s.trace_num = span_index.trace_num)`,
    );
    this.nextHour = db.prepare<[number, number], number | null>('SELECT min(hour) FROM tag_posting_lists WHERE hour >= ? AND hour <= ?').pluck();
    this.hourRows = db.prepare<[number, number], number>('SELECT count(*) FROM (SELECT 1 FROM tag_posting_lists WHERE hour = ? LIMIT ?)').pluck();
    this.selectPostingSlice = db
      .prepare<[number, number, number], [number, number, Buffer, number | null, number | null]>(
        'SELECT tag, last_num, nums, spans_from_ms, spans_to_ms FROM tag_posting_lists WHERE hour = ? AND tag >= ? AND tag < ?',
      )
      .raw();
    this.traceExists = db.prepare<[number], number>('SELECT 1 FROM trace_summaries WHERE trace_num = ?').pluck();
    this.deleteList = db.prepare<[number, number, number]>('DELETE FROM tag_posting_lists WHERE hour = ? AND tag = ? AND last_num = ?');
    registerPostingListFunctions(db);
    this.insertList = db.prepare(`${UPSERT_POSTING_LIST.insert} ${UPSERT_POSTING_LIST.oneRow} ${UPSERT_POSTING_LIST.onConflict}`);
    this.selectListSlice = db
      .prepare<[bigint, bigint, bigint, bigint, number], [bigint, bigint, Buffer]>(
        `SELECT list_id, last_start_ns, entries FROM duration_lists
         WHERE last_start_ns <= ? AND (last_start_ns, list_id) > (?, ?) AND last_start_ns >= ? ORDER BY last_start_ns, list_id LIMIT ?`,
      )
      .raw()
      .safeIntegers(true);
    this.updateDurationList = db.prepare('UPDATE duration_lists SET first_start_ns = ?, last_start_ns = ?, n = ?, entries = ? WHERE list_id = ?');
    this.deleteDurationList = db.prepare('DELETE FROM duration_lists WHERE list_id = ?');
    this.deleteOrphanBlocks = db.prepare('DELETE FROM span_blocks WHERE block_id NOT IN (SELECT block_id FROM span_chunks)');
  }

  /**
   * Blocks no chunk uses. Retention frees the blocks before the oldest chunk (IDs grow
   * together), but a trace evicted last because of a far-future start keeps the oldest
   * chunk, and would keep every block after it. One pass over span_chunks' block IDs.
   */
  orphanBlocks(): number {
    return this.deleteOrphanBlocks.run().changes;
  }

  /** span_index rows of gone traces that started up to `untilNs`, operation by operation, in slices of ~20k rows. */
  *indexRows(untilNs: bigint): Generator<number, void, void> {
    for (const op of this.selectOps.all()) {
      for (let from = INT64_MIN; ; ) {
        const to = this.indexSliceEnd.get(op, from, untilNs, INDEX_SLICE_ROWS) ?? untilNs;
        yield this.deleteIndexSlice.run(op, from, to).changes;
        if (to >= untilNs) break;
        from = to;
      }
    }
  }

  /**
   * Duration lists whose newest span started in [fromNs, untilNs], in slices: each loses
   * the spans of traces that are gone, and goes when none is left. (A list reaching past
   * untilNs is left for a later round; readers skip spans span_index no longer holds.)
   * Yields the spans removed per slice.
   */
  *durationLists(fromNs: bigint, untilNs: bigint): Generator<number, void, void> {
    const isLive = this.liveness();
    let after: [bigint, bigint] = [fromNs - 1n, 0n];
    for (;;) {
      // Read whole before writing: the connection cannot write while a read iterates.
      const slice = this.selectListSlice.all(untilNs, ...after, fromNs, LIST_SLICE_ROWS);
      if (slice.length === 0) return;
      let removed = 0;
      for (const [listId, , bytes] of slice) {
        const entries = decodeDurationList(bytes);
        const kept = entries.filter((e) => isLive(e.traceNum));
        if (kept.length === entries.length) continue;
        removed += entries.length - kept.length;
        if (kept.length === 0) this.deleteDurationList.run(listId);
        else {
          const { firstStartNs, lastStartNs } = startRange(kept);
          this.updateDurationList.run(firstStartNs, lastStartNs, kept.length, asBuffer(encodeDurationList(kept)), listId);
        }
      }
      const [lastId, lastStart] = slice[slice.length - 1]!;
      after = [lastStart, lastId];
      yield removed;
    }
  }

  /** Whether a trace is still stored, remembering a bounded number of answers (a busy hour holds millions of traces). */
  private liveness(): (num: number) => boolean {
    const live = new Map<number, boolean>();
    return (num) => {
      let known = live.get(num);
      if (known === undefined) {
        if (live.size >= LIVENESS_CACHE_SIZE) live.clear();
        live.set(num, (known = this.traceExists.get(num) !== undefined));
      }
      return known;
    };
  }

  /**
   * Postings of gone traces in hours `fromHour`..`toHour`, an hour at a time, a big hour by
   * tag slices: each list loses the traces that are gone, and goes when none is left.
   * Yields the postings removed per slice.
   */
  *postings(fromHour: number, toHour: number): Generator<number, void, void> {
    // A trace is in ~70 lists of its hour: look each up once.
    const isLive = this.liveness();
    for (let hour = this.nextHour.get(fromHour, toHour); hour !== null && hour !== undefined; hour = this.nextHour.get(hour + 1, toHour)) {
      const slices = this.hourRows.get(hour, SMALL_HOUR_ROWS)! < SMALL_HOUR_ROWS ? 1 : TAG_SLICES;
      for (let i = 0; i < slices; i++) {
        // The outer slices reach past the hash range, so no stored value can fall outside every slice.
        const lo = i === 0 ? -TAG_RANGE : Math.floor((i * TAG_RANGE) / slices);
        const hi = i === slices - 1 ? 2 * TAG_RANGE : Math.floor(((i + 1) * TAG_RANGE) / slices);
        let removed = 0;
        // Read whole before writing: the connection cannot write while a read iterates.
        for (const [tag, lastNum, bytes, fromMs, toMs] of this.selectPostingSlice.all(hour, lo, hi)) {
          const nums = decodePostingList(bytes);
          const kept = nums.filter(isLive);
          if (kept.length === nums.length) continue;
          removed += nums.length - kept.length;
          this.deleteList.run(hour, tag, lastNum);
          // The bounds of the whole list still bound what is kept of it.
          if (kept.length > 0) this.insertList.run(hour, tag, kept[kept.length - 1]!, kept.length, asBuffer(encodePostingList(kept)), fromMs, toMs);
        }
        yield removed;
      }
    }
  }
}
