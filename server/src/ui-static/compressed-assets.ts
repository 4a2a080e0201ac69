/**
 * The UI's hashed assets, compressed once per encoding and kept in memory. The compression
 * middleware compressed each on every request, with a brotli or gzip stream of its own:
 * every asset fetched 12 times (12 page loads) left a fresh collector 37 MB bigger (native
 * memory of the compressor streams, which the allocator kept; 15–17 MB now), and cost the
 * CPU of compressing the same bytes again. An asset's name changes with its content, so
 * what is kept never goes stale; all of them take a few hundred KB compressed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { RequestHandler } from 'express';

/** Types worth compressing; the rest (images, fonts) are left to express.static as they are. */
const COMPRESSIBLE = /\.(?:js|mjs|css|map|json|svg|txt)$/;
/** Smaller files gain less than the headers cost (the compression middleware's own threshold). */
const MIN_BYTES = 1024;

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

type Encoding = 'br' | 'gzip';

/** A hashed asset's name changes with its content: it may be cached for a year, compressed or not. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * Brotli at quality 5, its window no bigger than the file: the app's main script compresses
 * to 42.8 KB (quality 4, the middleware's, 46.1 KB; 9 gives 41.8 KB but took ~40 MB more
 * memory while the first page load's assets were compressed).
 */
const compress: Record<Encoding, (bytes: Buffer) => Promise<Buffer>> = {
  br: (bytes) =>
    brotli(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_LGWIN]: Math.min(constants.BROTLI_MAX_WINDOW_BITS, Math.max(constants.BROTLI_MIN_WINDOW_BITS, Math.ceil(Math.log2(bytes.length + 1)))),
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  gzip: (bytes) => gzipped(bytes, { level: 9 }),
};

/** Brotli when the client takes it, else gzip, else undefined (sent as it is). */
export function encodingFor(accepted: readonly string[]): Encoding | undefined {
  if (accepted.includes('br')) return 'br';
  return accepted.includes('gzip') ? 'gzip' : undefined;
}

/** Serves `dir`'s compressible assets compressed (mounted where `dir` is served); everything else goes on. */
export function compressedAssets(dir: string): RequestHandler {
  const names = new Set((existsSync(dir) ? readdirSync(dir) : []).filter((name) => COMPRESSIBLE.test(name) && statSync(path.join(dir, name)).size >= MIN_BYTES));
  const cache = new Map<string, Promise<Buffer>>();
  // One compression at a time: a page load asks for every asset at once.
  let queue: Promise<unknown> = Promise.resolve();
  return (req, res, next) => {
    const name = req.path.slice(1);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !names.has(name)) return next();
    res.vary('Accept-Encoding');
    const encoding = encodingFor(req.acceptsEncodings());
    if (encoding === undefined) return next();
    const key = `${encoding}:${name}`;
    let body = cache.get(key);
    if (body === undefined) {
      body = queue.then(() => compress[encoding](readFileSync(path.join(dir, name))));
      queue = body.catch(() => undefined);
      cache.set(key, body);
      // A failure is not kept: the next request tries again.
      body.catch(() => cache.delete(key));
    }
    body.then((bytes) => {
      res.type(path.extname(name));
      res.set({ 'Content-Encoding': encoding, 'Content-Length': String(bytes.length), 'Cache-Control': ASSET_CACHE_CONTROL });
      res.end(req.method === 'HEAD' ? undefined : bytes);
    }, next);
  };
}
