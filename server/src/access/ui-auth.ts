import express, { type Request, type Response, type Router } from 'express';
import { AppError } from '../app-error.js';
import { bearerTokenOf, tokenMatches } from './bearer-token.js';

export const UI_TOKEN_COOKIE = 'threadline_ui';

/** Paths open without the UI token: probes, the login form itself. */
const OPEN_PATHS = new Set(['/healthz', '/readyz', '/login', '/favicon.ico']);

export interface UiAuthOptions {
  uiToken: string;
  /** Cookies get `Secure` when the listener serves TLS. */
  secure: boolean;
}

/**
 * `--ui-token`: the UI asks for it once (a plain form, no script), and the browser keeps
 * it in an HttpOnly, SameSite=Strict cookie, so page scripts cannot read it and other
 * sites cannot make the browser send it. API clients (Grafana, curl, Prometheus) send
 * `Authorization: Bearer` instead.
 */
export function createUiAuthRouter(options: UiAuthOptions): Router {
  const router = express.Router();
  router.get('/login', (req, res) => sendLoginPage(res, 200, nextPathOf(req.query.next), ''));
  router.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/x-www-form-urlencoded') throw new AppError(415, 'unsupported_media_type', 'send the login form');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = nextPathOf(body.next);
    if (typeof body.token !== 'string' || !tokenMatches(body.token, options.uiToken)) {
      sendLoginPage(res, 401, next, 'That token is not right.');
      return;
    }
    const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict', ...(options.secure ? ['Secure'] : [])];
    res.append('Set-Cookie', `${UI_TOKEN_COOKIE}=${encodeURIComponent(body.token)}; ${attributes.join('; ')}`);
    res.redirect(303, next);
  });
  router.use((req, res, next) => {
    if (OPEN_PATHS.has(req.path) || isAuthorized(req, options.uiToken)) return next();
    if (req.method === 'GET' && !req.path.startsWith('/api/') && req.path !== '/metrics' && req.accepts('html')) {
      sendLoginPage(res, 401, nextPathOf(req.originalUrl), '');
      return;
    }
    res.set('WWW-Authenticate', 'Bearer realm="threadline"');
    next(new AppError(401, 'unauthenticated', 'this Threadline needs its UI token: Authorization: Bearer TOKEN, or log in at /login'));
  });
  return router;
}

function isAuthorized(req: Request, token: string): boolean {
  return tokenMatches(bearerTokenOf(req.headers.authorization), token) || tokenMatches(cookieOf(req.headers.cookie, UI_TOKEN_COOKIE), token);
}

export function cookieOf(header: string | undefined, name: string): string {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return '';
      }
    }
  }
  return '';
}

/** Only a local path: `//evil.example` or `https://…` would make the login an open redirect. */
export function nextPathOf(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || raw.startsWith('/login')) return '/';
  return raw;
}

function sendLoginPage(res: Response, status: number, next: string, problem: string): void {
  res.status(status).type('html').set('Cache-Control', 'no-store').send(loginPage(next, problem));
}

function loginPage(next: string, problem: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>Threadline: log in</title>
<style>body{font:16px system-ui,sans-serif;max-width:24rem;margin:15vh auto;padding:0 1rem}input,button{font:inherit;padding:.4rem;width:100%;box-sizing:border-box;margin-top:.5rem}.problem{color:#c0392b}</style>
</head><body><h1>Threadline</h1>
<form method="post" action="/login">
<input type="text" name="username" value="threadline" autocomplete="username" hidden>
<label for="token">UI token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${escapeHtml(next)}">
${problem ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>` : ''}
<button type="submit">Log in</button>
</form></body></html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

