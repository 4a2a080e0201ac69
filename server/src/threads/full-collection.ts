/**
 * A full garbage collection of the calling thread's V8 heap, after work that left the old
 * generation full of garbage. V8 lets the old generation grow to about four times what was
 * live at its last full collection before it collects again: serving a 100k-span trace
 * promotes ~40 MB that dies with the answer (the span-ID set, the attribute memo, pages in
 * flight), so the main thread's heap reached 110–160 MB between collections while ~20 MB
 * was live (--trace-gc: "Mark-Compact 119.1 (152.1) -> 24.5 (80.3) MB"), and the process
 * kept that memory. A collection once such an answer is sent takes ~10–30 ms.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** At most one collection per this many ms: a burst of big answers pays for one. */
const MIN_INTERVAL_MS = 1000;

let gc: (() => void) | undefined;
let last = Number.NEGATIVE_INFINITY;

/**
 * V8's `gc`, which a context made while --expose-gc is on gets (the flag is off again at
 * once). That is V8 behaviour, not an API: where it does not hold, a function that does
 * nothing (the memory is then freed when V8 gets to it) rather than a failed answer.
 */
export function findGc(makeContextGc: () => unknown = () => runInNewContext('gc')): () => void {
  try {
    setFlagsFromString('--expose-gc');
    const found = makeContextGc();
    return typeof found === 'function' ? (found as () => void) : () => {};
  } catch {
    return () => {};
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/** Collects now, unless it did within MIN_INTERVAL_MS; true when it did. */
export function collectGarbage(now = performance.now()): boolean {
  if (now - last < MIN_INTERVAL_MS) return false;
  last = now;
  gc ??= findGc();
  gc();
  return true;
}
