import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compactTraceUrl, prefetchTrace, takePrefetchedTrace } from './trace-prefetch';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** A body whose chunks the test sends one at a time (`send`), then ends (`end`) or fails (`fail`). */
function controlledBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled: unknown;
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    cancel: (reason) => {
      cancelled = reason ?? 'cancelled';
    },
  });
  return {
    stream,
    send: (text: string) => controller.enqueue(new TextEncoder().encode(text)),
    end: () => controller.close(),
    fail: (error: Error) => controller.error(error),
    cancelled: () => cancelled,
  };
}

async function text(response: Response): Promise<string> {
  return new TextDecoder().decode(await response.arrayBuffer());
}

/** Lets the prefetch read what was sent so far. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('trace prefetch', () => {
  let fetchMock: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => {
    // Nothing prefetched is left for the next test.
    takePrefetchedTrace(TRACE)?.catch(() => undefined);
    vi.unstubAllGlobals();
  });

  it('asks for nothing on pages other than a server trace, or for a trace ID that is not one', () => {
    for (const path of ['/', '/search', '/trace/local', '/trace/not-hex', '/trace/%E0%A4%A', `/compare/${TRACE}/${TRACE}`, `/trace/${TRACE}/extra`]) prefetchTrace(path);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(takePrefetchedTrace(TRACE)).toBeUndefined();
  });

  it("requests a trace page's trace at once, and hands the response over once, to that trace only", async () => {
    const body = controlledBody();
    fetchMock.mockResolvedValue(new Response(body.stream, { status: 200, headers: { 'content-type': 'application/json' } }));
    // Case and leading zeros as the router normalizes them.
    prefetchTrace(`/trace/${TRACE.toUpperCase()}/`);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls[0]![0]).toBe(compactTraceUrl(TRACE));
    expect(takePrefetchedTrace('0af7651916cd43dd8448eb211c80319c')).toBeUndefined();

    // What arrives before the page takes the response is kept, and so is what follows.
    body.send('{"before":');
    await settle();
    const taken = takePrefetchedTrace(TRACE);
    expect(takePrefetchedTrace(TRACE)).toBeUndefined();
    const response = await taken!;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    body.send('"taken", "after": true}');
    body.end();
    expect(await text(response)).toBe('{"before":"taken", "after": true}');
  });

  it('gives an error status and its body as they came', async () => {
    fetchMock.mockResolvedValue(new Response('{"error":{"code":"not_found"}}', { status: 404 }));
    prefetchTrace(`/trace/${TRACE}`);
    const response = await takePrefetchedTrace(TRACE)!;
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found' } });
  });

  it('fails as the request failed: unreachable server, or a body cut off', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    prefetchTrace(`/trace/${TRACE}`);
    await expect(takePrefetchedTrace(TRACE)).rejects.toThrow('Failed to fetch');

    const body = controlledBody();
    fetchMock.mockResolvedValueOnce(new Response(body.stream));
    prefetchTrace(`/trace/${TRACE}`);
    const response = await takePrefetchedTrace(TRACE)!;
    body.send('{"spans":[');
    body.fail(new Error('connection reset'));
    await settle();
    // What came before the failure is read first, then the failure, as with fetch's own body.
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('{"spans":[');
    await expect(reader.read()).rejects.toThrow('connection reset');
  });

  it('stops the request when the page gives up on it', async () => {
    const body = controlledBody();
    fetchMock.mockResolvedValue(new Response(body.stream));
    prefetchTrace(`/trace/${TRACE}`);
    const abort = new AbortController();
    const response = await takePrefetchedTrace(TRACE, abort.signal)!;
    const reading = text(response);
    body.send('{"spans":[');
    abort.abort(new DOMException('left the page', 'AbortError'));
    await expect(reading).rejects.toThrow('left the page');
    expect(body.cancelled()).toBeDefined();
  });
});
