/** The `POST /v1/profiles/exectrace` body clients/go/profiling sends (docs/api.md §3.6). */
export interface ExecTraceUpload {
  resource: Record<string, string>;
  traceId: string;
  spanId: string;
  spanName: string;
  startTimeUnixNano: string;
  durationNano: string;
  error: boolean;
  summary: {
    durationNano: string;
    goroutines: number;
    startSeen: boolean;
    states: Array<{ state: string; durationNano: string }>;
    topStacks: Array<{ state: string; reason: string; durationNano: string; count: number; frames: string[] }>;
  };
  rawTrace?: string;
  rawTraceBytes: number;
}

/**
 * A span of `durationMs` that spent `mutexShare` of it waiting on a mutex and the rest
 * running, with `raw` as its raw trace.
 */
export function mutexBoundUpload(span: { service: string; traceId: string; spanId: string; spanName: string; startNs: bigint; durationMs: number }, mutexShare: number, raw: Buffer): ExecTraceUpload {
  const ns = (ms: number) => String(BigInt(Math.round(ms * 1_000_000)));
  const mutexMs = span.durationMs * mutexShare;
  return {
    resource: { 'service.name': span.service },
    traceId: span.traceId,
    spanId: span.spanId,
    spanName: span.spanName,
    startTimeUnixNano: String(span.startNs),
    durationNano: ns(span.durationMs),
    error: false,
    summary: {
      durationNano: ns(span.durationMs),
      goroutines: 1,
      startSeen: true,
      states: [
        { state: 'mutex', durationNano: ns(mutexMs) },
        { state: 'running', durationNano: ns(span.durationMs - mutexMs) },
      ],
      topStacks: [{ state: 'mutex', reason: 'sync', durationNano: ns(mutexMs), count: 1, frames: ['sync.(*Mutex).Lock /usr/lib/go/src/sync/mutex.go:90', 'main.handleCheckout /src/main.go:42'] }],
    },
    rawTrace: raw.toString('base64'),
    rawTraceBytes: raw.length,
  };
}
