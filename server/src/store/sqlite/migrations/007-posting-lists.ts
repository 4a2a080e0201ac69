import type Database from 'better-sqlite3';
import { encodePostingList } from '../posting-lists.js';

/**
 * Tag postings as one row per (hour, tag, indexing pass) holding the pass's trace numbers
 * (posting-lists.ts) instead of one row per (hour, tag, trace). `n` is the list's length
 * when written: a search's estimate of a tag's rarity.
 */
export const sql = `
CREATE TABLE tag_posting_lists (
  hour     INTEGER NOT NULL,
  tag      INTEGER NOT NULL,
  last_num INTEGER NOT NULL,
  n        INTEGER NOT NULL,
  nums     BLOB NOT NULL,
  PRIMARY KEY (hour, tag, last_num)
) WITHOUT ROWID;
`;

/** Postings per list when converting: a list is read whole by a search, so keep them about a pass's size. */
const LIST_SIZE = 2_048;
const PROGRESS_EVERY = 1_000_000;
const PAGE_ROWS = 100_000;

/** Moves every old posting into lists (one (hour, tag) at a time, in key order), then drops the old table. */
export function convert(db: Database.Database, progress: (done: number) => void): void {
  const insert = db.prepare('INSERT INTO tag_posting_lists (hour, tag, last_num, n, nums) VALUES (?, ?, ?, ?, ?)');
  let key: { hour: number; tag: number } | undefined;
  let nums: number[] = [];
  let done = 0;
  const flush = () => {
    if (key && nums.length > 0) insert.run(key.hour, key.tag, nums[nums.length - 1], nums.length, encodePostingList(nums));
    nums = [];
  };
  // Read in pages by key: the connection cannot write while a read iterates.
  const firstPage = db.prepare<[], [number, number, number]>(`SELECT hour, tag, trace_num FROM tag_postings ORDER BY hour, tag, trace_num LIMIT ${PAGE_ROWS}`).raw();
  const nextPage = db
    .prepare<[number, number, number], [number, number, number]>(
      `SELECT hour, tag, trace_num FROM tag_postings WHERE (hour, tag, trace_num) > (?, ?, ?) ORDER BY hour, tag, trace_num LIMIT ${PAGE_ROWS}`,
    )
    .raw();
  for (let page = firstPage.all(); page.length > 0; ) {
    for (const [hour, tag, num] of page) {
      if (!key || key.hour !== hour || key.tag !== tag) {
        flush();
        key = { hour, tag };
      } else if (nums.length >= LIST_SIZE) flush();
      nums.push(num);
      if (++done % PROGRESS_EVERY === 0) progress(done);
    }
    const [hour, tag, num] = page[page.length - 1]!;
    page = nextPage.all(hour, tag, num);
  }
  flush();
  db.exec('DROP TABLE tag_postings');
}
