import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { InflightBudget } from './inflight-budget.js';
import { IngestGate } from './ingest-gate.js';
import { DEFAULT_INGEST_LIMITS } from './ingest-limits.js';
import { IngestQueue } from './ingest-queue.js';

/** A gate in front of a real queue whose store never commits (nothing leaves the queue). */
function gateWith(maxQueuedSpans: number): { gate: IngestGate; queue: IngestQueue } {
  const queue = new IngestQueue({ writeBatch: () => new Promise(() => {}) }, { maxQueuedSpans, maxBatchSpans: maxQueuedSpans });
  const gate = new IngestGate({ ingestToken: '', queue, budget: new InflightBudget(1 << 30), limits: DEFAULT_INGEST_LIMITS, logger: pino({ level: 'silent' }) });
  return { gate, queue };
}

/** A body the gate expects `spans` spans from (512 bytes a span). */
const bytesOf = (spans: number) => spans * 512;

describe('IngestGate admission', () => {
  it('lets in one request of any size while the queue is empty', () => {
    const { gate } = gateWith(100);
    expect(() => gate.admit(undefined, bytesOf(1000))).not.toThrow();
  });

  it('does not let in more than the queue holds while the queue is empty but others are being read', () => {
    const { gate, queue } = gateWith(1000);
    const first = gate.admit(undefined, bytesOf(600));
    expect(queue.stats().queuedSpans).toBe(0);
    // 600 + 600 over 1,000: the empty queue is no reason to take it (it was, and the batch was refused once decoded).
    expect(() => gate.admit(undefined, bytesOf(600))).toThrow(expect.objectContaining({ reason: 'queue_full' }));
    expect(() => gate.admit(undefined, bytesOf(400))).not.toThrow();
    // Once the first has answered, its room is free again.
    first.release();
    expect(() => gate.admit(undefined, bytesOf(500))).not.toThrow();
  });
});
