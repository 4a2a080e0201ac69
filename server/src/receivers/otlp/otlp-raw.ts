/**
 * The protobuf bytes a span was decoded from: its Span message, and its resource's and
 * scope's, as views of the request body. The store writes them as they are instead of
 * encoding the span again, which was the largest share of ingest CPU after decoding.
 * Kept under a symbol, so the span's JSON and structured clones leave it out. Whatever
 * changes a decoded span (beyond what `toSpan` does, which is applied again on read) must
 * delete this, or the store would keep the span as it came.
 */
export const RAW_PROTO = Symbol('threadline.rawProto');

export interface RawProto {
  span: Uint8Array;
  resource: Uint8Array;
  scope: Uint8Array;
}

export type WithRawProto = { [RAW_PROTO]?: RawProto };

export function rawProtoOf(value: object): RawProto | undefined {
  return (value as WithRawProto)[RAW_PROTO];
}

/** Non-enumerable, so that deep equality (tests) and spreads see the span alone. */
export function setRawProto(value: object, raw: RawProto): void {
  Object.defineProperty(value, RAW_PROTO, { value: raw, writable: true, configurable: true, enumerable: false });
}
