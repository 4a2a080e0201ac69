import express from 'express';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { foregroundSignal } from '../threads/foreground-gate.js';
import { apiCompression } from './api-compression.js';
import { queriesInFlight } from './queries-in-flight.js';

/** Queries in flight, as the ingest threads read them (word 0 of the signal). */
const inFlight = () => Atomics.load(new Int32Array(foregroundSignal()), 0);

describe('queriesInFlight', () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  async function serve(app: express.Express): Promise<string> {
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    close = () => server.close();
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('counts a query until its handler has written the answer, not while it is compressed and sent', async () => {
    const seen: number[] = [];
    const body = JSON.stringify(Array.from({ length: 200_000 }, (_, i) => ({ span: i, name: `op ${i % 50}` })));
    const app = express()
      .use(apiCompression())
      .use(queriesInFlight)
      .get('/q', (_req, res) => {
        seen.push(inFlight());
        res.type('application/json').send(body);
        seen.push(inFlight());
      });
    const url = await serve(app);
    const res = await fetch(`${url}/q`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.text()).toBe(body);
    expect(seen).toEqual([1, 0]);
  });

  it('stops counting a query whose client went away before it was answered', async () => {
    let arrived!: () => void;
    const handled = new Promise<void>((resolve) => (arrived = resolve));
    const app = express()
      .use(apiCompression())
      .use(queriesInFlight)
      .get('/slow', () => arrived());
    const url = await serve(app);
    const abort = new AbortController();
    const request = fetch(`${url}/slow`, { signal: abort.signal }).catch(() => undefined);
    await handled;
    expect(inFlight()).toBe(1);
    abort.abort();
    await request;
    await expect.poll(inFlight).toBe(0);
  });
});
