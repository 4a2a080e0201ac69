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

/** Inserts lists, merging one whose key is taken into the stored one. */
export const UPSERT_POSTING_LIST = {
  insert: 'INSERT INTO tag_posting_lists (hour, tag, last_num, n, nums)',
  onConflict: 'ON CONFLICT (hour, tag, last_num) DO UPDATE SET n = n + excluded.n, nums = merge_posting_lists(nums, excluded.nums)',
} as const;

/** better-sqlite3 binds Buffers as blobs. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A list as written: its key, its length (the search's cost estimate) and its bytes. */
export interface PostingListRow {
  hour: number;
  tag: number;
  lastNum: number;
  count: number;
  nums: Uint8Array;
}

/** Gathers one pass's postings by hour and tag. */
export class PostingListBuilder {
  private readonly byHour = new Map<number, Map<number, number[]>>();

  add(hour: number, tag: number, traceNum: number): void {
    let tags = this.byHour.get(hour);
    if (!tags) this.byHour.set(hour, (tags = new Map()));
    const nums = tags.get(tag);
    if (nums) nums.push(traceNum);
    else tags.set(tag, [traceNum]);
  }

  /** The lists gathered, and forgets them. */
  *take(): Generator<PostingListRow> {
    const byHour = [...this.byHour];
    this.byHour.clear();
    for (const [hour, tags] of byHour) {
      for (const [tag, nums] of tags) {
        const sorted = sortedDistinct(nums);
        yield { hour, tag, lastNum: sorted[sorted.length - 1]!, count: sorted.length, nums: encodePostingList(sorted) };
      }
    }
  }

  clear(): void {
    this.byHour.clear();
  }
}
