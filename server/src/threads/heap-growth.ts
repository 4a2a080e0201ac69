import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets a heap's old generation grow past what its last full collection left
 * live before it starts marking again, in percent. V8 picks the factor itself otherwise
 * (1.1–4×, with at least 8 MB of headroom).
 *
 * As far as --trace-gc shows, V8 counts the ArrayBuffer memory a thread takes on since its
 * last full collection against that headroom, and the main thread takes on ~0.5 MB of it
 * for every exporter batch (the body it reads, the prepared batch it passes from the
 * decoding thread to the writer) while its own objects barely grow. Under full-speed ingest its factor stayed
 * at 1.1–1.2, its headroom at the minimum, and it ran a full mark-compact every 230–450 ms
 * (--trace-gc: "Mark-Compact 17.0 -> 15.5 MB", "[IncrementalMarking] Start (task)" with
 * the old generation at 15 of 27–39 MB): 14–26 in a 10–14 s window, 120–200 ms of pauses
 * besides the marking steps, on the thread that answers queries. Letting it grow to 3× live
 * (200 %), 5 there, and get-trace p99 under ingest 13–16 ms where it was 16–21
 * (`test/bench/busy-get-trace.ts`, docs/benchmarks.md, "Eighteenth session"). 4× (300 %)
 * gave 3, but the attribute bombs' peak RSS rose by ~25 MB, to 567–589 MB of the 600 allowed;
 * at 3× it stayed at 544–556, as before.
 *
 * The flag is V8's and process-wide: every thread's heap grows so before collecting. The
 * decoding threads' heaps are capped by their resource limits.
 */
const HEAP_GROWING_PERCENT = 200;

/** Sets the factor for every heap of the process; V8 reads it at each full collection. */
export function widenHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
