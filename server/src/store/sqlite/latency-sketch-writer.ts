import type Database from 'better-sqlite3';
import { LatencySketch, SketchValueError } from '../../sketch/latency-sketch.js';
import { encodeSketch, mergeEncodedSketch, parseSketch } from '../../sketch/sketch-codec.js';
import { MINUTES_PER_HOUR, minuteOf } from '../../sketch/time-slices.js';
import type { SpanRow } from './span-row.js';

/** What a sketch counts of a span. */
export type SketchedSpan = Pick<SpanRow, 'service' | 'name' | 'kind' | 'startNs' | 'durationNs' | 'isError'>;

/** The two sketch tables: per minute and per hour of span start. Names are constants, never input. */
export const SKETCH_TABLES = [
  { table: 'latency_sketches', unit: 'minute', minutes: 1 },
  { table: 'latency_sketches_hourly', unit: 'hour', minutes: MINUTES_PER_HOUR },
] as const;

type SketchTable = (typeof SKETCH_TABLES)[number];

interface Delta {
  service: string;
  name: string;
  kind: number;
  /** Minute or hour, per the table. */
  at: number;
  all: LatencySketch;
  errors: LatencySketch;
}

interface StoredSketch {
  sketch: Buffer;
  error_sketch: Buffer | null;
}

const INT64_MAX = 2n ** 63n - 1n;

/** Reads and writes the rows of one sketch table. */
class SketchRows {
  private readonly select;
  private readonly upsert;
  private readonly delete;

  constructor(
    db: Database.Database,
    readonly spec: SketchTable,
  ) {
    const { table, unit } = spec;
    this.select = db.prepare<[string, string, number, number], StoredSketch>(
      `SELECT sketch, error_sketch FROM ${table} WHERE service = ? AND name = ? AND kind = ? AND ${unit} = ?`,
    );
    this.upsert = db.prepare(
      `INSERT INTO ${table} (service, name, kind, ${unit}, count, error_count, sum_ns, sketch, error_sketch)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (service, name, kind, ${unit}) DO UPDATE SET
         count = excluded.count, error_count = excluded.error_count, sum_ns = excluded.sum_ns,
         sketch = excluded.sketch, error_sketch = excluded.error_sketch`,
    );
    this.delete = db.prepare(`DELETE FROM ${table} WHERE service = ? AND name = ? AND kind = ? AND ${unit} = ?`);
  }

  /** Merges the delta with its stored row (the delta's sketches take the sum) and saves it. */
  add(delta: Delta): void {
    const stored = this.select.get(delta.service, delta.name, delta.kind, delta.at);
    if (stored) {
      mergeEncodedSketch(delta.all, stored.sketch);
      if (stored.error_sketch) mergeEncodedSketch(delta.errors, stored.error_sketch);
    }
    this.save(delta);
  }

  remove(row: SketchedSpan): void {
    const at = Math.floor(minuteOf(row.startNs) / this.spec.minutes);
    const stored = this.select.get(row.service, row.name, row.kind, at);
    // Retention may have dropped the row already; there is nothing to take back then.
    if (!stored) return;
    const all = parseSketch(stored.sketch);
    const errors = stored.error_sketch ? parseSketch(stored.error_sketch) : new LatencySketch();
    try {
      all.remove(row.durationNs);
      if (row.isError) errors.remove(row.durationNs);
    } catch (err) {
      // Not counted here (a sketch written before the span, or by another version): keep the row as is.
      if (err instanceof SketchValueError) return;
      throw err;
    }
    if (all.isEmpty) this.delete.run(row.service, row.name, row.kind, at);
    else this.save({ service: row.service, name: row.name, kind: row.kind, at, all, errors });
  }

  private save(d: Delta): void {
    this.upsert.run(
      d.service,
      d.name,
      d.kind,
      d.at,
      d.all.count,
      d.errors.count,
      d.all.sumNs > INT64_MAX ? INT64_MAX : d.all.sumNs,
      encodeSketch(d.all),
      d.errors.isEmpty ? null : encodeSketch(d.errors),
    );
  }
}

/**
 * Keeps the sketch tables in step with `spans`, inside the caller's write transaction, so
 * a committed batch always has its sketch contribution. A batch is first aggregated in
 * memory, one sketch per (service, operation, kind, minute) and then per hour, so each
 * row is read and written once per batch however many of its spans the batch holds.
 */
export class LatencySketchWriter {
  private readonly minutes;
  private readonly hours;

  constructor(db: Database.Database) {
    this.minutes = new SketchRows(db, SKETCH_TABLES[0]);
    this.hours = new SketchRows(db, SKETCH_TABLES[1]);
  }

  /** `deltas` of spans this transaction inserted: a duplicate the writer skipped must not be there. Takes them. */
  add(deltas: MinuteDeltas): void {
    const minuteDeltas = deltas.take();
    // Built before the minute rows are merged into the deltas, which would count them again.
    const hourDeltas = buildHourDeltas(minuteDeltas);
    for (const delta of minuteDeltas) this.minutes.add(delta);
    for (const delta of hourDeltas) this.hours.add(delta);
  }

  /** Takes a deleted span back out of its minute and hour (a span replaced by a newer snapshot). */
  remove(row: SketchedSpan): void {
    this.minutes.remove(row);
    this.hours.remove(row);
  }
}

/**
 * A pass's spans summed up per (operation, minute) as the writer inserts them, a sketch of
 * all and one of errors each: nothing is kept per span (a pass's span objects lived until
 * its end, and garbage that lives that long is the collector's most costly kind).
 */
export class MinuteDeltas {
  private readonly byOperation = new Map<number, Map<number, Delta>>();

  /** A span of operation `opId` (any number that names one operation, e.g. its op_id). */
  add(opId: number, op: { service: string; name: string; kind: number }, startNs: bigint, durationNs: bigint, isError: boolean): void {
    let minutes = this.byOperation.get(opId);
    if (!minutes) this.byOperation.set(opId, (minutes = new Map()));
    const at = minuteOf(startNs);
    let delta = minutes.get(at);
    if (!delta) minutes.set(at, (delta = { service: op.service, name: op.name, kind: op.kind, at, all: new LatencySketch(), errors: new LatencySketch() }));
    delta.all.add(durationNs);
    if (isError) delta.errors.add(durationNs);
  }

  /** The deltas gathered, and forgets them. */
  take(): Delta[] {
    const out: Delta[] = [];
    for (const minutes of this.byOperation.values()) for (const delta of minutes.values()) out.push(delta);
    this.byOperation.clear();
    return out;
  }
}

function buildHourDeltas(minuteDeltas: readonly Delta[]): Delta[] {
  const deltas = new Map<string, Delta>();
  for (const m of minuteDeltas) {
    const at = Math.floor(m.at / MINUTES_PER_HOUR);
    const key = `${m.kind}:${at}:${m.service}\u0000${m.name}`;
    let delta = deltas.get(key);
    if (!delta) {
      delta = { service: m.service, name: m.name, kind: m.kind, at, all: new LatencySketch(), errors: new LatencySketch() };
      deltas.set(key, delta);
    }
    delta.all.merge(m.all);
    delta.errors.merge(m.errors);
  }
  return [...deltas.values()];
}
