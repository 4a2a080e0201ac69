import { durationBucketOf } from './duration-buckets.js';
import { asBuffer } from './posting-lists.js';
import type { SpanColumns } from './prepared-batch.js';

/**
 * The duration index as lists (migration 009). Min-duration search and slow spans walk an
 * operation's spans by duration bucket; that index was a second B-tree over every
 * `span_index` row, and one insert into it cost more than the row itself (~4 µs a span of
 * the writer's ~19, measured alone and in the ingest benchmark). Instead, each indexing
 * pass writes one row per (operation, bucket) it saw, holding that pass's spans of it as
 * fixed-width columns, with the earliest and latest start. A pass of 32k spans of 200
 * operations writes ~2k lists.
 *
 * A list is a hint, as a posting is: readers take a listed span only once span_index still
 * holds it with that duration, so a list straddling a retention or eviction bound, or one
 * holding a span removed since (span-remover.ts leaves lists alone), is never wrong.
 */

/** One span in a list. */
export interface DurationEntry {
  startNs: bigint;
  durationNs: bigint;
  traceNum: number;
  /** The 8 ID bytes as a signed int64, as span_index keeps it. */
  spanId: bigint;
  isError: number;
}

/** Bytes an entry takes: start, duration, trace number (a float64: rowids stay below 2^53), span ID, error flag. */
const ENTRY_BYTES = 33;

/** Where an encoder reads a list's entries: by position, from objects or from a batch's columns. */
interface EntrySource {
  readonly count: number;
  startNs(i: number): bigint;
  durationNs(i: number): bigint;
  traceNum(i: number): number;
  spanId(i: number): bigint;
  isError(i: number): number;
}

/** Entry objects as an EntrySource. */
function entriesSource(entries: readonly DurationEntry[]): EntrySource {
  return {
    count: entries.length,
    startNs: (i) => entries[i]!.startNs,
    durationNs: (i) => entries[i]!.durationNs,
    traceNum: (i) => entries[i]!.traceNum,
    spanId: (i) => entries[i]!.spanId,
    isError: (i) => entries[i]!.isError,
  };
}

/** Entries as column-wise bytes. */
export function encodeDurationList(entries: readonly DurationEntry[]): Uint8Array {
  return encodeEntries(entriesSource(entries));
}

function encodeEntries(source: EntrySource): Uint8Array {
  const n = source.count;
  const bytes = new Uint8Array(n * ENTRY_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    view.setBigInt64(i * 8, source.startNs(i), true);
    view.setBigInt64((n + i) * 8, source.durationNs(i), true);
    view.setFloat64((2 * n + i) * 8, source.traceNum(i), true);
    view.setBigInt64((3 * n + i) * 8, source.spanId(i), true);
    bytes[32 * n + i] = source.isError(i);
  }
  return bytes;
}

/** The entries of a list, in the order written. Throws on bytes that are not a list (a corrupt row). */
export function decodeDurationList(bytes: Uint8Array): DurationEntry[] {
  if (bytes.length % ENTRY_BYTES !== 0) throw new Error(`duration list of ${bytes.length} bytes is not whole entries`);
  const n = bytes.length / ENTRY_BYTES;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: DurationEntry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    entries[i] = {
      startNs: view.getBigInt64(i * 8, true),
      durationNs: view.getBigInt64((n + i) * 8, true),
      traceNum: view.getFloat64((2 * n + i) * 8, true),
      spanId: view.getBigInt64((3 * n + i) * 8, true),
      isError: bytes[32 * n + i]!,
    };
  }
  return entries;
}

/** A list as written: its key, its time range and its bytes. */
export interface DurationListRow {
  opId: number;
  bucket: number;
  firstStartNs: bigint;
  lastStartNs: bigint;
  count: number;
  entries: Uint8Array;
}

/**
 * The list row of entries of one (operation, bucket), in the order given: readers filter
 * every entry of a list they read, so none needs an order within it (sorting a pass's
 * entries by their bigint starts was 1 % of the writer's time), only its time range.
 */
export function toDurationListRow(opId: number, bucket: number, entries: readonly DurationEntry[]): DurationListRow {
  return toListRow(opId, bucket, entriesSource(entries));
}

function toListRow(opId: number, bucket: number, source: EntrySource): DurationListRow {
  return { opId, bucket, ...startRangeOf(source), count: source.count, entries: encodeEntries(source) };
}

/** The earliest and latest start of (at least one) entries, in whatever order they are. */
export function startRange(entries: readonly DurationEntry[]): { firstStartNs: bigint; lastStartNs: bigint } {
  return startRangeOf(entriesSource(entries));
}

function startRangeOf(source: EntrySource): { firstStartNs: bigint; lastStartNs: bigint } {
  let firstStartNs = source.startNs(0);
  let lastStartNs = firstStartNs;
  for (let i = 1; i < source.count; i++) {
    const start = source.startNs(i);
    if (start < firstStartNs) firstStartNs = start;
    if (start > lastStartNs) lastStartNs = start;
  }
  return { firstStartNs, lastStartNs };
}

/**
 * Gathers one pass's spans by (operation, duration bucket), as positions in the pass's
 * batch columns: nothing is kept per span but two numbers (a pass's entry objects lived
 * until its end, and garbage that lives that long is the collector's most costly kind).
 */
export class DurationListBuilder {
  private readonly byKey = new Map<number, { opId: number; bucket: number; rows: number[]; traceNums: number[] }>();
  private columns: SpanColumns | undefined;

  /** Span `row` of `columns` (every span added until `take` is of the same columns), of trace `traceNum`. */
  add(opId: number, columns: SpanColumns, row: number, traceNum: number): void {
    this.columns = columns;
    const bucket = durationBucketOf(columns.durationNs[row]!);
    // Buckets are below 128: one number keys the pair.
    const key = opId * 128 + bucket;
    const group = this.byKey.get(key);
    if (group) {
      group.rows.push(row);
      group.traceNums.push(traceNum);
    } else this.byKey.set(key, { opId, bucket, rows: [row], traceNums: [traceNum] });
  }

  /** The lists gathered, and forgets them. */
  *take(): Generator<DurationListRow> {
    const groups = [...this.byKey.values()];
    const columns = this.columns!;
    this.clear();
    for (const { opId, bucket, rows, traceNums } of groups) {
      yield toListRow(opId, bucket, {
        count: rows.length,
        startNs: (i) => columns.startNs[rows[i]!]!,
        durationNs: (i) => columns.durationNs[rows[i]!]!,
        traceNum: (i) => traceNums[i]!,
        spanId: (i) => columns.spanId[rows[i]!]!,
        isError: (i) => columns.isError[rows[i]!]!,
      });
    }
  }

  clear(): void {
    this.byKey.clear();
    this.columns = undefined;
  }
}

/** The statement that writes a list; its parameters are `durationListParams(row)`. */
export const INSERT_DURATION_LIST = 'INSERT INTO duration_lists (op_id, bucket, first_start_ns, last_start_ns, n, entries) VALUES (?, ?, ?, ?, ?, ?)';

export function durationListParams(row: DurationListRow): [number, number, bigint, bigint, number, Buffer] {
  return [row.opId, row.bucket, row.firstStartNs, row.lastStartNs, row.count, asBuffer(row.entries)];
}
