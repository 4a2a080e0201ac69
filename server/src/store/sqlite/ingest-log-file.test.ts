import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestLogFile, listSegments, segmentPath } from './ingest-log-file.js';
import { parseFrames } from './ingest-log-frames.js';

let dir: string;
let dbPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'threadline-log-'));
  dbPath = join(dir, 'threadline.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const payload = (i: number) => Buffer.from(`batch ${i} `.repeat(i + 1));
const framesIn = (number: number) => parseFrames(readFileSync(segmentPath(dbPath, number))).payloads.map((p) => Buffer.from(p).toString());

describe('IngestLogFile', () => {
  it('appends concurrent batches whole and in order, each resolved with its file', async () => {
    const log = IngestLogFile.open(dbPath);
    const segments = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(payload(i))));
    expect(new Set(segments)).toEqual(new Set([1]));
    expect(framesIn(1)).toEqual(Array.from({ length: 50 }, (_, i) => payload(i).toString()));
    await log.close();
    await expect(log.append(payload(1))).rejects.toThrow('closed');
  });

  it('moves on to a new file past its size, and after the newest file already there', async () => {
    writeFileSync(segmentPath(dbPath, 7), '');
    const log = IngestLogFile.open(dbPath, { maxSegmentBytes: 200 });
    const segments: number[] = [];
    for (let i = 0; i < 6; i++) segments.push(await log.append(payload(4)));
    await log.close();
    expect(segments[0]).toBe(8);
    expect(Math.max(...segments)).toBeGreaterThan(8);
    expect(listSegments(dbPath).map((s) => s.number)).toEqual([7, ...new Set(segments)]);
    const all = [...new Set(segments)].flatMap(framesIn);
    expect(all).toHaveLength(6);
    expect(listSegments(dbPath).reduce((n, s) => n + statSync(s.path).size, 0)).toBe(6 * (12 + payload(4).byteLength));
  });

  it('rejects an append that cannot be written, then carries on in a new file', async () => {
    const log = IngestLogFile.open(dbPath);
    expect(await log.append(payload(1))).toBe(1);
    // The descriptor goes bad under it (as a write error would leave the file): the append fails…
    Reflect.set(log, 'fd', 1_000_000);
    await expect(log.append(payload(2))).rejects.toMatchObject({ code: 'EBADF' });
    // …and the next one starts a file of its own rather than write after a torn frame.
    expect(await log.append(payload(3))).toBe(2);
    await log.close();
    expect([framesIn(1), framesIn(2)]).toEqual([[payload(1).toString()], [payload(3).toString()]]);
  });

  it('rejects appends when no file can be opened', async () => {
    rmSync(dir, { recursive: true, force: true });
    const log = IngestLogFile.open(dbPath);
    await expect(log.append(payload(1))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('empties its file once everything in it is indexed, never under an append', async () => {
    let indexed = false;
    const log = IngestLogFile.open(dbPath, { allIndexed: () => indexed });
    await log.append(payload(1));
    log.emptyIfIdle();
    expect(framesIn(1)).toEqual([payload(1).toString()]);
    indexed = true;
    const writing = log.append(payload(2));
    log.emptyIfIdle();
    indexed = false;
    await writing;
    expect(framesIn(1)).toEqual([payload(1).toString(), payload(2).toString()]);
    // Indexed while the append was written: emptied once it is done.
    indexed = true;
    await log.append(payload(3)).then(() => new Promise((resolve) => setImmediate(resolve)));
    expect(framesIn(1)).toEqual([]);
    // Appends carry on in the same file, from its start.
    indexed = false;
    await log.append(payload(4));
    expect(framesIn(1)).toEqual([payload(4).toString()]);
    await log.close();
  });

  it('lists only its own files', () => {
    for (const name of ['threadline.db-ingest.000002', 'threadline.db-ingest.000010', 'threadline.db-ingest.tmp', 'other.db-ingest.000001', 'threadline.db-wal']) {
      writeFileSync(join(dir, name), 'x');
    }
    expect(listSegments(dbPath).map((s) => s.number)).toEqual([2, 10]);
  });
});
