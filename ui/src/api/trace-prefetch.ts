/**
 * Asks for the trace the page's address names (`/trace/{id}`) as soon as the page's first,
 * small script runs (prefetch-entry.ts), instead of once the app's modules have loaded, run
 * and rendered the trace page: the server starts on the trace while the page is still
 * loading. The body is read into memory as it arrives, so that a page still busy loading
 * does not hold the server back; the trace page takes the response (takePrefetchedTrace)
 * and reads it as if it had fetched it itself.
 */
import { normalizeHexId, TRACE_ID_HEX_LENGTH } from '@threadline/shared';
import { tracePathId } from '../model/trace-path';

/** The address of a trace in the compact format (docs/api.md §5.4), as the trace page reads it. */
export function compactTraceUrl(traceId: string): string {
  return `/api/v1/traces/${encodeURIComponent(traceId)}?format=compact-3`;
}

/** The request for the trace the page opened with, until the trace page takes it. */
let prefetched: { traceId: string; response: Promise<BufferedResponse> } | undefined;

/** Starts the request for the trace `pathname` names, if it names one on the server (as parseRoute reads it). */
export function prefetchTrace(pathname: string): void {
  const raw = tracePathId(pathname);
  const traceId = raw === undefined || raw === 'local' ? null : normalizeHexId(raw, TRACE_ID_HEX_LENGTH);
  if (traceId === null) return;
  prefetched = { traceId, response: fetch(compactTraceUrl(traceId), { headers: { Accept: 'application/json' } }).then((r) => new BufferedResponse(r)) };
  // A failed request is the trace page's to report, when it takes it; until then it is not an unhandled rejection.
  prefetched.response.catch(() => undefined);
}

/**
 * The response of the request prefetchTrace started for `traceId`, once: a later load of
 * the same trace (a reload of the page's data) asks the server again. Aborting `signal`
 * stops the request and errors the body with the signal's reason, as fetch would.
 */
export function takePrefetchedTrace(traceId: string, signal?: AbortSignal): Promise<Response> | undefined {
  const taken = prefetched;
  if (taken?.traceId !== traceId) return undefined;
  prefetched = undefined;
  return taken.response.then((buffered) => buffered.take(signal));
}

/** A response whose body is read as it arrives and kept until `take` hands it on. */
class BufferedResponse {
  private readonly chunks: Uint8Array[] = [];
  private next = 0;
  private ended = false;
  /** Why the body failed, once read up to there (a cut connection), or at once when it was stopped (an abort). */
  private failure: { reason: unknown; now: boolean } | undefined;
  private wake: (() => void) | undefined;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array> | undefined;

  constructor(private readonly response: Response) {
    this.reader = response.body?.getReader();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (!this.reader) return;
    try {
      for (let read = await this.reader.read(); !read.done; read = await this.reader.read()) {
        this.chunks.push(read.value);
        this.wake?.();
      }
    } catch (reason) {
      this.failure ??= { reason, now: false };
    }
    this.ended = true;
    this.wake?.();
  }

  private stop(reason: unknown): void {
    this.failure ??= { reason, now: true };
    void this.reader?.cancel(reason).catch(() => undefined);
    this.wake?.();
  }

  /** The response, its body the chunks read so far and then the rest as it comes. */
  take(signal?: AbortSignal): Response {
    if (!this.reader) return this.response;
    if (signal?.aborted) this.stop(signal.reason);
    else signal?.addEventListener('abort', () => this.stop(signal.reason), { once: true });
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (this.next === this.chunks.length && !this.ended && !this.failure?.now) await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        if (this.failure?.now) return controller.error(this.failure.reason);
        if (this.next < this.chunks.length) {
          // Handed on, not kept: the reader now holds it.
          const chunk = this.chunks[this.next]!;
          this.chunks[this.next++] = EMPTY;
          return controller.enqueue(chunk);
        }
        if (this.failure) controller.error(this.failure.reason);
        else controller.close();
      },
      cancel: (reason) => this.stop(reason),
    });
    const { status, statusText, headers } = this.response;
    return new Response(body, { status, statusText, headers });
  }
}

const EMPTY = new Uint8Array(0);
