/**
 * A mergeable latency sketch after DDSketch (Masson, Rim & Lee, VLDB 2019): durations
 * in nanoseconds fall into logarithmic buckets, so any quantile comes back within
 * RELATIVE_ACCURACY of the exact value, whatever the distribution, and two sketches merge
 * by adding bucket counts. That is what lets the store keep one small sketch per
 * (operation, minute) and answer "p99 over a day" by merging minutes instead of
 * scanning spans.
 *
 * Buckets: a positive duration x goes to index i = ⌈log_γ x⌉, the bucket (γ^(i-1), γ^i],
 * with γ = (1+α)/(1−α). Every value of bucket i is within α of 2γ^i/(γ+1), which is what
 * a quantile returns. Zero durations have a bucket of their own. count and sum are exact.
 */

export const RELATIVE_ACCURACY = 0.01;
export const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);

/**
 * At most this many buckets between the lowest and highest non-empty one. With α = 1%
 * that spans a ratio of γ^2048 ≈ 6·10^17, i.e. 1 ns up to 19 years, so real latencies
 * never reach it; it bounds what a hostile sender can make a sketch cost. Beyond it the
 * lowest buckets are folded into the lowest one kept (DDSketch's "collapsing lowest"):
 * high quantiles, the ones latency work needs, stay exact to α; only the lowest ones lose
 * accuracy. A value lands in bucket max(i, H − MAX_BINS + 1), H the highest index ever
 * seen, whatever the order of adds and merges, so merging stays exact.
 */
export const MAX_BINS = 2048;

/** Durations at or above 2^64 ns (584 years) are not durations a span can have. */
const MAX_DURATION_NS = 2n ** 64n - 1n;

/** The bucket index of a positive duration: ≥ 0, since durations are whole nanoseconds. */
export function bucketIndexOf(durationNs: number): number {
  return Math.ceil(Math.log(durationNs) / LN_GAMMA);
}

/** The bucket of the longest duration `add` accepts; codecs reject indexes past it. */
export const MAX_INDEX = bucketIndexOf(Number(MAX_DURATION_NS));

/** The upper bound γ^i of bucket i (exclusive lower bound of bucket i + 1). */
export function bucketUpperBound(index: number): number {
  return Math.exp(index * LN_GAMMA);
}

/** The value a quantile falling into bucket i reports: within α of everything in the bucket. */
export function bucketValue(index: number): number {
  return (2 * bucketUpperBound(index)) / (GAMMA + 1);
}

/**
 * The 1-based rank of quantile q among n values under the nearest-rank definition: the
 * smallest value such that at least q·n values are ≤ it. q·n is snapped to the nearest
 * integer when within floating-point noise of it, so that 0.07 × 100 is rank 7, not 8.
 * Exact percentiles meant to be compared with a sketch must use this same definition.
 */
export function rankOf(q: number, n: number): number {
  const exact = q * n;
  const nearest = Math.round(exact);
  const rank = Math.abs(exact - nearest) <= 1e-9 * Math.max(1, exact) ? nearest : Math.ceil(exact);
  return Math.min(n, Math.max(1, rank));
}

export class SketchValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SketchValueError';
  }
}

/** One non-empty bucket, as `forEachBin` visits them. */
export type BinVisitor = (index: number, count: number) => void;

/**
 * Counts live in a Float64Array (exact up to 2^53) indexed from `base`, grown on demand
 * with slack on both sides, so adding and merging never allocate per value.
 */
export class LatencySketch {
  private bins = new Float64Array(0);
  private base = 0;
  /** Lowest and highest non-empty bucket index; lo > hi while no bucket is used. */
  private lo = 0;
  private hi = -1;
  private zeros = 0;
  private total = 0;
  private sum = 0n;
  private minimum = Number.POSITIVE_INFINITY;
  private maximum = Number.NEGATIVE_INFINITY;

  get count(): number {
    return this.total;
  }

  get zeroCount(): number {
    return this.zeros;
  }

  /** Exact sum of every added duration. */
  get sumNs(): bigint {
    return this.sum;
  }

  /**
   * Smallest duration added (exact below 2^53 ns); undefined when empty. After `remove`
   * it is only a bound: no value held is smaller.
   */
  get minNs(): number | undefined {
    return this.total === 0 ? undefined : this.minimum;
  }

  /** Largest duration added; like minNs, a bound after `remove`. */
  get maxNs(): number | undefined {
    return this.total === 0 ? undefined : this.maximum;
  }

  get isEmpty(): boolean {
    return this.total === 0;
  }

  /** Lowest and highest non-empty bucket index, or undefined when only zeros (or nothing) were added. */
  get binRange(): { lo: number; hi: number } | undefined {
    return this.lo <= this.hi ? { lo: this.lo, hi: this.hi } : undefined;
  }

  /** Adds `times` occurrences of a duration (a non-negative integer number of ns). */
  add(durationNs: bigint | number, times = 1): void {
    const exact = typeof durationNs === 'bigint' ? durationNs : toExactNs(durationNs);
    if (exact < 0n || exact > MAX_DURATION_NS) throw new SketchValueError(`duration ${exact} ns is out of range`);
    if (!Number.isSafeInteger(times) || times < 1) throw new SketchValueError(`count ${times} is not a positive integer`);
    const value = Number(exact);
    if (value === 0) this.zeros += times;
    else this.addToBin(bucketIndexOf(value), times);
    this.total += times;
    this.sum += times === 1 ? exact : exact * BigInt(times);
    if (value < this.minimum) this.minimum = value;
    if (value > this.maximum) this.maximum = value;
  }

  /**
   * Takes back one occurrence of a duration added before, when the span it came from is
   * deleted. count, sum and buckets are exact again afterwards; min and max stay as they
   * were, which keeps them valid bounds. Throws SketchValueError if the sketch holds no
   * such value.
   */
  remove(durationNs: bigint): void {
    const value = Number(durationNs);
    if (value === 0) {
      if (this.zeros === 0) throw new SketchValueError('no zero duration to remove');
      this.zeros--;
    } else {
      const index = durationNs > 0n && this.lo <= this.hi ? Math.max(bucketIndexOf(value), this.hi - MAX_BINS + 1) : NaN;
      if (!(index >= this.lo && index <= this.hi) || this.bins[index - this.base] === 0) {
        throw new SketchValueError(`no duration ${durationNs} ns to remove`);
      }
      this.bins[index - this.base]!--;
      while (this.lo <= this.hi && this.bins[this.lo - this.base] === 0) this.lo++;
      while (this.hi >= this.lo && this.bins[this.hi - this.base] === 0) this.hi--;
    }
    this.total--;
    this.sum -= durationNs;
    if (this.total === 0) {
      this.lo = 0;
      this.hi = -1;
      this.minimum = Number.POSITIVE_INFINITY;
      this.maximum = Number.NEGATIVE_INFINITY;
    }
  }

  /** Adds every value of `other` to this sketch, as if they had been added here. */
  merge(other: LatencySketch): void {
    if (other.total === 0) return;
    if (other.lo <= other.hi) {
      // Raising the top first collapses at most once.
      this.addToBin(other.hi, other.bins[other.hi - other.base]!);
      for (let i = other.lo; i < other.hi; i++) {
        const c = other.bins[i - other.base]!;
        if (c !== 0) this.addToBin(i, c);
      }
    }
    this.zeros += other.zeros;
    this.total += other.total;
    this.sum += other.sum;
    if (other.minimum < this.minimum) this.minimum = other.minimum;
    if (other.maximum > this.maximum) this.maximum = other.maximum;
  }

  /** Adds the values of an encoded sketch (see sketch-codec.ts), as `merge` would. */
  mergeParts(parts: SketchParts): void {
    const n = parts.indexes.length;
    let binTotal = 0;
    if (n > 0) {
      // The top first, so that a collapse happens at most once.
      this.addToBin(parts.indexes[n - 1]!, parts.counts[n - 1]!);
      binTotal += parts.counts[n - 1]!;
      for (let k = 0; k < n - 1; k++) {
        this.addToBin(parts.indexes[k]!, parts.counts[k]!);
        binTotal += parts.counts[k]!;
      }
    }
    const added = parts.zeroCount + binTotal;
    if (added === 0) return;
    this.zeros += parts.zeroCount;
    this.total += added;
    this.sum += parts.sumNs;
    if (parts.minNs < this.minimum) this.minimum = parts.minNs;
    if (parts.maxNs > this.maximum) this.maximum = parts.maxNs;
  }

  /** Visits non-empty buckets in increasing index order. */
  forEachBin(visit: BinVisitor): void {
    for (let i = this.lo; i <= this.hi; i++) {
      const c = this.bins[i - this.base]!;
      if (c !== 0) visit(i, c);
    }
  }

  /**
   * The q-quantile (0 ≤ q ≤ 1) by nearest rank (see `rankOf`), within RELATIVE_ACCURACY
   * of the exact one; undefined for an empty sketch. Kept inside [min, max]: the exact
   * value lies there too, so this only ever brings the answer closer (a sketch of one
   * distinct value answers it exactly).
   */
  quantile(q: number): number | undefined {
    if (!(q >= 0 && q <= 1)) throw new SketchValueError(`quantile ${q} is not in [0, 1]`);
    if (this.total === 0) return undefined;
    const rank = rankOf(q, this.total);
    if (rank <= this.zeros) return 0;
    let seen = this.zeros;
    for (let i = this.lo; i <= this.hi; i++) {
      seen += this.bins[i - this.base]!;
      if (seen >= rank) return Math.min(this.maximum, Math.max(this.minimum, bucketValue(i)));
    }
    return this.maximum;
  }

  private addToBin(index: number, times: number): void {
    if (this.lo > this.hi) {
      this.ensureCapacity(index, index);
      this.lo = this.hi = index;
    } else if (index > this.hi) {
      this.raiseTop(index);
    }
    const target = Math.max(index, this.hi - MAX_BINS + 1);
    if (target < this.lo) {
      this.ensureCapacity(target, this.hi);
      this.lo = target;
    }
    this.bins[target - this.base]! += times;
  }

  /** Makes `top` the highest bucket, folding what falls more than MAX_BINS below it. */
  private raiseTop(top: number): void {
    const floor = top - MAX_BINS + 1;
    let folded = 0;
    if (this.lo < floor) {
      for (let i = this.lo, end = Math.min(this.hi, floor - 1); i <= end; i++) {
        folded += this.bins[i - this.base]!;
        this.bins[i - this.base] = 0;
      }
      this.lo = floor;
    }
    this.ensureCapacity(this.lo, top);
    this.hi = top;
    this.bins[this.lo - this.base]! += folded;
  }

  /**
   * Makes bucket indexes [from, to] addressable. Callers pass a range holding every
   * non-empty bucket, so copying the overlap with the old array keeps every count.
   */
  private ensureCapacity(from: number, to: number): void {
    if (from >= this.base && to < this.base + this.bins.length) return;
    const span = to - from + 1;
    // Slack on both sides: an operation's latencies wander around their usual range.
    const slack = Math.max(16, span >> 1);
    const grown = new Float64Array(span + 2 * slack);
    const base = from - slack;
    const start = Math.max(base, this.base);
    const end = Math.min(base + grown.length, this.base + this.bins.length);
    if (start < end) grown.set(this.bins.subarray(start - this.base, end - this.base), start - base);
    this.bins = grown;
    this.base = base;
  }
}

/** A sketch's state as the codec stores it. */
export interface SketchParts {
  zeroCount: number;
  /** Non-empty bucket indexes, increasing, spanning at most MAX_BINS. */
  indexes: number[];
  /** Positive counts, one per index. */
  counts: number[];
  sumNs: bigint;
  minNs: number;
  maxNs: number;
}

function toExactNs(durationNs: number): bigint {
  if (!Number.isInteger(durationNs)) throw new SketchValueError(`duration ${durationNs} ns is not an integer`);
  return BigInt(durationNs);
}

/** A new sketch holding the values of both (neither argument changes). */
export function mergeSketches(a: LatencySketch, b: LatencySketch): LatencySketch {
  const merged = new LatencySketch();
  merged.merge(a);
  merged.merge(b);
  return merged;
}
