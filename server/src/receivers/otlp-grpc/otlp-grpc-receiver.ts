import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { rejectionReason, type IngestGate } from '../../ingest/ingest-gate.js';
import type { Logger } from 'pino';
import type { IngestQueue } from '../../ingest/ingest-queue.js';
import { inlineOtlpIngest, type OtlpProtoIngest } from '../../ingest/otlp-prepare/otlp-proto-ingest.js';
import { encodeExportTraceResponseProto } from '../otlp/otlp-responses.js';
import { grpcIngestFailure } from './grpc-ingest-failure.js';
import { traceServiceDefinition } from './trace-service-definition.js';
import { listenCapped, type CappedGrpcListener } from './grpc-listener.js';
import { ConnectionCap } from '../../net/connection-guard.js';

export const DEFAULT_MAX_GRPC_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Exporters time out after 10 s by default; an in-flight Export gets as long to be committed. */
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
const IDLE_CONNECTION_MS = 5 * 60_000;

export interface OtlpGrpcOptions {
  queue: Pick<IngestQueue, 'submit'>;
  gate: IngestGate;
  /** PEM certificate chain and key: the listener speaks TLS only. */
  tls?: { cert: Buffer; key: Buffer };
  logger: Logger;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Cap on one request message after decompression; larger ones get RESOURCE_EXHAUSTED. */
  maxMessageBytes: number;
  shutdownTimeoutMs?: number;
  /** The listener's connection caps, the same rules as the HTTP listeners'; none when absent. */
  connectionCap?: ConnectionCap;
  /** How messages are decoded and queued; on this thread when absent. */
  otlpIngest?: OtlpProtoIngest;
}

export interface OtlpGrpcHandle {
  port: number;
  /** Stops taking calls, lets running ones finish (up to the shutdown timeout), then cuts the rest. */
  close(): Promise<void>;
}

/**
 * OTLP/gRPC trace ingest: `TraceService/Export` on a grpc-js server, decoded with our own
 * protobuf codec. Like OTLP/HTTP, a call is answered only once its spans are committed,
 * and spans failing validation are counted in `partial_success`.
 *
 * Compression needs no option: grpc-js servers always accept gzip and deflate messages
 * (and advertise them in `grpc-accept-encoding`), applying the message cap to the
 * decompressed size. Those two checks happen before our handler runs, which is why a
 * corrupt gzip frame is answered INTERNAL by grpc-js, as grpc-go servers do.
 */
export async function startOtlpGrpcServer(options: OtlpGrpcOptions): Promise<OtlpGrpcHandle> {
  const { gate, logger } = options;
  const ingest = options.otlpIngest ?? inlineOtlpIngest(options.queue, gate.limits);
  const server = new Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    // Idle exporters reconnect cheaply; idle connections must not pile up (each holds a descriptor).
    'grpc.max_connection_idle_ms': IDLE_CONNECTION_MS,
  });
  server.addService(traceServiceDefinition, {
    Export: (call: ServerUnaryCall<Buffer, Uint8Array>, callback: sendUnaryData<Uint8Array>) => {
      // A connection with a call in flight is never the idle one closed to make room.
      const peer = call.getPeer();
      // Taken now: the message moves to the thread that decodes it.
      const messageBytes = call.request.length;
      listener.callStarted(peer);
      void handleExport(ingest, gate, call).finally(() => listener.callEnded(peer)).then(
        (response) => callback(null, response),
        (err: unknown) => {
          const failure = grpcIngestFailure(err, logger);
          gate.refused('otlp_grpc', rejectionReason(err), failure.code, peer, messageBytes);
          callback(failure);
        },
      );
    },
  });

  const credentials = options.tls ? ServerCredentials.createSsl(null, [{ cert_chain: options.tls.cert, private_key: options.tls.key }], false) : ServerCredentials.createInsecure();
  let listener: CappedGrpcListener;
  try {
    listener = await listenCapped(server, credentials, options.host, options.port, options.connectionCap ?? ConnectionCap.none());
  } catch (err) {
    throw bindError(`${formatHost(options.host)}:${options.port}`, err as Error);
  }

  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  return {
    port: listener.port,
    close: () =>
      new Promise<void>((resolve) => {
        listener.close();
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, shutdownTimeoutMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

/**
 * grpc-js has read the message (up to the cap) before this runs; the token, queue and
 * budget are checked before it is decoded, which is most of a request's cost.
 */
async function handleExport(ingest: OtlpProtoIngest, gate: IngestGate, call: ServerUnaryCall<Buffer, Uint8Array>): Promise<Uint8Array> {
  const message = call.request;
  const messageBytes = message.length;
  const authorization = call.metadata.get('authorization')[0];
  const reservation = gate.admit(typeof authorization === 'string' ? authorization : undefined, messageBytes);
  try {
    reservation.grow(messageBytes);
    const decoded = await ingest.decode(message, 'malformed ExportTraceServiceRequest');
    reservation.resize(messageBytes + decoded.decodedBytes);
    gate.received('otlp_grpc', decoded.spans + decoded.rejected + decoded.spansOverLimit);
    gate.rejectedSpans('otlp_grpc', 'invalid', decoded.rejected);
    gate.rejectedSpans('otlp_grpc', 'over_limit', decoded.spansOverLimit);
    await decoded.submit();
    gate.accepted('otlp_grpc', decoded.spans);
    return encodeExportTraceResponseProto(decoded.partial);
  } finally {
    reservation.release();
  }
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** A failed listen names the listener, keeping the errno code so `main` treats a taken port the same on every listener. */
function bindError(address: string, err: NodeJS.ErrnoException): NodeJS.ErrnoException {
  const wrapped: NodeJS.ErrnoException = new Error(`${address} (OTLP/gRPC): ${err.message}`);
  const code = err.code ?? /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL)\b/.exec(err.message)?.[1];
  if (code !== undefined) wrapped.code = code;
  return wrapped;
}
