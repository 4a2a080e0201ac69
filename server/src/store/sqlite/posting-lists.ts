import type Database from 'better-sqlite3';

/**
 * Tag postings as lists (migration 007). A posting says "trace N has tag T in hour H"; the
 * benchmark fleet makes ~4 per span, and 99.7% of them belong to tags that a hundred or
 * more traces share (span.kind=server, http.method=GET, a service's resource…). One row
 * per posting was a quarter of the writer's time and the biggest table on disk. Instead,
 * each indexing pass writes one row per (hour, tag) it saw: the pass's trace numbers of
 * that tag, sorted and delta-encoded as varints (most deltas take one byte). A pass of 32k
 * spans wrote ~138k posting rows and now writes ~3k lists.
 *
 * Rows are keyed (hour, tag, last_num), last_num the list's highest trace number, so a
 * search walks an hour's lists of a tag newest first and stops once it has enough. Two
 * passes can end a list on the same trace (one trace's spans in both): the second merges
 * into the first (`mergePostingLists`, run by SQLite as an upsert's function).
 *
 * Each list also bounds when the spans it posts start (migration 010), so a search whose
 * window ends or begins inside an hour passes over the lists wholly outside it without
 * reading them: newest first, a window ending at 21:08 otherwise looked up every trace
 * ingested since in that hour, one by one (a tag every trace carries, under full-speed
 * ingest: 266 ms a search instead of 12, and past MAX_LOOKED_UP_TRACES it gave up short).
 */

/** The list of ascending, distinct trace numbers as varints: the first, then each one's distance from the one before. */
export function encodePostingList(ascending: readonly number[]): Uint8Array {
  const out = new Uint8Array(ascending.length * 8);
  let at = 0;
  let previous = 0;
  for (const num of ascending) {
    let delta = num - previous;
    previous = num;
    // Trace numbers are positive rowids below 2^53; varints of 7 bits, low first.
    while (delta >= 0x80) {
      out[at++] = (delta % 0x80) | 0x80;
      delta = Math.floor(delta / 0x80);
    }
    out[at++] = delta;
  }
  return out.slice(0, at);
}

/** The trace numbers of a list, ascending. Throws on a truncated list (a corrupt row). */
export function decodePostingList(bytes: Uint8Array): number[] {
  const nums: number[] = [];
  let previous = 0;
  let at = 0;
  while (at < bytes.length) {
    let delta = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length) throw new Error('truncated posting list');
      const byte = bytes[at++]!;
      delta += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new Error('posting list varint too long');
    }
    previous += delta;
    nums.push(previous);
  }
  return nums;
}

/** Sorted and without repeats, as encodePostingList wants them. */
export function sortedDistinct(nums: number[]): number[] {
  nums.sort((a, b) => a - b);
  let kept = 0;
  for (let i = 0; i < nums.length; i++) if (i === 0 || nums[i] !== nums[kept - 1]) nums[kept++] = nums[i]!;
  nums.length = kept;
  return nums;
}

/** Both lists' trace numbers in one list (the upsert of a list whose key is taken). */
export function mergePostingLists(stored: Uint8Array, incoming: Uint8Array): Uint8Array {
  return encodePostingList(sortedDistinct([...decodePostingList(stored), ...decodePostingList(incoming)]));
}

/** The SQL the writer's statements use: merge_posting_lists(stored, incoming), for upserts. Registering again is harmless. */
export function registerPostingListFunctions(db: Database.Database): void {
  db.function('merge_posting_lists', { deterministic: true }, (stored: Buffer, incoming: Buffer) => asBuffer(mergePostingLists(stored, incoming)));
}

/** A list row's columns, in the order its writers bind them. */
const POSTING_LIST_COLUMNS = ['hour', 'tag', 'last_num', 'n', 'nums', 'spans_from_ms', 'spans_to_ms'] as const;

/** Inserts lists, merging one whose key is taken into the stored one. */
export const UPSERT_POSTING_LIST = {
  insert: `INSERT INTO tag_posting_lists (${POSTING_LIST_COLUMNS.join(', ')})`,
  columns: POSTING_LIST_COLUMNS.length,
  /** The VALUES of one row. */
  oneRow: `VALUES (${POSTING_LIST_COLUMNS.map(() => '?').join(', ')})`,
  // min() and max() of a NULL (a list from before the bounds) stay NULL: unknown, never passed over.
  onConflict: `ON CONFLICT (hour, tag, last_num) DO UPDATE SET n = n + excluded.n, nums = merge_posting_lists(nums, excluded.nums),
    spans_from_ms = min(spans_from_ms, excluded.spans_from_ms), spans_to_ms = max(spans_to_ms, excluded.spans_to_ms)`,
} as const;

/** better-sqlite3 binds Buffers as blobs. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * When the spans a list posts start, in whole milliseconds since the epoch: every one
 * starts within [fromMs, toMs] (fromMs rounded down, toMs up). The writer bounds them by
 * their chunks' first start and last end, so a span that ends before it starts may start
 * after toMs: a search, which bounds a trace by its summary's end, does not look for it
 * there either.
 */
export interface StartBounds {
  fromMs: number;
  toMs: number;
}

/** A list as written: its key, its length (the search's cost estimate), its bytes and its start bounds. */
export interface PostingListRow extends StartBounds {
  hour: number;
  tag: number;
  lastNum: number;
  count: number;
  nums: Uint8Array;
}

interface PassList extends StartBounds {
  nums: number[];
}

/**
 * Bounds [fromNs, toNs] in whole milliseconds, at most a millisecond looser than exact. The
 * writer takes them for every chunk, so in doubles rather than by BigInt division (which
 * allocates): a double's rounding, at most 1,024 ns for any int64, stays inside the margin.
 */
export function startBoundsOf(fromNs: bigint, toNs: bigint): StartBounds {
  return { fromMs: Math.floor(Number(fromNs) / 1e6 - ROUNDING_MARGIN_MS), toMs: Math.ceil(Number(toNs) / 1e6 + ROUNDING_MARGIN_MS) };
}

const ROUNDING_MARGIN_MS = 0.01;
const NS_PER_MS = 1_000_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

/**
 * The hours' lists a search with window [startNs, endNs] reads: those whose bounds meet the
 * window, and those without bounds. Bind the window with `windowBoundsMs`.
 */
export const WALK_POSTING_LISTS =
  'SELECT nums FROM tag_posting_lists WHERE hour = ? AND tag = ? AND (spans_from_ms IS NULL OR (spans_from_ms <= ? AND spans_to_ms >= ?)) ORDER BY last_num DESC';

/** [end, start] of a window as WALK_POSTING_LISTS binds them: a list meets the window if it starts by its end and ends at or after its start. */
export function windowBoundsMs(startNs: bigint, endNs: bigint): [number, number] {
  return [Number(floorDiv(endNs, NS_PER_MS)), Number(-floorDiv(-startNs, NS_PER_MS))];
}

/** Gathers one pass's postings by hour and tag, with the start bounds of the chunks that posted them. */
export class PostingListBuilder {
  private readonly byHour = new Map<number, Map<number, PassList>>();

  add(hour: number, tag: number, traceNum: number, fromMs: number, toMs: number): void {
    let tags = this.byHour.get(hour);
    if (!tags) this.byHour.set(hour, (tags = new Map()));
    const list = tags.get(tag);
    if (!list) tags.set(tag, { nums: [traceNum], fromMs, toMs });
    else {
      list.nums.push(traceNum);
      if (fromMs < list.fromMs) list.fromMs = fromMs;
      if (toMs > list.toMs) list.toMs = toMs;
    }
  }

  /** The lists gathered, and forgets them. */
  *take(): Generator<PostingListRow> {
    const byHour = [...this.byHour];
    this.byHour.clear();
    for (const [hour, tags] of byHour) {
      for (const [tag, { nums, fromMs, toMs }] of tags) {
        const sorted = sortedDistinct(nums);
        yield { hour, tag, lastNum: sorted[sorted.length - 1]!, count: sorted.length, nums: encodePostingList(sorted), fromMs, toMs };
      }
    }
  }

  clear(): void {
    this.byHour.clear();
  }
}
