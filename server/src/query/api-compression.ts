import compression from 'compression';
import type { Request, RequestHandler } from 'express';
import { constants } from 'node:zlib';

/**
 * Compression of query API answers: made per request, often megabytes of repetitive JSON,
 * mostly sent over loopback or a LAN, so the cheapest settings win. On bench:ui's
 * 100,000-span compact trace (17.1 MB of JSON): gzip level 1 gives 4.4 MB for ~130 ms of
 * CPU; brotli at the middleware's default (quality 4, what browsers got) 3.7 MB for ~600 ms,
 * more than encoding the trace itself; brotli quality 1 with a 64 KiB window 4.0 MB for ~60 ms.
 *
 * A client on this machine gets its answers uncompressed (isLocalClient): a loopback socket
 * has no bandwidth to save, and compressing (here) and decompressing (in the browser) took CPU
 * from the same cores. bench:ui's first paint, alternating page loads: 100k spans 2.14 and
 * 2.17 s uncompressed against 2.28 and 2.40 s with brotli (two runs, 12 loads each), 10k
 * 846 against 930 ms (16).
 */
export function apiCompression(): RequestHandler {
  return compression({
    level: 1,
    brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_LGWIN]: 16 } },
    filter: (req, res) => !isLocalClient(req.socket.remoteAddress, req.headers) && compression.filter(req, res),
  });
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/**
 * A client on the loopback interface that no proxy speaks for: a request that came through
 * a proxy (`Forwarded`, `X-Forwarded-For`) is from wherever that proxy's client is, so its
 * answer stays compressed.
 */
export function isLocalClient(remoteAddress: string | undefined, headers: Request['headers']): boolean {
  return remoteAddress !== undefined && LOOPBACK.test(remoteAddress) && headers.forwarded === undefined && headers['x-forwarded-for'] === undefined;
}
