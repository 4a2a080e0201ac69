import compression from 'compression';
import type { RequestHandler } from 'express';
import { constants } from 'node:zlib';

/**
 * Compression of query API answers: made per request, often megabytes of repetitive JSON,
 * mostly sent over loopback or a LAN, so the cheapest settings win. On bench:ui's
 * 100,000-span compact trace (17.1 MB of JSON): gzip level 1 gives 4.4 MB for ~130 ms of
 * CPU; brotli at the middleware's default (quality 4, what browsers got) 3.7 MB for ~600 ms,
 * more than encoding the trace itself; brotli quality 1 with a 64 KiB window 4.0 MB for ~60 ms.
 */
export function apiCompression(): RequestHandler {
  return compression({
    level: 1,
    brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_LGWIN]: 16 } },
  });
}
