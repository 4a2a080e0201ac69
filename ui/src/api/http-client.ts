/** GET a JSON document from the API, mapping every failure to an ApiError. */
import { ApiError } from './api-error';
import { isObject } from '../model/json-guards';

function errorFromBody(status: number, statusText: string, body: unknown): ApiError {
  const error = isObject(body) && isObject(body.error) ? body.error : undefined;
  const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
  const message = typeof error?.message === 'string' ? error.message : `${status} ${statusText}`.trim();
  return new ApiError(status, code, message);
}

/**
 * Fetches `path` (or takes the response of a request for it already under way, `started`)
 * and maps every failure to an ApiError; the body of an ok response is left for the caller
 * to read.
 */
export async function fetchOk(path: string, signal?: AbortSignal, started?: Promise<Response>): Promise<Response> {
  let response: Response;
  try {
    response = await (started ?? fetch(path, { headers: { Accept: 'application/json' }, signal }));
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'unreachable', 'Cannot reach the Threadline server. Is it running?');
  }
  if (!response.ok) {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    throw errorFromBody(response.status, response.statusText, body);
  }
  return response;
}

export async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetchOk(path, signal);
  try {
    return await response.json();
  } catch {
    throw new ApiError(response.status, 'bad_response', `${path} did not return JSON.`);
  }
}
