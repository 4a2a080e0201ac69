import http from 'node:http';
import { Client, Metadata, credentials, status as GrpcStatus } from '@grpc/grpc-js';
import { TRACE_SERVICE_EXPORT_PATH } from '../../server/src/receivers/otlp-grpc/trace-service-definition.js';
import type { FuzzCase, Listener } from './fuzz-cases.js';

export type ListenerUrls = Record<Listener, string>;

export interface FuzzOutcome {
  /** HTTP status, or `grpc:<code>`. */
  status: string;
  /** A server fault: HTTP 500-502/504+, gRPC INTERNAL/UNKNOWN, or no answer at all. */
  fault: boolean;
}

/** Sends one case as it is (no client-side normalization) and judges the answer. */
export function sendCase(c: FuzzCase, urls: ListenerUrls, grpcClient?: Client): Promise<FuzzOutcome> {
  if (c.listener === 'grpc') return sendGrpc(c, urls.grpc, grpcClient);
  const url = new URL(urls[c.listener]);
  return new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, method: c.method, path: c.path, headers: c.headers, timeout: 60_000 }, (res) => {
      res.resume();
      res.on('end', () => {
        const s = res.statusCode!;
        resolve({ status: String(s), fault: s >= 500 && s !== 503 });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: `error ${err.message}`, fault: true }));
    req.end(c.body);
  });
}

function sendGrpc(c: FuzzCase, target: string, shared?: Client): Promise<FuzzOutcome> {
  const client = shared ?? new Client(new URL(target).host, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(TRACE_SERVICE_EXPORT_PATH, (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, c.body ?? new Uint8Array(), new Metadata(), { deadline: Date.now() + 60_000 }, (err) => {
      if (!shared) client.close();
      const code = err?.code ?? GrpcStatus.OK;
      resolve({ status: `grpc:${GrpcStatus[code]}`, fault: code === GrpcStatus.INTERNAL || code === GrpcStatus.UNKNOWN || code === GrpcStatus.DEADLINE_EXCEEDED });
    });
  });
}
