import { Metadata, status as GrpcStatus, type StatusObject } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { AppError } from '../../app-error.js';
import { IngestRejectedError } from '../../ingest/ingest-queue.js';
import { encodeRpcStatusProto, retryInfoDetail } from '../otlp/otlp-responses.js';

const STORE_RETRY_SECONDS = 5;

/** What a unary handler passes to its callback to end the call with a status. */
export type GrpcFailure = Pick<StatusObject, 'code' | 'details'> & Partial<Pick<StatusObject, 'metadata'>>;

/**
 * Maps whatever stopped an Export call to the status OTLP/gRPC exporters act on.
 * An AppError is the client's fault (bytes that are no ExportTraceServiceRequest):
 * INVALID_ARGUMENT, which exporters drop rather than retry. Refusals and store failures
 * are UNAVAILABLE, which every OTLP exporter retries, with a `google.rpc.RetryInfo` in
 * `grpc-status-details-bin` so it waits as long as we ask (the OTLP/gRPC throttling rule;
 * the Go exporter reads it through status.Details()).
 */
export function grpcIngestFailure(err: unknown, logger: Logger): GrpcFailure {
  if (err instanceof AppError) {
    if (err.status === 401) return { code: GrpcStatus.UNAUTHENTICATED, details: err.message };
    if (err.status === 413) return { code: GrpcStatus.RESOURCE_EXHAUSTED, details: err.message };
    if (err.status === 503) return retryable(GrpcStatus.UNAVAILABLE, err.message, STORE_RETRY_SECONDS);
    return { code: GrpcStatus.INVALID_ARGUMENT, details: err.message };
  }
  if (err instanceof IngestRejectedError) {
    // Memory is RESOURCE_EXHAUSTED as OTLP/gRPC says for throttling; with RetryInfo, exporters retry it.
    return retryable(err.reason === 'memory_exhausted' ? GrpcStatus.RESOURCE_EXHAUSTED : GrpcStatus.UNAVAILABLE, err.message, err.retryAfterSeconds);
  }
  logger.error({ err }, 'ingest failed');
  return retryable(GrpcStatus.UNAVAILABLE, 'spans could not be stored; retry later', STORE_RETRY_SECONDS);
}

function retryable(code: GrpcStatus, message: string, retryAfterSeconds: number): GrpcFailure {
  const metadata = new Metadata();
  // Status and trailers must agree: gRPC clients check the detail's code against grpc-status.
  const details = encodeRpcStatusProto({ code, message, details: [retryInfoDetail(retryAfterSeconds * 1000)] });
  metadata.set('grpc-status-details-bin', Buffer.from(details));
  return { code, details: message, metadata };
}
