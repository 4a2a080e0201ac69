import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * The nice value of the threads doing ingest's bulk work (decoding, indexing). Acks and
 * queries run on the main thread and the store's reader: when the cores are all busy, the
 * kernel gives those the CPU first, so the UI and exporters' answers stay quick while
 * ingest, slowed a little, pushes back through its queue (429s exporters retry). Measured
 * on 2 cores under full-speed ingest (docs/benchmarks.md, "Third round"): get-trace p50
 * 7.1 ms at nice 0, 5.2 at 5, 4.4 at 10 (3.4 idle); search p50 47, 39, 36 ms (20 idle);
 * ingest throughput the same within noise. Not more: the kernel weighs nice 10 at a tenth
 * of another process's share, so on a host busy with other work ingest would starve; nice
 * 5 keeps about a third.
 */
export const BACKGROUND_NICE = 5;

/**
 * Raises the calling thread's nice value (Linux: setpriority on a thread ID affects that
 * thread only). Returns the thread ID it applied to, or undefined where threads cannot be
 * told apart this way (other systems) or the call is refused; the caller runs either way.
 */
export function niceThisThread(nice: number): number | undefined {
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(tid) || tid <= 0) return undefined;
  try {
    setPriority(tid, nice);
    return tid;
  } catch {
    return undefined;
  }
}
