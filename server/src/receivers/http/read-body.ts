import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { AppError } from '../../app-error.js';
import type { Reservation } from '../../ingest/inflight-budget.js';

export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

/**
 * Reads a request body from an untrusted client: decompresses gzip/deflate while
 * counting, so the cap applies to the decompressed size (a zip bomb stops at the cap,
 * not at the end of memory). Errors are AppErrors with the status OTLP prescribes:
 * 413 over the cap, 400 for a corrupt or truncated stream, 415 for an unknown encoding.
 * With a reservation, every chunk is charged to the in-flight budget as it arrives, so a
 * body stops (429) as soon as the budget is spent, not once it is all in memory.
 */
export function readBody(req: IncomingMessage, maxBytes: number = DEFAULT_MAX_BODY_BYTES, reservation?: Reservation): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  let decoder: Transform | null;
  if (encoding === 'identity' || encoding === '') decoder = null;
  else if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
  else if (encoding === 'deflate') decoder = createInflate();
  else return Promise.reject(new AppError(415, 'unsupported_encoding', `unsupported Content-Encoding "${encoding}"; use gzip or identity`));

  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge(maxBytes));
  }

  // A declared identity body is read straight into one buffer (no chunk list and copy: half the
  // peak memory), charged to the budget in full before it is allocated.
  const known = decoder === null && Number.isFinite(declared) && declared >= 0;
  if (known) {
    try {
      reservation?.grow(declared);
    } catch (err) {
      req.resume();
      return Promise.reject(err as Error);
    }
  }
  const into = known ? Buffer.allocUnsafe(declared) : null;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      decoder?.destroy();
      // Keep reading (and discarding) so the client gets our response, not a reset.
      req.unpipe();
      req.resume();
      reject(err);
    };
    const source = decoder ? req.pipe(decoder) : req;
    source.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) return fail(tooLarge(maxBytes));
      if (into !== null) {
        // Node's parser never delivers more than Content-Length.
        chunk.copy(into, size - chunk.length);
        return;
      }
      try {
        reservation?.grow(chunk.length);
      } catch (err) {
        return fail(err as Error);
      }
      chunks.push(chunk);
    });
    source.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(into === null ? Buffer.concat(chunks, size) : into.subarray(0, size));
    });
    source.on('error', (err: Error) => fail(new AppError(400, 'bad_encoding', `cannot decompress ${encoding} body: ${err.message}`)));
    req.on('error', (err: Error) => fail(new AppError(400, 'bad_body', `request body could not be read: ${err.message}`)));
    req.on('aborted', () => fail(new AppError(400, 'bad_body', 'request aborted by client')));
  });
}

function tooLarge(maxBytes: number): AppError {
  return new AppError(413, 'body_too_large', `request body exceeds ${maxBytes} bytes (measured after decompression)`);
}
