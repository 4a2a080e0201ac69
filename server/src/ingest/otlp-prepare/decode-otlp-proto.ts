import { AppError } from '../../app-error.js';
import { DecodeMeter, type IngestLimits } from '../ingest-limits.js';
import { parseExportTraceRequestProto } from '../../receivers/otlp/otlp-proto-decoder.js';
import { toPartialSuccess, type PartialSuccess } from '../../receivers/otlp/otlp-responses.js';
import { toSpans, type ToSpansResult } from '../../receivers/otlp/otlp-to-spans.js';

/** What an OTLP protobuf request decoded to, in the counts the receivers report. */
export interface OtlpDecodeCounts {
  /** Spans accepted. */
  spans: number;
  /** Spans that failed validation. */
  rejected: number;
  /** Spans past the per-request limit. */
  spansOverLimit: number;
  /** Estimated heap bytes of the decoded request (charged to the in-flight budget). */
  decodedBytes: number;
  partial: PartialSuccess | undefined;
}

/**
 * An ExportTraceServiceRequest in protobuf to spans, with the limits applied while
 * decoding. Throws AppError: the limits' own (413), or 400 `malformed_request` whose message
 * starts with `malformed` (the receivers name the encoding differently).
 */
export function decodeOtlpProto(body: Uint8Array, limits: IngestLimits, malformed: string): { result: ToSpansResult; counts: OtlpDecodeCounts } {
  const meter = new DecodeMeter(limits);
  let request;
  try {
    request = parseExportTraceRequestProto(body, meter);
  } catch (err) {
    throw asMalformed(err, malformed);
  }
  const result = toSpans(request);
  return { result, counts: countsOf(result, meter) };
}

/** What a decoder threw, as the receivers answer it: its own AppError (a limit), else a 400 starting with `malformed`. */
export function asMalformed(err: unknown, malformed: string): AppError {
  return err instanceof AppError ? err : new AppError(400, 'malformed_request', `${malformed}: ${(err as Error).message}`);
}

/** The counts of a decoded request, whatever its encoding. */
export function countsOf(result: ToSpansResult, meter: DecodeMeter): OtlpDecodeCounts {
  return {
    spans: result.spans.length,
    rejected: result.rejected,
    spansOverLimit: meter.spansOverLimit,
    decodedBytes: meter.bytes,
    partial: toPartialSuccess(result, meter),
  };
}
