/**
 * Response bodies for OTLP trace export, in both encodings: `ExportTraceServiceResponse`
 * for (partial) success, `google.rpc.Status` for failures (OTLP/HTTP 4xx/5xx bodies, and
 * the `grpc-status-details-bin` of OTLP/gRPC errors).
 */

import { WireType } from './protobuf-reader.js';
import { ProtobufWriter } from './protobuf-writer.js';
import type { ToSpansResult } from './otlp-to-spans.js';

/** `opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess` */
export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** `google.rpc.Status`; `code` is a gRPC status code (OTLP/HTTP clients do not act on it). */
export interface RpcStatus {
  code: number;
  message: string;
  details?: RpcAny[];
}

/** `google.protobuf.Any`: an already-encoded detail message and its type URL. */
export interface RpcAny {
  typeUrl: string;
  value: Uint8Array;
}

/** What the ingest limits did to a request (a DecodeMeter): spans rejected, and notes on truncation. */
export interface LimitsOutcome {
  spansOverLimit: number;
  notes(): string[];
}

/**
 * The partial success to report, or undefined when every span was accepted whole: OTLP
 * says the server MUST leave `partial_success` unset on full success. Truncated or dropped
 * parts with no span rejected make a warning (`rejected_spans` 0 with a message), as OTLP
 * allows.
 */
export function toPartialSuccess(result: Pick<ToSpansResult, 'rejected' | 'rejectionMessages'>, limits?: LimitsOutcome): PartialSuccess | undefined {
  const notes = limits?.notes() ?? [];
  const rejected = result.rejected + (limits?.spansOverLimit ?? 0);
  if (rejected === 0 && notes.length === 0) return undefined;
  const unlisted = result.rejected - result.rejectionMessages.length;
  const parts = unlisted > 0 ? [...result.rejectionMessages, `${unlisted} more rejected`] : [...result.rejectionMessages];
  return { rejectedSpans: rejected, errorMessage: [...parts, ...notes].join('; ') };
}

/** Full success is the empty message, i.e. zero bytes. */
export function encodeExportTraceResponseProto(partial?: PartialSuccess): Uint8Array {
  const w = new ProtobufWriter(64);
  if (partial) {
    w.message(1, (ps) => {
      if (partial.rejectedSpans !== 0) ps.tag(1, WireType.VARINT).int64(partial.rejectedSpans);
      if (partial.errorMessage !== '') ps.tag(2, WireType.LEN).string(partial.errorMessage);
    });
  }
  return w.finish();
}

/** protojson: int64 as a string, default values omitted; full success is `{}`. */
export function encodeExportTraceResponseJson(partial?: PartialSuccess): string {
  if (!partial) return '{}';
  const body: { rejectedSpans?: string; errorMessage?: string } = {};
  if (partial.rejectedSpans !== 0) body.rejectedSpans = String(partial.rejectedSpans);
  if (partial.errorMessage !== '') body.errorMessage = partial.errorMessage;
  return JSON.stringify({ partialSuccess: body });
}

export function encodeRpcStatusProto(status: RpcStatus): Uint8Array {
  const w = new ProtobufWriter(64 + status.message.length);
  if (status.code !== 0) w.tag(1, WireType.VARINT).int32(status.code);
  if (status.message !== '') w.tag(2, WireType.LEN).string(status.message);
  for (const detail of status.details ?? []) {
    w.message(3, (any) => {
      any.tag(1, WireType.LEN).string(detail.typeUrl);
      any.tag(2, WireType.LEN).bytes(detail.value);
    });
  }
  return w.finish();
}

/**
 * protojson of `google.rpc.Status` without `details`: rendering an `Any` in JSON needs
 * its message schema, and over HTTP the retry hint travels in `Retry-After` anyway.
 */
export function encodeRpcStatusJson(status: Omit<RpcStatus, 'details'>): string {
  const body: { code?: number; message?: string } = {};
  if (status.code !== 0) body.code = status.code;
  if (status.message !== '') body.message = status.message;
  return JSON.stringify(body);
}

/** A `google.rpc.RetryInfo` detail, which OTLP/gRPC clients honour when throttled. */
export function retryInfoDetail(delayMs: number): RpcAny {
  const ms = Math.max(0, Math.round(delayMs));
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms % 1000) * 1_000_000;
  const w = new ProtobufWriter(16);
  w.message(1, (d) => {
    if (seconds !== 0) d.tag(1, WireType.VARINT).int64(seconds);
    if (nanos !== 0) d.tag(2, WireType.VARINT).int32(nanos);
  });
  return { typeUrl: 'type.googleapis.com/google.rpc.RetryInfo', value: w.finish() };
}
