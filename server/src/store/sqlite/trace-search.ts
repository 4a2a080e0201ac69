import type Database from 'better-sqlite3';
import type { Span } from '@threadline/shared';
import type { TraceQuery } from '../span-store.js';
import { postingHours } from './chunk-time.js';
import { durationBucketRange } from './duration-buckets.js';
import { decodeDurationList, type DurationEntry } from './duration-lists.js';
import { spanHasTags, toIndexedText, type SearchTag } from './search-tags.js';
import { StoreInputError } from './store-input-error.js';
import { tagHash } from './tag-hash.js';
import { TraceChunks } from './trace-chunks.js';
import { decodePostingList, WALK_POSTING_LISTS, windowBoundsMs } from './posting-lists.js';

/** Bounds the work of one query's tag checks. */
export const MAX_TAG_FILTERS = 32;
/**
 * Candidates a search decodes and checks before it gives up, so a filter combination
 * that (almost) never co-occurs costs a bounded time instead of a walk over the window.
 */
export const MAX_VERIFIED_TRACES = 2_000;
/** …and candidates whose summaries it looks at (a primary-key read each, ~100 times cheaper). */
export const MAX_LOOKED_UP_TRACES = 200_000;
/**
 * A min-duration search first counts, per operation, the window's spans in the duration
 * range on the duration lists, up to this many: below it, those spans are the answer's
 * whole candidate set; above it, the range is common and a newest-first walk finds
 * `limit` traces sooner.
 */
export const DURATION_PROBE_ROWS = 2_000;

const INT64_MAX = 2n ** 63n - 1n;

type WindowBounds = ReturnType<typeof windowBoundsMs>;
/** hour, tag, then the window's bounds. */
type WalkParams = [number, number, ...WindowBounds];

/** Exported so that tests can check their query plans. */
export const SEARCH_SQL = {
  walkStart: `SELECT start_ns, trace_num, duration_ns FROM span_index
    WHERE op_id = ? AND start_ns >= ? AND start_ns <= ? ORDER BY start_ns DESC`,
  probeDuration: `SELECT entries FROM duration_lists
    WHERE op_id = ? AND bucket BETWEEN ? AND ? AND last_start_ns >= ? AND first_start_ns <= ?`,
  walkPostings: WALK_POSTING_LISTS,
  /** A listed span is still stored, with that duration (duration-lists.ts: a list is a hint). */
  isIndexed: 'SELECT 1 FROM span_index WHERE op_id = ? AND start_ns = ? AND trace_num = ? AND span_id = ? AND duration_ns = ?',
} as const;

interface IndexRow {
  start_ns: bigint;
  trace_num: number;
  duration_ns: bigint;
}

interface Filters {
  service?: string;
  operation?: string;
  startNs: bigint;
  endNs: bigint;
  minDurationNs: bigint;
  maxDurationNs: bigint;
  tags: SearchTag[];
}

/** Whether one span satisfies every filter at once, as Jaeger matches. */
export function spanMatches(span: Span, f: Filters): boolean {
  if (f.service !== undefined && span.serviceName !== f.service) return false;
  if (f.operation !== undefined && span.name !== f.operation) return false;
  const start = BigInt(span.startTimeUnixNano);
  if (start < f.startNs || start > f.endNs) return false;
  const duration = BigInt(span.endTimeUnixNano) - start;
  if (duration < f.minDurationNs || duration > f.maxDurationNs) return false;
  return spanHasTags(span, f.tags);
}

/**
 * findTraceIds. Each query is driven by the index whose walk is proportional to the answer:
 * - tags → the rarest tag's postings, hour by hour newest first, every candidate trace
 *   decoded and checked (one span must match every filter);
 * - otherwise → span_index per operation (of the service, or all): a newest-first merge of
 *   the operations' (op, start) ranges, or, for a rare min-duration, the (op, duration) range.
 * Traces come out by their newest matching span, newest first.
 * User input is only ever a bound parameter.
 */
export class TraceSearch {
  private readonly selectOpsOfService;
  private readonly selectOpsOfName;
  private readonly selectAllOps;
  private readonly selectOpsNamed;
  private readonly probeDuration;
  private readonly isIndexed;
  private readonly walkPostings;
  private readonly selectResourcesWithTag;
  private readonly countPostings;
  private readonly postingRange;
  private readonly selectTraceId;
  private readonly selectTraceTimes;

  constructor(
    private readonly db: Database.Database,
    private readonly chunks: TraceChunks = new TraceChunks(db),
  ) {
    this.selectOpsOfService = db.prepare<[string], number>('SELECT op_id FROM span_ops WHERE service = ?').pluck();
    this.selectOpsOfName = db.prepare<[string, string], number>('SELECT op_id FROM span_ops WHERE service = ? AND name = ?').pluck();
    this.selectAllOps = db.prepare<[], number>('SELECT op_id FROM span_ops').pluck();
    this.selectOpsNamed = db.prepare<[string], number>('SELECT op_id FROM span_ops WHERE name = ?').pluck();
    this.probeDuration = db.prepare<[number, number, number, bigint, bigint], Buffer>(SEARCH_SQL.probeDuration).pluck();
    this.isIndexed = db.prepare<[number, bigint, number, bigint, bigint], number>(SEARCH_SQL.isIndexed).pluck();
    this.walkPostings = db.prepare<WalkParams, Buffer>(SEARCH_SQL.walkPostings).pluck();
    this.selectResourcesWithTag = db.prepare<[number], number>('SELECT resource_key FROM resource_tags WHERE tag = ?').pluck();
    this.countPostings = db
      .prepare<[number, number, number], number>('SELECT total(n) FROM (SELECT n FROM tag_posting_lists WHERE hour = ? AND tag = ? LIMIT ?)')
      .pluck();
    this.postingRange = db.prepare<[], { lo: number | null; hi: number | null }>(
      'SELECT (SELECT hour FROM tag_posting_lists ORDER BY hour LIMIT 1) AS lo, (SELECT hour FROM tag_posting_lists ORDER BY hour DESC LIMIT 1) AS hi',
    );
    this.selectTraceId = db.prepare<[number], Buffer>('SELECT trace_id FROM trace_summaries WHERE trace_num = ?').pluck();
    this.selectTraceTimes = db
      .prepare<[number], { start_ns: bigint; end_ns: bigint }>('SELECT start_ns, end_ns FROM trace_summaries WHERE trace_num = ?')
      .safeIntegers(true);
  }

  find(query: TraceQuery): string[] {
    if (!Number.isInteger(query.limit) || query.limit < 0) {
      throw new StoreInputError('invalid_query', 'limit must be a non-negative integer');
    }
    if (query.tags.length > MAX_TAG_FILTERS) {
      throw new StoreInputError('invalid_query', `at most ${MAX_TAG_FILTERS} tag filters are supported`);
    }
    if (query.limit === 0) return [];
    const filters: Filters = {
      ...(query.service !== undefined ? { service: query.service } : {}),
      ...(query.operation !== undefined ? { operation: query.operation } : {}),
      startNs: query.startNs ?? 0n,
      endNs: query.endNs ?? INT64_MAX,
      minDurationNs: query.minDurationNs ?? 0n,
      maxDurationNs: query.maxDurationNs ?? INT64_MAX,
      tags: query.tags.map((t) => ({ key: toIndexedText(t.key), value: toIndexedText(t.value) })),
    };
    const traceNums = filters.tags.length > 0 ? this.byTags(filters, query.limit) : this.bySpanIndex(filters, query.limit);
    const ids: string[] = [];
    for (const num of traceNums) {
      const id = this.selectTraceId.get(num);
      if (id) ids.push(id.toString('hex'));
    }
    return ids;
  }

  private operationIds(f: Filters): number[] {
    if (f.service === undefined) return f.operation === undefined ? this.selectAllOps.all() : this.selectOpsNamed.all(f.operation);
    return f.operation === undefined ? this.selectOpsOfService.all(f.service) : this.selectOpsOfName.all(f.service, f.operation);
  }

  private bySpanIndex(f: Filters, limit: number): number[] {
    const ops = this.operationIds(f);
    if (ops.length === 0) return [];
    if (f.minDurationNs > 0n) {
      const rows = this.rareDurationRows(ops, f);
      if (rows) return distinctTraces(rows.sort((a, b) => (a.start_ns > b.start_ns ? -1 : a.start_ns < b.start_ns ? 1 : 0)), limit);
    }
    return this.mergeNewestFirst(ops, f, limit);
  }

  /**
   * The window's spans in the duration range, when every operation has fewer than the
   * probe's cap; else undefined. Counted from the lists; the spans taken are then checked
   * against span_index, so a stale entry (a span since removed or replaced, a trace number
   * reused) is never an answer.
   */
  private rareDurationRows(ops: number[], f: Filters): IndexRow[] | undefined {
    const listed: Array<{ op: number; e: DurationEntry }> = [];
    const { lo, hi } = durationBucketRange(f.minDurationNs, f.maxDurationNs);
    for (const op of ops) {
      let found = 0;
      for (const list of this.probeDuration.iterate(op, lo, hi, f.startNs, f.endNs)) {
        for (const e of decodeDurationList(list)) {
          if (e.durationNs < f.minDurationNs || e.durationNs > f.maxDurationNs || e.startNs < f.startNs || e.startNs > f.endNs) continue;
          // Leaving the loops ends the statement's read (for…of returns its iterator).
          if (++found >= DURATION_PROBE_ROWS) return undefined;
          listed.push({ op, e });
        }
      }
    }
    return listed
      .filter(({ op, e }) => this.isIndexed.get(op, e.startNs, e.traceNum, e.spanId, e.durationNs) !== undefined)
      .map(({ e }) => ({ start_ns: e.startNs, trace_num: e.traceNum, duration_ns: e.durationNs }));
  }

  /** Each operation's (op, start) range walked backwards, merged, until `limit` distinct traces. */
  private mergeNewestFirst(ops: number[], f: Filters, limit: number): number[] {
    // One statement per stream: a statement cannot run two iterations at once.
    const streams = ops.map((op) =>
      this.db.prepare<[number, bigint, bigint], IndexRow>(SEARCH_SQL.walkStart).safeIntegers(true).iterate(op, f.startNs, f.endNs),
    );
    try {
      const heads = streams.map((s) => s.next());
      const out = new Set<number>();
      while (out.size < limit) {
        let best = -1;
        for (let k = 0; k < heads.length; k++) {
          const head = heads[k]!;
          if (head.done) continue;
          if (best === -1 || head.value.start_ns > (heads[best]!.value as IndexRow).start_ns) best = k;
        }
        if (best === -1) break;
        const row = heads[best]!.value as IndexRow;
        if (row.duration_ns >= f.minDurationNs && row.duration_ns <= f.maxDurationNs) out.add(Number(row.trace_num));
        heads[best] = streams[best]!.next();
      }
      return [...out];
    } finally {
      for (const stream of streams) stream.return?.();
    }
  }

  /** Candidates from the rarest tag's postings, newest hour first, each trace checked span by span. */
  private byTags(f: Filters, limit: number): number[] {
    const range = this.postingRange.get();
    if (!range || range.lo === null || range.hi === null) return [];
    const window = postingHours(f.startNs, f.endNs);
    const from = Math.max(window.from, range.lo);
    const to = Math.min(window.to, range.hi);
    // A tag's postings are its own, plus those of every resource that carries it.
    const lists = f.tags.map((t) => {
      const hash = tagHash(t.key, t.value);
      return [hash, ...this.selectResourcesWithTag.all(hash)];
    });
    const driver = this.rarestTag(lists, from, to);
    // A lone tag needs no look at the spans: a posting (53-bit hash) is the tag, so only the
    // window is left to check, from the trace's summary. Anything more is checked span by span.
    const trusted = f.tags.length === 1 && f.service === undefined && f.operation === undefined && f.minDurationNs === 0n && f.maxDurationNs === INT64_MAX;
    const found: Array<{ num: number; newest: bigint }> = [];
    const seen = new Set<number>();
    const bounds = windowBoundsMs(f.startNs, f.endNs);
    // Decoding a candidate is what costs; a look at its summary is cheap, and bounded apart.
    const work = { decoded: 0, looked: 0 };
    const spent = () => work.decoded >= MAX_VERIFIED_TRACES || work.looked >= MAX_LOOKED_UP_TRACES;
    for (let hour = to; hour >= from && found.length < limit && !spent(); hour--) {
      for (const num of this.postingsOfHour(hour, driver, bounds)) {
        if (seen.has(num)) continue;
        seen.add(num);
        const newest = this.newestMatchOf(num, f, trusted, work);
        if (newest !== undefined) found.push({ num, newest });
        if (found.length >= limit || spent()) break;
      }
    }
    return found.sort((a, b) => (a.newest > b.newest ? -1 : a.newest < b.newest ? 1 : 0)).map((m) => m.num);
  }

  /**
   * The newest span start of a candidate trace that matches, from its summary where that
   * decides: a trace that starts after the window or ends before it has no span starting in
   * it (a search whose window ends early in an hour otherwise decoded every newer trace of
   * that hour, up to MAX_VERIFIED_TRACES: 0.4 s), and for a trusted posting a trace wholly
   * inside the window matches at its end. Otherwise the spans decide.
   */
  private newestMatchOf(traceNum: number, f: Filters, trusted: boolean, work: { decoded: number; looked: number }): bigint | undefined {
    work.looked++;
    const times = this.selectTraceTimes.get(traceNum);
    if (!times || times.start_ns > f.endNs || times.end_ns < f.startNs) return undefined;
    if (trusted && times.start_ns >= f.startNs && times.end_ns <= f.endNs) return times.end_ns;
    work.decoded++;
    return newestMatch(this.chunks.byTraceNum(traceNum), f);
  }

  /**
   * An hour's trace_nums of the tags (a tag, and the resources carrying it), newest first,
   * read lazily: a tag every resource carries has one set of lists per resource, and a
   * search that needs 20 traces must not read every posting of the hour first. Lists are
   * read newest first and each from its newest trace down; a trace posted again by a later
   * pass (spans that came late) can come out of order or twice, and callers skip repeats.
   * Lists whose spans all start outside the window (`bounds`, windowBoundsMs) are passed over.
   */
  private *postingsOfHour(hour: number, tags: readonly number[], bounds: WindowBounds): Generator<number> {
    if (tags.length === 1) {
      yield* this.postingsOfTag(this.walkPostings, hour, tags[0]!, bounds);
      return;
    }
    // One statement per tag: a statement cannot run two iterations at once.
    const streams = tags.map((tag) => this.postingsOfTag(this.db.prepare<WalkParams, Buffer>(SEARCH_SQL.walkPostings).pluck(), hour, tag, bounds));
    try {
      const heads = streams.map((stream) => stream.next());
      let last = -1;
      for (;;) {
        let best = -1;
        for (let k = 0; k < heads.length; k++) {
          if (!heads[k]!.done && (best === -1 || (heads[k]!.value as number) > (heads[best]!.value as number))) best = k;
        }
        if (best === -1) return;
        const num = heads[best]!.value as number;
        heads[best] = streams[best]!.next();
        if (num !== last) yield num;
        last = num;
      }
    } finally {
      for (const stream of streams) stream.return(undefined);
    }
  }

  /** One tag's trace_nums of an hour: its lists newest first, each from its highest trace down. */
  private *postingsOfTag(walk: Database.Statement<WalkParams, Buffer>, hour: number, tag: number, bounds: WindowBounds): Generator<number> {
    for (const list of walk.iterate(hour, tag, ...bounds)) {
      const nums = decodePostingList(list);
      for (let i = nums.length - 1; i >= 0; i--) yield nums[i]!;
    }
  }

  /** The tag whose lists hold the fewest postings in the newest hours of the window (counts capped, so this stays cheap). */
  private rarestTag(tags: ReadonlyArray<readonly number[]>, from: number, to: number): readonly number[] {
    if (tags.length === 1) return tags[0]!;
    let best = tags[0]!;
    let bestCount = Infinity;
    for (const lists of tags) {
      let count = 0;
      for (let hour = to; hour >= from && hour > to - 24 && count < DURATION_PROBE_ROWS; hour--) {
        for (const list of lists) count += this.countPostings.get(hour, list, DURATION_PROBE_ROWS) ?? 0;
      }
      if (count < bestCount) {
        best = lists;
        bestCount = count;
      }
    }
    return best;
  }
}

/** The start of the trace's newest span that matches every filter; undefined when none does. */
function newestMatch(spans: readonly Span[], f: Filters): bigint | undefined {
  let newest: bigint | undefined;
  for (const span of spans) {
    if (!spanMatches(span, f)) continue;
    const start = BigInt(span.startTimeUnixNano);
    if (newest === undefined || start > newest) newest = start;
  }
  return newest;
}

function distinctTraces(rows: readonly IndexRow[], limit: number): number[] {
  const out = new Set<number>();
  for (const row of rows) {
    out.add(Number(row.trace_num));
    if (out.size >= limit) break;
  }
  return [...out];
}
