import { existsSync } from 'node:fs';
import path from 'node:path';
import compression from 'compression';
import express, { type Router } from 'express';
import { ASSET_CACHE_CONTROL, compressedAssets } from './compressed-assets.js';

/**
 * Serves the built UI. Vite names assets by content hash, so they are cached for a
 * year; index.html is revalidated every time so a new build shows up at once.
 * Client routes (`/trace/…`, `/search?…`) fall back to index.html: they are links
 * people paste, and the app resolves them. Everything is sent brotli- or gzip-compressed
 * when the browser accepts it (the app's JavaScript shrinks to about a third).
 */
export function createUiRouter(uiDir: string): Router {
  const router = express.Router();
  const indexFile = path.join(uiDir, 'index.html');
  if (!existsSync(indexFile)) {
    router.get('/', (_req, res) => {
      res.type('text/plain').send('Threadline is running, but the UI is not built. Run `npm run build` and restart.\n');
    });
    return router;
  }
  const assetsDir = path.join(uiDir, 'assets');
  // Hashed assets compressed once (compressed-assets.ts); index.html and the rest per request.
  router.use('/assets', compressedAssets(assetsDir));
  router.use(compression());
  router.use(
    '/assets',
    express.static(assetsDir, { cacheControl: false, fallthrough: false, index: false, setHeaders: (res) => res.setHeader('Cache-Control', ASSET_CACHE_CONTROL) }),
  );
  router.use(express.static(uiDir, { index: false, maxAge: 0, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }));
  router.get(/^\/(?!api\/|v1\/|healthz$|readyz$).*/, (req, res, next) => {
    if (!req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  return router;
}

/** ui/dist relative to this module, both from src/ (tests) and dist/ (built). */
export function defaultUiDir(): string {
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../ui/dist');
}
