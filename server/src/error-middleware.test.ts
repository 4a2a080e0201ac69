import express from 'express';
import request from 'supertest';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from './app-error.js';
import { errorMiddleware, notFoundHandler } from './error-middleware.js';

function app() {
  const a = express();
  a.get('/app-error', () => {
    throw new AppError(409, 'conflict', 'already there', { 'Retry-After': '2' });
  });
  a.get('/fs-error', (_req, _res, next) => next(Object.assign(new Error("ENOENT: no such file, stat '/srv/secret/path.js'"), { status: 404 })));
  a.get('/crash', () => {
    throw new Error('SQLITE_CORRUPT at /var/db');
  });
  a.use(notFoundHandler);
  a.use(errorMiddleware(pino({ level: 'silent' })));
  return a;
}

describe('errorMiddleware', () => {
  it('answers AppErrors with their status, code, message and headers', async () => {
    const res = await request(app()).get('/app-error');
    expect(res.status).toBe(409);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.body).toEqual({ error: { code: 'conflict', message: 'already there' } });
  });

  it('never passes on the message of other errors, which may hold paths or SQL', async () => {
    const fs = await request(app()).get('/fs-error');
    expect(fs.status).toBe(404);
    expect(JSON.stringify(fs.body)).not.toMatch(/srv|ENOENT/);
    const crash = await request(app()).get('/crash');
    expect(crash.status).toBe(500);
    expect(crash.body).toEqual({ error: { code: 'internal', message: 'internal server error' } });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request(app()).post('/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
