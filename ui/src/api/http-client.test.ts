import { afterEach, describe, expect, it, vi } from 'vitest';
import { getJson } from './http-client';
import { ApiError } from './api-error';

function respond(status: number, body: string): void {
  vi.stubGlobal('fetch', vi.fn(async () => new Response(body, { status, headers: { 'content-type': 'application/json' } })));
}

afterEach(() => vi.unstubAllGlobals());

describe('getJson', () => {
  it('returns the parsed body', async () => {
    respond(200, '{"services":["a"]}');
    await expect(getJson('/api/v1/services')).resolves.toEqual({ services: ['a'] });
  });

  it('maps the server error body to an ApiError with its status and code', async () => {
    respond(404, '{"error":{"code":"not_found","message":"trace abc not found"}}');
    const error = await getJson('/api/v1/traces/abc').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: 'not_found', message: 'trace abc not found', isNotFound: true });
  });

  it('reports an error status without a JSON body', async () => {
    respond(502, 'Bad Gateway');
    await expect(getJson('/x')).rejects.toMatchObject({ status: 502, code: 'http_502' });
  });

  it('reports a success that is not JSON as bad_response', async () => {
    respond(200, '<html>');
    await expect(getJson('/x')).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('reports a network failure as unreachable', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const error = await getJson('/x').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, isUnreachable: true });
  });

  it('lets an abort through unchanged', async () => {
    const controller = new AbortController();
    controller.abort();
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new DOMException('aborted', 'AbortError'))));
    await expect(getJson('/x', controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
