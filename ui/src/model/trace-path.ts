/** The trace page's address, `/trace/{id}`: read by the router and, before the app has loaded, by trace-prefetch.ts. */

const TRACE_PATH = /^\/trace\/([^/]+)\/?$/;

/** The `{id}` of a `/trace/{id}` path as written (URL-decoded), or undefined for any other path. */
export function tracePathId(pathname: string): string | undefined {
  const match = TRACE_PATH.exec(pathname);
  return match ? decodeURIComponent(match[1]!) : undefined;
}
