/**
 * The fleet-wide `/debug/requests` and `/debug/events` tables: request families with
 * x/net/trace's latency buckets (each counts the requests that took at least its
 * threshold, so counts shrink left to right), and event-log families with error counts
 * over x/net/trace's periods.
 */
import { ERROR_PERIODS, type ErrorPeriod } from './nettrace-query';

/** x/net/trace's bucket thresholds: ≥0, ≥50ms, ≥100ms, ≥200ms, ≥500ms, ≥1s, ≥10s, ≥100s. */
export const REQUEST_THRESHOLDS_NS: readonly number[] = [0, 50e6, 100e6, 200e6, 500e6, 1e9, 10e9, 100e9];

export interface RequestFamilyCounts {
  readonly family: string;
  readonly active: number;
  readonly buckets: ReadonlyArray<{ readonly minNano: number; readonly count: number }>;
  readonly errors: number;
}

export interface EventLogFamilyCounts {
  readonly family: string;
  readonly total: number;
  readonly errors: Readonly<Record<ErrorPeriod, number>>;
}

export interface ThresholdColumn {
  readonly minNano: number;
  /** `≥0`, `≥50ms`, `≥1s`, `≥100s` */
  readonly label: string;
}

export interface RequestFamilyRow {
  readonly family: string;
  readonly active: number;
  /** One per column; 0 where the server sent no such bucket. */
  readonly counts: readonly number[];
  readonly errors: number;
}

export interface RequestFamilyTable {
  readonly columns: readonly ThresholdColumn[];
  readonly rows: readonly RequestFamilyRow[];
}

const UNITS: ReadonlyArray<readonly [number, string]> = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
];

/** A threshold as `/debug/requests` heads its columns: whole seconds stay seconds (`≥100s`, not `≥1m 40s`). */
export function formatThreshold(ns: number): string {
  if (ns === 0) return '≥0';
  for (const [unit, suffix] of UNITS) if (ns >= unit && ns % unit === 0) return `≥${ns / unit}${suffix}`;
  for (const [unit, suffix] of UNITS) if (ns >= unit) return `≥${Number((ns / unit).toFixed(3))}${suffix}`;
  return `≥${ns}ns`;
}

const byFamily = <T extends { family: string }>(a: T, b: T): number => (a.family < b.family ? -1 : a.family > b.family ? 1 : 0);

/** Columns are x/net/trace's thresholds plus any other the server sends; rows by family name. */
export function buildRequestFamilyTable(families: readonly RequestFamilyCounts[]): RequestFamilyTable {
  const thresholds = new Set(REQUEST_THRESHOLDS_NS);
  for (const f of families) for (const b of f.buckets) thresholds.add(b.minNano);
  const columns = [...thresholds].sort((a, b) => a - b).map((minNano) => ({ minNano, label: formatThreshold(minNano) }));
  const rows = [...families].sort(byFamily).map((f) => {
    const byMin = new Map(f.buckets.map((b) => [b.minNano, b.count]));
    return { family: f.family, active: f.active, counts: columns.map((c) => byMin.get(c.minNano) ?? 0), errors: f.errors };
  });
  return { columns, rows };
}

export function sortEventLogFamilies(families: readonly EventLogFamilyCounts[]): EventLogFamilyCounts[] {
  return [...families].sort(byFamily);
}

export const EVENT_ERROR_COLUMNS: ReadonlyArray<{ readonly period: ErrorPeriod; readonly label: string }> = ERROR_PERIODS.map((period) => ({
  period,
  label: `errors ${period}`,
}));
