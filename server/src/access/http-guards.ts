import type { RequestHandler } from 'express';
import { AppError } from '../app-error.js';
import { hostNameOf } from './host-allowlist.js';

/**
 * No inline script anywhere (the UI is Vite-built modules); inline styles stay allowed
 * because Lit templates set `style="…"` on skeleton placeholders.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Refuses a `Host` the allow-list does not name (DNS rebinding), before anything else runs. */
export function hostCheck(hostAllowed: (host: string | undefined) => boolean, onRefused: (reason: string) => void = () => {}): RequestHandler {
  return (req, _res, next) => {
    if (hostAllowed(req.headers.host)) return next();
    onRefused('host_not_allowed');
    next(new AppError(403, 'host_not_allowed', 'this Host is not served here; list it with --allowed-hosts'));
  };
}

/**
 * `Referrer-Policy: same-origin`, not `no-referrer`: URLs (trace IDs, searches) never leak to
 * other sites, and the browser still sends a real `Origin` on our own form posts (under
 * `no-referrer` Chromium sends `Origin: null`, which the Origin check must refuse).
 */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  next();
};

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * CORS is off unless `--cors-origin` lists origins. Those get the CORS headers and their
 * preflights answered; every other cross-origin browser request goes without, so the
 * browser keeps the answer from the page (and never sends a non-simple request at all).
 */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return next();
    res.vary('Origin');
    res.set('Access-Control-Allow-Origin', origin);
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return next();
    res.set({
      'Access-Control-Allow-Methods': 'GET, POST',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Content-Encoding',
      'Access-Control-Max-Age': '600',
    });
    res.status(204).end();
  };
}

/**
 * A state-changing request from a browser carries `Origin`; unless it is this very
 * host or a `--cors-origin`, it is refused before its body is read. This is what keeps
 * a web page from posting "simple" requests (no preflight: text/plain bodies, forms,
 * `no-cors` fetches) into a localhost Threadline. Non-browser clients send no Origin.
 */
export function originCheck(allowedOrigins: readonly string[], onRefused: (reason: string) => void = () => {}): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, _res, next) => {
    const origin = req.headers.origin;
    if (!STATE_CHANGING.has(req.method) || origin === undefined || allowed.has(origin) || isSameOrigin(origin, req.headers.host)) return next();
    onRefused('cross_origin_refused');
    next(new AppError(403, 'cross_origin_refused', 'cross-origin requests are refused; list the origin with --cors-origin'));
  };
}

function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.host === host.toLowerCase() && hostNameOf(host) !== null;
}
