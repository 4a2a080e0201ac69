/**
 * A page of a streamed trace whose spans a store hands over still as the OTLP protobuf it
 * keeps them in (SpanStore.streamTraceProto), for answers that transcode the bytes instead
 * of building `Span` objects (compact-trace.ts). Building those objects, and their
 * attribute trees, was most of the work and the garbage of serving a big trace.
 */
import type { InstrumentationScope, Resource, Span } from '@threadline/shared';

/** One span as its `opentelemetry.proto.trace.v1.Span` message, with what it shares with its neighbours. */
export interface ProtoSpan {
  /** The Span message (a view: valid while the page is). */
  readonly bytes: Uint8Array;
  /** What decoding `bytes` gives (the sort key and the duplicate check need them before any reader does). */
  readonly spanId: string;
  readonly startTimeUnixNano: string;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly serviceName: string;
  /**
   * The decoded objects (span, attributes, values, events, links) the store's decoder allows
   * this span: a span over it must be read by `ProtoSpanPage.decode`, which gives the store's
   * own answer (an error, when the chunk it came in decodes to too much).
   */
  readonly maxObjects: number;
}

export interface ProtoSpanPage {
  /** The page's spans in streamTrace's order: each still in protobuf, or already decoded by the store. */
  readonly spans: ReadonlyArray<ProtoSpan | Span>;
  /**
   * The page as streamTrace gives it, one `Span` per entry of `spans`: for a reader that
   * cannot read a ProtoSpan (bytes that do not decode, limits it does not apply). Throws
   * what streamTrace throws for the page.
   */
  decode(): Span[];
}

export type TracePage = Span[] | ProtoSpanPage;

export function isProtoSpan(span: ProtoSpan | Span): span is ProtoSpan {
  return 'bytes' in span;
}
