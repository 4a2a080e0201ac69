import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';
import { constants } from 'node:zlib';

/**
 * Compression of query API answers: made per request, often megabytes of repetitive JSON,
 * mostly sent over loopback or a LAN, so the cheapest settings win. On bench:ui's
 * 100,000-span compact trace (17.1 MB of JSON): gzip level 1 gives 4.4 MB for ~130 ms of
 * CPU; brotli at the middleware's default (quality 4, what browsers got) 3.7 MB for ~600 ms,
 * more than encoding the trace itself; brotli quality 1 with a 64 KiB window 4.0 MB for ~60 ms.
 *
 * A streamed compact trace (the UI's trace page) goes uncompressed to a client on this machine
 * (isLocalClient): a loopback socket has no bandwidth to save, and compressing it here and
 * decompressing it in the browser took CPU from the cores both share. bench:ui's first
 * paint, alternating page loads: 100k spans 2.14 and 2.17 s uncompressed against 2.28 and
 * 2.40 s with brotli (two runs, 12 loads each), 10k 846 against 930 ms (16). Other answers
 * stay compressed when they are big: sending the overload test's Jaeger searches (11 MB of
 * JSON each) uncompressed over loopback made its refusals slow (429 p99 252 ms against 43 ms,
 * same machine, alternating builds). A short answer of known length (LOCAL_UNCOMPRESSED_BYTES)
 * goes uncompressed to a local client too: compressing it cost more than sending it, and a
 * hop to libuv's pool and back. Jaeger get-traces of the 10M-span benchmark database, one
 * connection, 600 in turn, alternating builds: p50 3.08 → 2.22 ms and 3.08 → 2.31 ms, p99
 * 9.67 → 7.37 ms and 12.8 → 8.77 ms.
 */
export function apiCompression(): RequestHandler {
  return compression({
    level: 1,
    brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_LGWIN]: 16 } },
    filter: (req, res) => !(goesUncompressedIfLocal(res) && isLocalClient(req.socket.remoteAddress, req.headers)) && compression.filter(req, res),
  });
}

/** Answers of known length below this go uncompressed to a client on this machine. */
export const LOCAL_UNCOMPRESSED_BYTES = 64 * 1024;

/** Marked for it (uncompressedForLocalClient), or short: `Content-Length` is set before the headers go (res.send); a streamed answer has none. */
function goesUncompressedIfLocal(res: Response): boolean {
  if (res.locals[UNCOMPRESSED_FOR_LOCAL] === true) return true;
  const length = Number(res.getHeader('Content-Length'));
  return Number.isFinite(length) && length < LOCAL_UNCOMPRESSED_BYTES;
}

const UNCOMPRESSED_FOR_LOCAL = 'uncompressedForLocalClient';

/** Marks the answer to go uncompressed if the client is on this machine (call before writing it). */
export function uncompressedForLocalClient(res: Response): void {
  res.locals[UNCOMPRESSED_FOR_LOCAL] = true;
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
