/**
 * What the span-block codecs cost on real blocks: the newest BLOCKS blocks of a seeded
 * database (default data/bench-1m.db; `npm run bench` with BENCH_SPANS=1000000 makes one),
 * inflated, then compressed and read back by each candidate, three times each, on this
 * thread. Prints MB/s of raw bytes compressed and inflated, and the compression ratio.
 *
 *   node --import tsx test/bench/block-codec-cost.ts [db] [blocks]
 */
import Database from 'better-sqlite3';
import { brotliCompressSync, brotliDecompressSync, constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { compressChunk, inflateChunk } from '../../server/src/store/sqlite/chunk-compression.js';

const dbPath = process.argv[2] ?? 'data/bench-1m.db';
const count = Number(process.argv[3] ?? 300);
const REPS = 3;

const db = new Database(dbPath, { readonly: true });
const raw = (db.prepare('SELECT data FROM span_blocks ORDER BY block_id DESC LIMIT ?').pluck().all(count) as Buffer[]).map((b) => inflateChunk(b));
db.close();
const total = raw.reduce((n, b) => n + b.length, 0);
console.log(`${raw.length} blocks of ${dbPath}, ${(total / raw.length / 1024).toFixed(1)} KiB each on average`);

const brotli = (quality: number, window: number) => (b: Uint8Array) =>
  brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_LGWIN]: window, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } });
const candidates: Array<[string, (b: Uint8Array) => Uint8Array, (b: Uint8Array) => Uint8Array]> = [
  ['deflate level 1 (before)', (b) => deflateRawSync(b, { level: 1 }), (b) => inflateRawSync(b)],
  ['brotli q0, 128 KiB window', brotli(0, 17), (b) => brotliDecompressSync(b)],
  ['brotli q1, 64 KiB window', brotli(1, 16), (b) => brotliDecompressSync(b)],
  ['brotli q1, 4 MiB window', brotli(1, 22), (b) => brotliDecompressSync(b)],
  ['compressChunk (now)', compressChunk, inflateChunk],
];
for (const [name, compress, inflate] of candidates) {
  let packed: Uint8Array[] = [];
  let started = performance.now();
  for (let rep = 0; rep < REPS; rep++) packed = raw.map(compress);
  const compressMs = (performance.now() - started) / REPS;
  started = performance.now();
  for (let rep = 0; rep < REPS; rep++) for (const p of packed) inflate(p);
  const inflateMs = (performance.now() - started) / REPS;
  const size = packed.reduce((n, p) => n + p.length, 0);
  const mbps = (ms: number) => (total / 1e6 / (ms / 1000)).toFixed(0);
  console.log(`${name.padEnd(28)} compress ${mbps(compressMs).padStart(5)} MB/s, ratio ${(total / size).toFixed(2)}, inflate ${mbps(inflateMs).padStart(5)} MB/s`);
}
