import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackgroundCheckpoints } from './background-checkpoints.js';
import { openDatabase } from './open-database.js';

let dir: string;
let db: Database.Database;
let checkpoints: BackgroundCheckpoints | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'threadline-ckpt-'));
  db = openDatabase(join(dir, 'store.db'), 'writer');
  db.exec('CREATE TABLE filler (data BLOB)');
});
afterEach(() => {
  checkpoints?.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const size = (file: string) => statSync(join(dir, file)).size;
/** One commit of `bytes` fresh bytes (4 KiB rows: random, so each page is new and incompressible). */
const commit = (bytes: number) => {
  const insert = db.prepare('INSERT INTO filler VALUES (randomblob(4096))');
  db.transaction(() => {
    for (let i = 0; i < bytes / 4096; i++) insert.run();
  })();
};
const MB = 1024 * 1024;

describe('BackgroundCheckpoints', () => {
  it('takes checkpoints off the writer, copies each commit into the file on its own thread, and keeps the WAL from growing', async () => {
    const lost: string[] = [];
    checkpoints = new BackgroundCheckpoints(db, join(dir, 'store.db'), (reason) => lost.push(reason));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = size('store.db');
    // Past SQLite's automatic checkpoint (1,000 pages of 8 KiB), which the writer no longer runs: the commit stays in the WAL.
    commit(10 * MB);
    expect(size('store.db')).toBeLessThan(before + 5 * MB);
    checkpoints.afterCommit();
    await expect.poll(() => checkpoints!.completed, { timeout: 10_000 }).toBe(1);
    expect(size('store.db')).toBeGreaterThan(before + 10 * MB);
    const wal = size('store.db-wal');
    // Each commit is copied back before the next: the WAL starts over instead of growing.
    for (let i = 0; i < 5; i++) {
      const copied = size('store.db');
      commit(2 * MB);
      checkpoints.afterCommit();
      await expect.poll(() => checkpoints!.completed, { timeout: 10_000 }).toBe(i + 2);
      expect(size('store.db')).toBeGreaterThan(copied + 2 * MB);
    }
    expect(size('store.db-wal')).toBeLessThanOrEqual(wal + 64 * 1024);
    expect(lost).toEqual([]);
  });

  it('lets the writer wait for a checkpoint it asked for, so that its own TRUNCATE does not meet it', () => {
    checkpoints = new BackgroundCheckpoints(db, join(dir, 'store.db'), () => {});
    const before = size('store.db');
    commit(10 * MB);
    checkpoints.afterCommit();
    // Synchronously, as the writer does: no message from the helper can arrive meanwhile.
    checkpoints.waitForHelper();
    expect(size('store.db')).toBeGreaterThan(before + 10 * MB);
    db.pragma('busy_timeout = 0');
    expect(db.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
    expect(size('store.db-wal')).toBe(0);
  });

  it('without it the WAL only grows, which is why the writer must not be left without checkpoints', () => {
    db.pragma('wal_autocheckpoint = 0');
    commit(2 * MB);
    const wal = size('store.db-wal');
    commit(2 * MB);
    expect(size('store.db-wal')).toBeGreaterThan(wal + MB);
  });

  it('gives the checkpoints back to the writer when its helper exits, and says so once', async () => {
    const lost: string[] = [];
    checkpoints = new BackgroundCheckpoints(db, join(dir, 'store.db'), (reason) => lost.push(reason), () => new Worker('process.exit(5)', { eval: true }));
    await expect.poll(() => lost).toEqual(['the helper exited with code 5']);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    checkpoints.afterCommit();
    expect(lost).toHaveLength(1);
  });

  it('gives the checkpoints back to the writer when one fails', async () => {
    const lost: string[] = [];
    const failing = () =>
      new Worker(`const { parentPort } = require('node:worker_threads'); parentPort.on('message', () => parentPort.postMessage({ type: 'failed', message: 'disk I/O error' }))`, {
        eval: true,
      });
    checkpoints = new BackgroundCheckpoints(db, join(dir, 'store.db'), (reason) => lost.push(reason), failing);
    checkpoints.afterCommit();
    await expect.poll(() => lost).toEqual(['a checkpoint failed: disk I/O error']);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
