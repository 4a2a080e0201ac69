/** The trace page's address, `/trace/{id}`: read by the router and, before the app has loaded, by trace-prefetch.ts. */
import { decodePathSegment } from './path-segment';

const TRACE_PATH = /^\/trace\/([^/]+)\/?$/;

/** The `{id}` of a `/trace/{id}` path, URL-decoded (as written when it does not decode), or undefined for any other path. */
export function tracePathId(pathname: string): string | undefined {
  const match = TRACE_PATH.exec(pathname);
  return match ? (decodePathSegment(match[1]!) ?? match[1]!) : undefined;
}
