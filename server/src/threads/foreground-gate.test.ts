import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { awaitIngest, BackgroundYield, beginForeground, newForegroundSignal, steppedAsideSeconds } from './foreground-gate.js';

const newSignal = newForegroundSignal;
const inFlight = (signal: SharedArrayBuffer) => Atomics.load(new Int32Array(signal), 0);

/** A clock that moves `step` ms at every reading, so that a wait's budget runs out without sleeping. */
function steppingClock(step: number): () => number {
  let t = 0;
  return () => (t += step);
}

/**
 * Steps aside on this thread (a 20 s budget) while a worker, once it sees this thread
 * waiting (word 1), runs `then` on the signal's words (`counter`); the gate after it returned.
 */
async function yieldWhileAnotherThread(signal: SharedArrayBuffer, then: string): Promise<BackgroundYield> {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const counter = new Int32Array(workerData.signal);
     parentPort.postMessage('started');
     while (Atomics.load(counter, 1) === 0) Atomics.wait(counter, 1, 0, 5);
     ${then}`,
    { eval: true, workerData: { signal } },
  );
  await new Promise((resolve) => worker.once('message', resolve));
  const gate = new BackgroundYield(signal, { maxWaitMs: 20_000, maxShare: 0.9 });
  gate.yield();
  await worker.terminate();
  return gate;
}

describe('beginForeground', () => {
  it('counts a query until it ends, once however often ended', () => {
    const signal = newSignal();
    const endA = beginForeground(60_000, signal);
    const endB = beginForeground(60_000, signal);
    expect(inFlight(signal)).toBe(2);
    endA();
    endA();
    expect(inFlight(signal)).toBe(1);
    endB();
    expect(inFlight(signal)).toBe(0);
  });

  it('stops counting a request by itself after its cap (a slow client cannot hold ingest back)', async () => {
    const signal = newSignal();
    const end = beginForeground(20, signal);
    expect(inFlight(signal)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(inFlight(signal)).toBe(0);
    end();
    expect(inFlight(signal)).toBe(0);
  });
});

describe('BackgroundYield', () => {
  it('does not wait while no query is in flight', () => {
    const signal = newSignal();
    const gate = new BackgroundYield(signal, { maxWaitMs: 60_000, maxShare: 0.9 });
    gate.yield();
    expect(gate.waitedMs).toBe(0);
  });

  it('waits while a query is in flight, up to its longest wait', () => {
    const signal = newSignal();
    const end = beginForeground(60_000, signal);
    const gate = new BackgroundYield(signal, { maxWaitMs: 30, maxShare: 0.9 }, steppingClock(10));
    gate.yield();
    // Clock readings: 10 (start), 20 and 30 (20 and 10 ms left: waits), 40 (none left), 50 (end).
    expect(gate.waitedMs).toBe(40);
    end();
  });

  it('adds every thread\'s waits to the signal\'s stepped-aside total', () => {
    const signal = newSignal();
    const end = beginForeground(60_000, signal);
    for (const step of [10, 5]) new BackgroundYield(signal, { maxWaitMs: 30, maxShare: 0.9 }, steppingClock(step)).yield();
    end();
    // 40 ms (as above) and 35 ms (readings 5 … 40: waits until 30 ms have gone, ended at the next reading).
    expect(steppedAsideSeconds(signal)).toBeCloseTo(0.075, 6);
    expect(steppedAsideSeconds(newSignal())).toBe(0);
  });

  it('does not step aside while a query waits for ingest\'s own work (its pass)', () => {
    const signal = newSignal();
    const end = beginForeground(60_000, signal);
    const gate = new BackgroundYield(signal, { maxWaitMs: 30, maxShare: 0.9 }, steppingClock(10));
    const done = awaitIngest(signal);
    gate.yield();
    expect(gate.waitedMs).toBe(0);
    done();
    done();
    gate.yield();
    expect(gate.waitedMs).toBe(40);
    end();
  });

  it('owes work after a wait: no second wait until its share of the time has passed', () => {
    const signal = newSignal();
    const end = beginForeground(60_000, signal);
    const gate = new BackgroundYield(signal, { maxWaitMs: 30, maxShare: 0.75 }, steppingClock(10));
    gate.yield(); // 40 ms waited, ending at 50: owes 40 × 0.25 / 0.75 ms of work, until 63.3
    expect(gate.waitedMs).toBe(40);
    gate.yield(); // at 60: still owed
    expect(gate.waitedMs).toBe(40);
    gate.yield(); // at 70: waits again
    expect(gate.waitedMs).toBe(80);
    end();
  });

  it('wakes as soon as the last query in flight ends on another thread', async () => {
    const signal = newSignal();
    const end = beginForeground(60_000, signal);
    // The waiting side runs in a worker, as ingest's threads do; this thread ends the query.
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const counter = new Int32Array(workerData.signal);
       parentPort.postMessage('waiting');
       Atomics.add(counter, 1, 1);
       const started = Date.now();
       while (Atomics.load(counter, 0) > 0) Atomics.wait(counter, 0, Atomics.load(counter, 0), 10000);
       parentPort.postMessage(Date.now() - started);`,
      { eval: true, workerData: { signal } },
    );
    const messages: unknown[] = [];
    const waited = new Promise<number>((resolve) =>
      worker.on('message', (m) => {
        messages.push(m);
        if (typeof m === 'number') resolve(m);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    end();
    const ms = await waited;
    await worker.terminate();
    expect(messages[0]).toBe('waiting');
    expect(ms).toBeLessThan(5_000);
  });

  it('returns as soon as the last query in flight ends on another thread', async () => {
    const signal = newSignal();
    Atomics.add(new Int32Array(signal), 0, 1);
    // As beginForeground's end does.
    const gate = await yieldWhileAnotherThread(signal, 'Atomics.sub(counter, 0, 1); Atomics.notify(counter, 0);');
    expect(inFlight(signal)).toBe(0);
    expect(gate.waitedMs).toBeLessThan(10_000);
  });

  it('stops waiting as soon as a query starts waiting for ingest\'s work', async () => {
    const signal = newSignal();
    const end = beginForeground(60_000, signal);
    // As awaitIngest does: the search that has the writer index.
    const gate = await yieldWhileAnotherThread(signal, 'Atomics.add(counter, 2, 1); Atomics.notify(counter, 0);');
    expect(gate.waitedMs).toBeLessThan(10_000);
    end();
  });
});
