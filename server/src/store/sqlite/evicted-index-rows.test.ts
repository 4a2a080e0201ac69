import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeDurationList } from './duration-lists.js';
import { EvictedIndexRows } from './evicted-index-rows.js';
import { openDatabase } from './open-database.js';
import { SpanWriter } from './span-writer.js';
import { at, BASE_NS, spanIdOf, testSpan, traceIdOf } from './test-spans.js';

let db: Database.Database;
beforeEach(() => {
  db = openDatabase(':memory:', 'writer');
});
afterEach(() => db.close());

/** One span of trace `trace` starting `ms` after BASE_NS, 1 ms long (one operation, one duration bucket). */
const span = (trace: number, ms: number) =>
  testSpan({ traceId: traceIdOf(trace), spanId: spanIdOf(trace * 100 + ms), startTimeUnixNano: at(ms), endTimeUnixNano: at(ms + 1) });

const lists = () =>
  db
    .prepare<[], { first: bigint; last: bigint; entries: Buffer }>('SELECT first_start_ns AS first, last_start_ns AS last, entries FROM duration_lists')
    .safeIntegers(true)
    .all()
    .map((r) => ({ first: r.first, last: r.last, starts: decodeDurationList(r.entries).map((e) => e.startNs) }));

const ms = (n: number) => BASE_NS + BigInt(n) * 1_000_000n;

describe('EvictedIndexRows.durationLists', () => {
  it('takes the spans of gone traces out of the lists of its range, keeping each list’s range its spans’, and drops emptied lists', () => {
    // One pass, one list, in the pass's order: trace 1's spans (at 1 and 5 ms), then trace 2's (2 and 3 ms).
    new SpanWriter(db).write([span(1, 1), span(1, 5), span(2, 2), span(2, 3)]);
    expect(lists()).toEqual([{ first: ms(1), last: ms(5), starts: [ms(1), ms(5), ms(2), ms(3)] }]);
    const sweep = new EvictedIndexRows(db);

    db.prepare(`DELETE FROM trace_summaries WHERE trace_id = x'${traceIdOf(1)}'`).run();
    expect([...sweep.durationLists(ms(0), ms(10))]).toEqual([2]);
    expect(lists()).toEqual([{ first: ms(2), last: ms(3), starts: [ms(2), ms(3)] }]);

    // A list whose newest span is past the range's end waits for a later round.
    db.prepare(`DELETE FROM trace_summaries WHERE trace_id = x'${traceIdOf(2)}'`).run();
    expect([...sweep.durationLists(ms(0), ms(2))].reduce((a, b) => a + b, 0)).toBe(0);
    expect(lists()).toHaveLength(1);
    expect([...sweep.durationLists(ms(0), ms(3))]).toEqual([2]);
    expect(lists()).toEqual([]);
  });
});

describe('EvictedIndexRows.postings', () => {
  it('takes gone traces out of the posting lists of its hours and keeps the start bounds of what is left', () => {
    new SpanWriter(db).write([span(1, 1), span(2, 7), span(3, 9)]);
    const postings = () =>
      db.prepare<[], { nums: Buffer; from: number; to: number }>('SELECT nums, spans_from_ms AS "from", spans_to_ms AS "to" FROM tag_posting_lists').all();
    const baseMs = Number(BASE_NS / 1_000_000n);
    const before = postings();
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((p) => p.from === baseMs && p.to === baseMs + 11)).toBe(true);

    db.prepare(`DELETE FROM trace_summaries WHERE trace_id = x'${traceIdOf(1)}'`).run();
    const hour = Number(BASE_NS / 3_600_000_000_000n);
    expect([...new EvictedIndexRows(db).postings(hour, hour)].reduce((a, b) => a + b, 0)).toBe(before.length);
    // Still a bound of the spans left (at 7 and 9 ms, 1 ms long), if a loose one: a list is not read again to narrow it.
    expect(postings().map((p) => [p.from, p.to])).toEqual(before.map(() => [baseMs, baseMs + 11]));
  });
});
