import http from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';

/**
 * The benchmarks' HTTP client: node:http on kept-alive connections, as the OpenTelemetry JS
 * exporters' http transport sends. Not `fetch`: on the 2-core machine undici's own work
 * competes with the collector it measures. Sending the ingest benchmark's 512-span
 * batches it took 0.34 CPU-s per 100k spans (gRPC's client 0.22); timing queries it added
 * 0.4–0.6 ms to every median and 2–4 ms to get-trace's p99 (the same 1,000 requests timed
 * both ways, alternately).
 */

/** One kept-alive connection: the queries are sequential, as a person clicking through the UI makes them. */
const queryAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
/** A connection per concurrent sender, each kept for its next batch (a refusal's `Connection: close` ends one). */
const ingestAgent = new http.Agent({ keepAlive: true });

/** GET as the query benchmark times it: asking for gzip as `fetch` does, timed from the request to the last byte decompressed. */
export function timedGet(url: string): Promise<{ ms: number; status: number; text: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: queryAgent, headers: { 'accept-encoding': 'gzip, deflate' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', reject);
      res.on('end', () => {
        try {
          const body = Buffer.concat(parts);
          const encoding = res.headers['content-encoding'];
          const text = (encoding === 'gzip' ? gunzipSync(body) : encoding === 'deflate' ? inflateSync(body) : body).toString('utf8');
          resolve({ ms: performance.now() - started, status: res.statusCode ?? 0, text });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
  });
}

/**
 * POSTs `body` and resolves once the answer's body is read, with its status and headers;
 * rejects on a network error or once `timeoutMs` passed.
 */
export function post(url: string, body: Uint8Array, headers: Record<string, string | number>, timeoutMs = 30_000): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent: ingestAgent, signal: AbortSignal.timeout(timeoutMs), headers: { 'content-length': body.byteLength, ...headers } },
      (res) => {
        res.on('data', () => {});
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  });
}
