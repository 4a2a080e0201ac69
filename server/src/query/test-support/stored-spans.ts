import type { Span } from '@threadline/shared';
import { parseExportTraceRequestProto } from '../../receivers/otlp/otlp-proto-decoder.js';
import { encodeExportTraceRequestProto } from '../../receivers/otlp/otlp-proto-encoder.js';
import { toSpans } from '../../receivers/otlp/otlp-to-spans.js';

/** Test-only helpers for the encoders that read stored protobuf (compact and Jaeger). */

/** Spans as the OTLP receiver hands them to the store (carrying their protobuf bytes). */
export function received(request: Parameters<typeof encodeExportTraceRequestProto>[0]): Span[] {
  return toSpans(parseExportTraceRequestProto(encodeExportTraceRequestProto(request))).spans;
}

/** A fixed instant in Unix nanoseconds the test traces start near. */
export const NS = 1712345678000000000n;
/** A start or end time `offset` ns after a fixed instant, as the span model spells it. */
export const ns = (offset: number | bigint) => (NS + BigInt(offset)).toString();
/** The i-th span ID of a test trace. */
export const idOf = (i: number) => (i + 1).toString(16).padStart(16, '0');
