import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { compressChunk } from './chunk-compression.js';
import { SMALL_HEAP, spawnWorker } from '../../threads/spawn-worker.js';

export interface CompressedBlock {
  blockId: number;
  data: Uint8Array;
}

/**
 * Compresses the span blocks of a write. `submit` hands over a block as soon as it is
 * full; `collect` returns every block submitted since the last `collect` or `discard`,
 * compressed, in submission order.
 */
export interface BlockCompressor {
  submit(blockId: number, data: Uint8Array): void;
  collect(): CompressedBlock[];
  /** Forgets what was submitted (a write that rolled back). */
  discard(): void;
  close(): void;
}

/** Compresses on the calling thread, at submit. */
export class InlineBlockCompressor implements BlockCompressor {
  private done: CompressedBlock[] = [];

  submit(blockId: number, data: Uint8Array): void {
    this.done.push({ blockId, data: compressChunk(data) });
  }

  collect(): CompressedBlock[] {
    const done = this.done;
    this.done = [];
    return done;
  }

  discard(): void {
    this.done = [];
  }

  close(): void {}
}

/** What the writer sends the helper thread, and what comes back on the same port. */
export interface CompressRequest {
  seq: number;
  data: Uint8Array;
}
export interface CompressResult {
  seq: number;
  data: Uint8Array;
}
/** The helper's first message from its parent: its port, and the counter it bumps after each result. */
export interface CompressorSetup {
  port: MessagePort;
  results: Int32Array;
}

/**
 * A block that has not come back after this long means the helper is gone or stuck; the
 * writer then compresses what is missing itself, and every block after (a lost helper
 * must not stall indexing, and its late answers are ignored by sequence number).
 */
const HELPER_WAIT_MS = 5000;


/**
 * Compresses on a helper thread while the writer goes on with the rest of the write
 * (brotli was ~8 % of the writer thread under full-speed ingest, and the writer is the
 * thread that limits it). The writer blocks only in `collect`, for blocks not back yet:
 * it cannot take messages while inside a transaction, so results are read with
 * `receiveMessageOnPort`, and `Atomics.wait` on a counter the helper bumps after posting
 * each one sleeps until there is something to read. Each request keeps its bytes (a copy
 * goes to the helper) so that the writer can always do the work itself. The price is
 * memory: peak RSS under full-speed ingest rose ~35 MB, most of it the new thread's malloc
 * arena (with MALLOC_ARENA_MAX=2 it did not; blocks through shared memory did not help).
 */
export class ThreadBlockCompressor implements BlockCompressor {
  private readonly port: MessagePort;
  private readonly results = new Int32Array(new SharedArrayBuffer(4));
  private worker: Worker | undefined;
  private nextSeq = 0;
  /** Sequence number of the first block of the current write. */
  private firstSeq = 0;
  private pending: Array<{ blockId: number; raw: Uint8Array; data?: Uint8Array }> = [];

  private readonly waitMs: number;

  /** `options.spawn` starts another helper (tests: one that fails or never answers). */
  constructor(
    private readonly onHelperLost: (reason: string) => void = () => {},
    options: { waitMs?: number; spawn?: () => Worker } = {},
  ) {
    this.waitMs = options.waitMs ?? HELPER_WAIT_MS;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = options.spawn ? options.spawn() : spawnWorker(import.meta.url, 'block-compressor-thread', {}, SMALL_HEAP);
    this.worker.unref();
    // Seen between writes only (a write blocks the event loop); a helper lost mid-write is caught by the wait's timeout.
    this.worker.on('error', (err) => this.helperLost(`the helper failed: ${err.message}`));
    this.worker.on('exit', (code) => this.helperLost(`the helper exited with code ${code}`));
    const setup: CompressorSetup = { port: port2, results: this.results };
    this.worker.postMessage(setup, [port2]);
  }

  submit(blockId: number, data: Uint8Array): void {
    const seq = this.nextSeq++;
    this.pending.push({ blockId, raw: data });
    if (this.worker) this.port.postMessage({ seq, data } satisfies CompressRequest);
  }

  collect(): CompressedBlock[] {
    this.receiveAll();
    const blocks = this.pending.map((p) => ({ blockId: p.blockId, data: p.data ?? compressChunk(p.raw) }));
    this.discard();
    return blocks;
  }

  discard(): void {
    this.pending = [];
    this.firstSeq = this.nextSeq;
  }

  close(): void {
    this.stopHelper();
    this.port.close();
  }

  /** Takes results until every pending block has its own, or the helper is given up. */
  private receiveAll(): void {
    let missing = this.pending.reduce((n, p) => n + (p.data ? 0 : 1), 0);
    while (missing > 0 && this.worker) {
      const seen = Atomics.load(this.results, 0);
      let message;
      let took = false;
      while ((message = receiveMessageOnPort(this.port)) !== undefined) {
        took = true;
        const result = message.message as CompressResult;
        // A discarded write's results (sequence numbers before firstSeq) find no entry.
        const entry = this.pending[result.seq - this.firstSeq];
        if (entry && !entry.data) {
          entry.data = result.data;
          missing--;
        }
      }
      if (missing === 0 || took) continue;
      // The helper bumps the counter after posting: unchanged after the wait, nothing came.
      if (Atomics.wait(this.results, 0, seen, this.waitMs) === 'timed-out' && Atomics.load(this.results, 0) === seen) {
        this.helperLost(`no compressed block came back in ${this.waitMs} ms`);
      }
    }
  }

  /** From now on the writer compresses (reported once). */
  private helperLost(reason: string): void {
    if (!this.worker) return;
    this.stopHelper();
    this.onHelperLost(reason);
  }

  private stopHelper(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
