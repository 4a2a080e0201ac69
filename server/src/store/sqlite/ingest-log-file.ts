import { closeSync, ftruncateSync, openSync, readdirSync, writev } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { frameHeader } from './ingest-log-frames.js';

/**
 * A log file is closed and the next one started once it holds this much; the writer deletes
 * it once indexed. So under sustained ingest the log takes about this plus the backlog.
 */
export const SEGMENT_BYTES = 8 * 1024 * 1024;
/** writev takes at most IOV_MAX (1024) buffers; two per frame. */
const MAX_FRAMES_PER_WRITE = 500;

export interface LogSegment {
  number: number;
  path: string;
}

/** `<db>-ingest.000001`, beside the database like its `-wal`. */
export function segmentPath(dbPath: string, number: number): string {
  return `${dbPath}-ingest.${String(number).padStart(6, '0')}`;
}

/** The database's ingest log files, oldest first. */
export function listSegments(dbPath: string): LogSegment[] {
  const prefix = `${basename(dbPath)}-ingest.`;
  let names: string[];
  try {
    names = readdirSync(dirname(dbPath));
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => ({ number: Number(name.slice(prefix.length)), path: join(dirname(dbPath), name) }))
    .sort((a, b) => a.number - b.number);
}

export interface IngestLogFileOptions {
  maxSegmentBytes: number;
  /** Whether every batch appended so far is indexed: the file may then be emptied. */
  allIndexed(): boolean;
}

interface QueuedAppend {
  payload: Uint8Array;
  resolve(segment: number): void;
  reject(err: Error): void;
}

const writevAsync = (fd: number, buffers: Uint8Array[]) =>
  new Promise<number>((resolve, reject) => writev(fd, buffers, (err, written) => (err ? reject(err) : resolve(written))));

/**
 * The acknowledging half of ingest, on the thread that answers exporters: a batch is
 * acknowledged once its bytes are appended to a log file (a `write` the OS holds, which a
 * killed process cannot take back), without waiting for SQLite. Appends queue behind the
 * one being written and go out together in one `writev` (group commit), in order, so a file
 * is only ever written front to back. The writer thread indexes what was appended and deletes
 * files once all they hold is in the database (ingest-log.ts).
 */
export class IngestLogFile {
  private readonly queue: QueuedAppend[] = [];
  private writing: Promise<void> | undefined;
  private fd: number | undefined;
  private size = 0;
  private closed = false;

  private constructor(
    private readonly dbPath: string,
    private segment: number,
    private readonly options: IngestLogFileOptions,
  ) {}

  /** Starts after the newest file there is: the writer replays and deletes old ones before this opens. */
  static open(dbPath: string, options: Partial<IngestLogFileOptions> = {}): IngestLogFile {
    const newest = listSegments(dbPath).at(-1)?.number ?? 0;
    return new IngestLogFile(dbPath, newest, { maxSegmentBytes: SEGMENT_BYTES, allIndexed: () => false, ...options });
  }

  /** Resolves with the number of the file that holds the payload once it is written. */
  append(payload: Uint8Array): Promise<number> {
    if (this.closed) return Promise.reject(new Error('the ingest log is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ payload, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.writing !== undefined || this.queue.length === 0) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      this.kick();
      // The appends just resolved were taken in by the caller before this runs (their
      // continuations were queued first), so allIndexed() counts them.
      this.emptyIfIdle();
    });
  }

  /**
   * Empties the file being appended to when everything appended is indexed (`allIndexed`)
   * and nothing is being appended: then the log holds nothing a restart needs, and a quiet
   * collector's log takes no space. Tried again after each group of appends, since a batch
   * indexed while another was being written could not empty it then.
   */
  emptyIfIdle(): void {
    if (this.writing !== undefined || this.queue.length > 0 || this.fd === undefined || this.size === 0) return;
    if (!this.options.allIndexed()) return;
    ftruncateSync(this.fd, 0);
    this.size = 0;
  }

  /** Waits for appends already made, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
    this.closeFile();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, MAX_FRAMES_PER_WRITE);
      const buffers = group.flatMap((entry) => [frameHeader(entry.payload), entry.payload]);
      const bytes = buffers.reduce((n, b) => n + b.byteLength, 0);
      try {
        if (this.fd === undefined || (this.size > 0 && this.size + bytes > this.options.maxSegmentBytes)) this.nextFile();
        const written = await writevAsync(this.fd!, buffers);
        if (written !== bytes) throw new Error(`short write to the ingest log (${written} of ${bytes} bytes)`);
        this.size += bytes;
        for (const entry of group) entry.resolve(this.segment);
      } catch (err) {
        // Whatever part of the group reached the file is a torn tail there: later appends go to a new file.
        this.closeFile();
        for (const entry of group) entry.reject(err as Error);
      }
    }
  }

  private nextFile(): void {
    this.closeFile();
    this.segment++;
    this.fd = openSync(segmentPath(this.dbPath, this.segment), 'a');
    this.size = 0;
  }

  private closeFile(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Nothing to do about it: every append that resolved was already written.
    }
  }
}
