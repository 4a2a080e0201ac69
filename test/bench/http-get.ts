import http from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';

/** One kept-alive connection: the queries are sequential, as a person clicking through the UI makes them. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/**
 * GET as the query benchmark times it: node:http on a kept-alive connection, asking for
 * gzip as `fetch` does, timed from the request to the last byte decompressed. Not `fetch`:
 * on the 2-core machine undici's own work added 0.4–0.6 ms to every median and 2–4 ms to
 * the p99 of get-trace (the same 1,000 requests timed both ways, alternately), which is
 * the measuring client's cost, not the collector's.
 */
export function timedGet(url: string): Promise<{ ms: number; status: number; text: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { 'accept-encoding': 'gzip, deflate' } }, (res) => {
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
