import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecTraceRecord, ProfileWindow } from '../profile-store.js';
import { openDatabase } from './open-database.js';
import { ProfileReader } from './profile-reader.js';
import { ProfileRetention } from './profile-retention.js';
import { ProfileWriter } from './profile-writer.js';
import { SpanWriter } from './span-writer.js';
import { at, BASE_NS, spanIdOf, testSpan, traceIdOf } from './test-spans.js';

let db: Database.Database;
let writer: ProfileWriter;
let reader: ProfileReader;
let retention: ProfileRetention;
beforeEach(() => {
  db = openDatabase(':memory:', 'writer');
  writer = new ProfileWriter(db);
  reader = new ProfileReader(db);
  retention = new ProfileRetention(db);
});
afterEach(() => db.close());

const S = 1_000_000_000n;
const T = traceIdOf(1);
const A = spanIdOf(1);
const B = spanIdOf(2);
const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

function window(startNs: bigint, samples: ProfileWindow['samples'], service = 'api'): ProfileWindow {
  return { service, kind: 'cpu', unit: 'nanoseconds', startNs, endNs: startNs + 10n * S, resource: { 'service.name': service }, samples };
}

const sample = (spanId: string, frames: string[], value: number, spanName = 'GET /users') => ({ spanId, spanName, traceId: spanId === '' ? '' : T, frames, value });

function execTrace(spanId: string, startNs: bigint): ExecTraceRecord {
  return {
    traceId: T,
    spanId,
    service: 'api',
    spanName: 'GET /users',
    startNs,
    durationNs: S,
    error: false,
    summary: { durationNano: '1000000000', goroutines: 1, startSeen: true, states: [{ state: 'mutex', durationNano: '1000000000' }], topStacks: [] },
    raw: new Uint8Array([1, 2, 3]),
    rawBytes: 3,
  };
}

describe('SQLite profile store', () => {
  it('sums samples per stack across windows, by span or by operation and window', () => {
    writer.writeProfile(window(BASE_NS, [sample(A, ['main', 'hot'], 30), sample(A, ['main', 'json'], 5), sample(B, ['main', 'hot'], 7, 'GET /other'), sample('', ['gc'], 100, '')]));
    writer.writeProfile(window(BASE_NS + 10n * S, [sample(A, ['main', 'hot'], 10)]));

    expect(reader.getProfileStacks({ kind: 'cpu', spanIds: [A], limit: 10 })).toEqual({
      unit: 'nanoseconds',
      total: 45,
      stacks: [
        { frames: ['main', 'hot'], value: 40 },
        { frames: ['main', 'json'], value: 5 },
      ],
    });
    expect(reader.getProfileStacks({ kind: 'cpu', spanIds: [A, B], limit: 1 })).toEqual({ unit: 'nanoseconds', total: 52, stacks: [{ frames: ['main', 'hot'], value: 47 }] });
    // Only the first window overlaps [BASE, BASE+5s).
    expect(reader.getProfileStacks({ kind: 'cpu', service: 'api', spanName: 'GET /users', startNs: BASE_NS, endNs: BASE_NS + 5n * S, limit: 10 }).total).toBe(35);
    expect(reader.getProfileStacks({ kind: 'heap', spanIds: [A], limit: 10 }).stacks).toEqual([]);
    expect(reader.getProfileStacks({ kind: 'cpu', spanIds: [], limit: 10 }).stacks).toEqual([]);
    // Stacks are interned: two distinct ones plus gc.
    expect(count('profile_stacks')).toBe(3);
  });

  it('marks spans with samples or an execution trace, and serves the trace and its raw bytes', () => {
    writer.writeProfile(window(BASE_NS, [sample(A, ['main'], 1)]));
    writer.writeExecTrace(execTrace(B, BASE_NS));
    expect(reader.getProfileMarkers(T).sort((x, y) => x.spanId.localeCompare(y.spanId))).toEqual([
      { spanId: A, cpu: true, execTrace: false },
      { spanId: B, cpu: false, execTrace: true },
    ]);
    expect(reader.getExecTrace(T, B)).toMatchObject({ spanId: B, durationNs: S, hasRaw: true, rawBytes: 3, summary: { goroutines: 1 } });
    expect([...reader.getExecTraceRaw(T, B)!]).toEqual([1, 2, 3]);
    expect(reader.getExecTrace(T, A)).toBeUndefined();
    expect(reader.getExecTraceRaw(T, A)).toBeUndefined();
  });

  it('deletes profiles older than the cutoff or than the oldest span, in steps, and the stacks nothing uses', () => {
    const spans = new SpanWriter(db);
    spans.write([testSpan({ traceId: traceIdOf(9), spanId: spanIdOf(9), startTimeUnixNano: at(60_000), endTimeUnixNano: at(60_001) })]);
    writer.writeProfile(window(BASE_NS, [sample(A, ['old'], 1)]));
    writer.writeProfile(window(BASE_NS + 20n * S, [sample(A, ['older-than-span'], 1)]));
    writer.writeProfile(window(BASE_NS + 100n * S, [sample(A, ['kept'], 1)]));
    writer.writeExecTrace(execTrace(B, BASE_NS));

    // Age cutoff 0: only "older than the oldest span (60 s)" applies; one window per step.
    expect(retention.deleteBefore(0n, 1)).toEqual({ deleted: 3, remaining: true });
    while (retention.deleteBefore(0n, 1).deleted > 0);
    expect(reader.getProfileStacks({ kind: 'cpu', spanIds: [A], limit: 10 }).stacks).toEqual([{ frames: ['kept'], value: 1 }]);
    expect(count('profile_windows')).toBe(1);
    expect(count('profile_stacks')).toBe(1);
    expect(count('exec_traces')).toBe(0);
    expect(reader.getProfileMarkers(T)).toEqual([{ spanId: A, cpu: true, execTrace: false }]);

    // An age cutoff past everything removes the rest.
    expect(retention.deleteBefore(BASE_NS + 1_000n * S, 10)).toEqual({ deleted: 2, remaining: false });
    expect(count('profile_windows') + count('profile_samples') + count('profile_spans') + count('profile_stacks')).toBe(0);
  });
});
