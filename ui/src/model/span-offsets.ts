/**
 * Spans' starts and ends as ns offsets from a base time, for a batch of spans whose maker
 * knew them as numbers: the compact trace sends times as offsets, and its decoder writes
 * them as Unix-ns decimal strings only because the span model holds them so. The tree
 * builder takes the numbers instead of reading the strings back (for bench:ui's 100k-span
 * trace, 85 ms of the page's main thread in its profile).
 */
import type { NanosBase } from '@threadline/shared';

export interface SpanOffsets {
  /** One object for every batch of a trace: the tree builder takes offsets counting from its own base only. */
  readonly base: NanosBase;
  /** Start and end of each span of the batch, in its order (two numbers a span); NaN where not known. */
  readonly startEnd: ArrayLike<number>;
}
