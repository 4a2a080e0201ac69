/** Span fixtures for the store's tests. */
import { SpanKind, StatusCode, stringAttr, type Span } from '@threadline/shared';
import { decodePostingList } from './posting-lists.js';
import type { TraceCursor, TracePieceReader } from './trace-piece-reader.js';
import { chunksOf } from './trace-piece-stream.js';

/** 2024-04-05T19:34:38Z in ns: well beyond 2^53, so a detour through `number` would show. */
export const BASE_NS = 1712345678000000000n;

/** A decimal-string timestamp `ms` milliseconds after BASE_NS. */
export function at(ms: number): string {
  return String(BASE_NS + BigInt(ms) * 1_000_000n);
}

export function traceIdOf(n: number): string {
  return n.toString(16).padStart(32, '0');
}

export function spanIdOf(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/** A 1 ms server span of `api` in trace 1, overridable field by field. */
export function testSpan(fields: Partial<Span> = {}): Span {
  const serviceName = fields.serviceName ?? 'api';
  return {
    traceId: traceIdOf(1),
    spanId: spanIdOf(1),
    parentSpanId: '',
    traceState: '',
    flags: 1,
    name: 'GET /users',
    kind: SpanKind.SERVER,
    startTimeUnixNano: at(0),
    endTimeUnixNano: at(1),
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: StatusCode.UNSET, message: '' },
    resource: { attributes: [stringAttr('service.name', serviceName)], droppedAttributesCount: 0 },
    scope: { name: 'test-scope', version: '1.0.0', attributes: [], droppedAttributesCount: 0 },
    serviceName,
    ...fields,
  };
}

/** Every posting as [hour, tag, trace_num], decoded from the posting lists (one row per list). */
export function storedPostings(db: import('better-sqlite3').Database): Array<[number, number, number]> {
  const lists = db.prepare<[], [number, number, Buffer]>('SELECT hour, tag, nums FROM tag_posting_lists').raw().all();
  return lists.flatMap(([hour, tag, nums]) => decodePostingList(nums).map((num): [number, number, number] => [hour, tag, num]));
}

/** Every piece of a trace read one after the other (as streamPieces asks for them), as the chunks they hold. */
export function* readPieces(reader: TracePieceReader, traceId: string, pageSpans: number): Generator<Uint8Array> {
  let cursor: TraceCursor | undefined;
  do {
    const piece = reader.read(traceId, cursor, pageSpans);
    yield* chunksOf(piece);
    cursor = piece.next;
  } while (cursor !== undefined);
}
