/** The operations table: one row per operation (`/api/v1/operations/stats`) with rates and percentiles, and its sort orders. */
import type { OperationSortKey, SortDirection } from './operations-query';

export interface OperationRow {
  readonly name: string;
  readonly spanKind: string;
  readonly count: number;
  readonly errorCount: number;
  /** Spans per second over the window. */
  readonly rate: number;
  /** 0…1 */
  readonly errorRate: number;
  /** Nanoseconds; NaN when unknown. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p99Series: ReadonlyArray<number | null>;
}

/**
 * How an operation changed against the previous window of the same length ("what got
 * slower?"). NaN where either window has no value to compare.
 */
export interface OperationChange {
  readonly previousCount: number;
  /** Relative change of the request rate: 0.5 = 50% more requests. */
  readonly dRate: number;
  /** Change of the error rate in percentage points (as a 0…1 difference). */
  readonly dErrorRate: number;
  /** Latency changes, ns. */
  readonly dP50: number;
  readonly dP99: number;
}

export interface ComparedOperationRow extends OperationRow {
  readonly change: OperationChange;
}

type ChangeKey = keyof Omit<OperationChange, 'previousCount'>;
const CHANGE_KEYS: ReadonlySet<string> = new Set<ChangeKey>(['dRate', 'dErrorRate', 'dP50', 'dP99']);

/** Pairs each operation with the same (name, kind) in the previous window; one absent there compares with nothing. */
export function compareOperationRows(current: readonly OperationRow[], previous: readonly OperationRow[]): ComparedOperationRow[] {
  const before = new Map(previous.map((r) => [`${r.name}\u0000${r.spanKind}`, r]));
  return current.map((row) => {
    const prev = before.get(`${row.name}\u0000${row.spanKind}`);
    const change: OperationChange = prev
      ? {
          previousCount: prev.count,
          dRate: prev.rate > 0 ? row.rate / prev.rate - 1 : Number.NaN,
          dErrorRate: row.errorRate - prev.errorRate,
          dP50: row.p50 - prev.p50,
          dP99: row.p99 - prev.p99,
        }
      : { previousCount: 0, dRate: Number.NaN, dErrorRate: Number.NaN, dP50: Number.NaN, dP99: Number.NaN };
    return { ...row, change };
  });
}

function sortValue(row: ComparedOperationRow, key: Exclude<OperationSortKey, 'name'>): number {
  return CHANGE_KEYS.has(key) ? row.change[key as ChangeKey] : row[key as Exclude<OperationSortKey, 'name' | ChangeKey>];
}

/** Rows in the chosen order; ties (and missing values, always last) fall back to the name, then the kind. */
export function sortOperationRows(rows: readonly ComparedOperationRow[], key: OperationSortKey, dir: SortDirection): ComparedOperationRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  const byName = (a: OperationRow, b: OperationRow): number =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.spanKind < b.spanKind ? -1 : a.spanKind > b.spanKind ? 1 : 0;
  return [...rows].sort((a, b) => {
    if (key === 'name') return sign * byName(a, b);
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    const missingX = Number.isNaN(x);
    const missingY = Number.isNaN(y);
    if (missingX || missingY) return missingX === missingY ? byName(a, b) : missingX ? 1 : -1;
    return x === y ? byName(a, b) : sign * (x - y);
  });
}

/** `12.3/s`, `0.05/s`, `1.2k/s` */
export function formatRate(perSecond: number): string {
  if (perSecond === 0) return '0/s';
  if (perSecond >= 1000) return `${Number((perSecond / 1000).toFixed(1))}k/s`;
  if (perSecond >= 10) return `${Number(perSecond.toFixed(1))}/s`;
  if (perSecond >= 0.01) return `${Number(perSecond.toFixed(2))}/s`;
  return `${Number((perSecond * 60).toFixed(2))}/min`;
}

/** `0%`, `0.4%`, `12%`; a tiny non-zero share never reads as 0%. */
export function formatPercent(share: number): string {
  if (share <= 0) return '0%';
  const percent = share * 100;
  if (percent < 0.1) return '<0.1%';
  return `${Number(percent.toFixed(percent < 10 ? 1 : 0))}%`;
}

/**
 * The share of failed calls a service served: its server and consumer spans (what
 * callers reach), or all its spans when it reports none of those kinds. NaN without spans.
 */
export function inboundErrorRate(rows: readonly OperationRow[]): number {
  const inbound = rows.filter((r) => r.spanKind === 'server' || r.spanKind === 'consumer');
  const counted = inbound.length > 0 ? inbound : rows;
  const count = counted.reduce((sum, r) => sum + r.count, 0);
  return count === 0 ? Number.NaN : counted.reduce((sum, r) => sum + r.errorCount, 0) / count;
}
