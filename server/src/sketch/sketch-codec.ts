import { LatencySketch, MAX_BINS, MAX_INDEX, type SketchParts } from './latency-sketch.js';

/**
 * Binary form of a LatencySketch, for SQLite blobs (one per operation and minute, so
 * small matters more than fast). Every integer is an unsigned LEB128 varint:
 *
 *   version (= 1)
 *   zeroCount
 *   binCount                      number of non-empty buckets
 *   firstIndex count              first bucket
 *   (indexDelta ≥ 1, count)…      the others, in increasing index order
 *   sumNs                         exact, any size
 *   minNs maxNs                   only when the sketch is not empty
 *
 * In the 10M-span benchmark a minute of one operation takes about 100 bytes on average
 * and an hour a few hundred.
 */

const VERSION = 1;
/** sumNs of up to 2^53 values of up to 2^64 ns fits in 117 bits: 17 varint bytes. */
const MAX_SUM_BYTES = 17;
const MAX_SAFE_BYTES = 8;
/** min and max are whole doubles below 2^64: ten varint bytes at most. */
const MAX_DOUBLE_BYTES = 10;
const MAX_SAFE_SUM = BigInt(Number.MAX_SAFE_INTEGER);

/** Bytes that are not a sketch this codec wrote: a corrupt or foreign blob. */
export class SketchFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`invalid latency sketch: ${message} at byte ${offset}`);
    this.name = 'SketchFormatError';
  }
}

export function encodeSketch(sketch: LatencySketch): Uint8Array {
  const out: number[] = [VERSION];
  writeVarint(out, sketch.zeroCount);
  const indexes: number[] = [];
  const counts: number[] = [];
  sketch.forEachBin((index, count) => {
    indexes.push(index);
    counts.push(count);
  });
  writeVarint(out, indexes.length);
  indexes.forEach((index, k) => {
    writeVarint(out, k === 0 ? index : index - indexes[k - 1]!);
    writeVarint(out, counts[k]!);
  });
  // BigInt arithmetic costs far more than number arithmetic: only sums past 2^53 need it.
  if (sketch.sumNs <= MAX_SAFE_SUM) writeVarint(out, Number(sketch.sumNs));
  else writeBigVarint(out, sketch.sumNs);
  if (!sketch.isEmpty) {
    writeVarint(out, sketch.minNs!);
    writeVarint(out, sketch.maxNs!);
  }
  return Uint8Array.from(out);
}

/** Decodes a sketch; throws SketchFormatError for anything encodeSketch cannot have written. */
export function parseSketch(bytes: Uint8Array): LatencySketch {
  const sketch = new LatencySketch();
  sketch.mergeParts(parseSketchParts(bytes));
  return sketch;
}

/** Adds an encoded sketch into `target`, without building an intermediate sketch. */
export function mergeEncodedSketch(target: LatencySketch, bytes: Uint8Array): void {
  target.mergeParts(parseSketchParts(bytes));
}

/** Validates everything before returning, so a corrupt blob never half-merges. */
function parseSketchParts(bytes: Uint8Array): SketchParts {
  const r = new VarintReader(bytes);
  const version = r.safe();
  if (version !== VERSION) throw new SketchFormatError(`unknown version ${version}`, 0);
  const zeroCount = r.safe();
  const binCount = r.safe();
  if (binCount > MAX_BINS) throw new SketchFormatError(`${binCount} buckets (at most ${MAX_BINS})`, r.offset);
  const indexes: number[] = new Array(binCount);
  const counts: number[] = new Array(binCount);
  let total = zeroCount;
  let first = 0;
  let index = 0;
  for (let k = 0; k < binCount; k++) {
    const at = r.offset;
    if (k === 0) first = index = r.safe();
    else {
      const delta = r.safe();
      if (delta === 0) throw new SketchFormatError('bucket indexes not increasing', at);
      index += delta;
    }
    if (index > MAX_INDEX) throw new SketchFormatError(`bucket index ${index} beyond ${MAX_INDEX}`, at);
    if (index - first >= MAX_BINS) throw new SketchFormatError(`buckets span more than ${MAX_BINS}`, at);
    const count = r.safe();
    if (count === 0) throw new SketchFormatError('empty bucket', r.offset);
    total += count;
    if (!Number.isSafeInteger(total)) throw new SketchFormatError('count too large', r.offset);
    indexes[k] = index;
    counts[k] = count;
  }
  const sumNs = r.sum();
  let minNs = 0;
  let maxNs = 0;
  if (total > 0) {
    const at = r.offset;
    minNs = r.double();
    maxNs = r.double();
    if (minNs > maxNs) throw new SketchFormatError('min above max', at);
  } else if (sumNs !== 0n) {
    throw new SketchFormatError('empty sketch with a sum', r.offset);
  }
  if (r.offset !== bytes.length) throw new SketchFormatError('trailing bytes', r.offset);
  return { zeroCount, indexes, counts, sumNs, minNs, maxNs };
}

/**
 * Whole numbers: exact up to 2^53, and for the larger doubles min and max may be too
 * (dividing by 128 is exact on a double). Arithmetic, not bit operations, past 2^31.
 */
function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function writeBigVarint(out: number[], value: bigint): void {
  let v = value;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

class VarintReader {
  offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** A varint that must be a safe integer (below 2^53). */
  safe(): number {
    const start = this.offset;
    let value = 0;
    let scale = 1;
    for (let n = 0; n < MAX_SAFE_BYTES; n++) {
      const byte = this.next(start);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) break;
        return value;
      }
      scale *= 0x80;
    }
    throw new SketchFormatError('varint too large', start);
  }

  /** A varint as a double: exact below 2^53, the nearest double above. */
  double(): number {
    const start = this.offset;
    let value = 0;
    let scale = 1;
    for (let n = 0; n < MAX_DOUBLE_BYTES; n++) {
      const byte = this.next(start);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw new SketchFormatError('varint too large', start);
  }

  /** An exact sum: as a number when it fits in 49 bits (7 bytes), which is nearly always. */
  sum(): bigint {
    const start = this.offset;
    let value = 0;
    let scale = 1;
    for (let n = 0; n < 7; n++) {
      const byte = this.next(start);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return BigInt(value);
      scale *= 0x80;
    }
    this.offset = start;
    return this.big(MAX_SUM_BYTES);
  }

  big(maxBytes: number): bigint {
    const start = this.offset;
    let value = 0n;
    let shift = 0n;
    for (let n = 0; n < maxBytes; n++) {
      const byte = this.next(start);
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
      shift += 7n;
    }
    throw new SketchFormatError('varint too large', start);
  }

  private next(start: number): number {
    if (this.offset >= this.bytes.length) throw new SketchFormatError('truncated', start);
    return this.bytes[this.offset++]!;
  }
}
