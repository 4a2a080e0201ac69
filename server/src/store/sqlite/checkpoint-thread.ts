/**
 * Entry of the writer's checkpoint helper (background-checkpoints.ts): on each message,
 * copies what the WAL holds back into the database file over a connection of its own.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { BACKGROUND_NICE, niceThisThread } from '../../threads/thread-priority.js';
import type { CheckpointThreadData, CheckpointThreadMessage } from './background-checkpoints.js';

niceThisThread(BACKGROUND_NICE);
const { path, busy } = (workerData as { config: CheckpointThreadData }).config;
const db = new Database(path);
const send = (message: CheckpointThreadMessage) => parentPort!.postMessage(message);
parentPort!.on('message', () => {
  let outcome: CheckpointThreadMessage = { type: 'done' };
  try {
    // PASSIVE: copies what no reader still needs, never waits, never blocks the writer.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    outcome = { type: 'failed', message: (err as Error).message };
  }
  Atomics.store(busy, 0, 0);
  Atomics.notify(busy, 0);
  send(outcome);
});
