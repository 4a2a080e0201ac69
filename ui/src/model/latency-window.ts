/**
 * The time window of the latency and net/trace pages, in the URL as
 * `window=1h` (relative to now) or `window=custom&start=NS&end=NS`.
 * Relative windows are resolved against the clock only when data is loaded.
 */
import { LOOKBACKS, LOOKBACK_MS, type Lookback } from './search-query';
import { isDecimalNanos, millisToNanos } from './nanos';

export type WindowChoice = Lookback;

export const WINDOW_CHOICES: readonly WindowChoice[] = [...LOOKBACKS, 'custom'];

export const WINDOW_LABELS: Record<WindowChoice, string> = {
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '24h': 'Last 24 hours',
  '2d': 'Last 2 days',
  custom: 'Custom range…',
};

export interface TimeWindow {
  window: WindowChoice;
  /** Unix ns as decimal strings; set only for `custom`. */
  start: string;
  end: string;
}

export const DEFAULT_WINDOW: Readonly<TimeWindow> = { window: '1h', start: '', end: '' };

/** A window as the API takes it: Unix ns, both ends included. */
export interface ResolvedWindow {
  readonly startNs: string;
  readonly endNs: string;
}

function isRelative(value: string): value is Exclude<WindowChoice, 'custom'> {
  return (LOOKBACKS as readonly string[]).includes(value);
}

/** Anything unusable (unknown choice, a custom range without valid or ordered bounds) falls back to the last hour. */
export function parseWindowParams(params: URLSearchParams): TimeWindow {
  const choice = params.get('window') ?? '';
  const start = params.get('start') ?? '';
  const end = params.get('end') ?? '';
  if (choice === 'custom' && isDecimalNanos(start) && isDecimalNanos(end) && BigInt(start) < BigInt(end)) {
    return { window: 'custom', start, end };
  }
  return { ...DEFAULT_WINDOW, window: isRelative(choice) ? choice : DEFAULT_WINDOW.window };
}

export function writeWindowParams(window: TimeWindow, params: URLSearchParams): void {
  params.set('window', window.window);
  if (window.window === 'custom') {
    params.set('start', window.start);
    params.set('end', window.end);
  }
}

export function resolveWindow(window: TimeWindow, nowMs: number): ResolvedWindow {
  if (window.window === 'custom') return { startNs: window.start, endNs: window.end };
  return { startNs: millisToNanos(nowMs - LOOKBACK_MS[window.window]), endNs: millisToNanos(nowMs) };
}

/** Only the window's own fields, e.g. to carry it from one page's query to another's. */
export function pickWindow(window: TimeWindow): TimeWindow {
  return { window: window.window, start: window.start, end: window.end };
}

/** For sentences: "the last hour", "the chosen range". */
export function windowLabel(window: TimeWindow): string {
  return window.window === 'custom' ? 'the chosen range' : `the ${WINDOW_LABELS[window.window].toLowerCase()}`;
}

/** The window of the same length just before `window` ("what changed?"); both ends included, so no instant is in both. */
export function previousWindow(window: ResolvedWindow): ResolvedWindow {
  const start = BigInt(window.startNs);
  const length = BigInt(window.endNs) - start + 1n;
  return { startNs: (start - length).toString(), endNs: (start - 1n).toString() };
}
