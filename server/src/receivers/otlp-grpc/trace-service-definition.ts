import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

export const TRACE_SERVICE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/**
 * `opentelemetry.proto.collector.trace.v1.TraceService`, written by hand so that no .proto
 * is loaded at run time. Requests stay raw bytes here: grpc-js answers a throwing
 * deserializer with INTERNAL, but a malformed request is the client's fault
 * (INVALID_ARGUMENT), so the handler decodes it with our codec and picks the status.
 * Responses are already-encoded `ExportTraceServiceResponse` bytes.
 */
export const traceServiceDefinition = {
  Export: {
    path: TRACE_SERVICE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: asBuffer,
    requestDeserialize: asBuffer,
    responseSerialize: asBuffer,
    responseDeserialize: asBuffer,
  } satisfies MethodDefinition<Uint8Array, Uint8Array>,
} satisfies ServiceDefinition;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
