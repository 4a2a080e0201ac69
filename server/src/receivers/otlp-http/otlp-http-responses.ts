import {
  encodeExportTraceResponseJson,
  encodeExportTraceResponseProto,
  encodeRpcStatusJson,
  encodeRpcStatusProto,
  type PartialSuccess,
} from '../otlp/otlp-responses.js';
import type { OtlpEncoding } from './otlp-content-type.js';

/** google.rpc.Code for the HTTP statuses OTLP/HTTP answers with. */
export function grpcCodeForHttpStatus(status: number): number {
  if (status === 413 || status === 429) return 8; // RESOURCE_EXHAUSTED
  if (status === 503 || status === 502 || status === 504) return 14; // UNAVAILABLE
  if (status === 404) return 5; // NOT_FOUND
  if (status === 405 || status === 415) return 12; // UNIMPLEMENTED
  if (status >= 500) return 13; // INTERNAL
  return 3; // INVALID_ARGUMENT
}

export function encodeExportResponse(encoding: OtlpEncoding, partial: PartialSuccess | undefined): Uint8Array {
  return encoding === 'protobuf' ? encodeExportTraceResponseProto(partial) : Buffer.from(encodeExportTraceResponseJson(partial));
}

export function encodeRpcStatus(encoding: OtlpEncoding, httpStatus: number, message: string): Uint8Array {
  const status = { code: grpcCodeForHttpStatus(httpStatus), message };
  return encoding === 'protobuf' ? encodeRpcStatusProto(status) : Buffer.from(encodeRpcStatusJson(status));
}
