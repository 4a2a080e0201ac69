/** Absolute times in the viewer's local zone. */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2024-04-05 14:21:18.901` in local time. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A wall-clock tick label: as precise as the tick step needs. */
export function formatClock(ms: number, stepMs: number): string {
  const d = new Date(ms);
  if (stepMs >= 86_400_000) return `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (stepMs >= 60_000) return hm;
  if (stepMs >= 1_000) return `${hm}:${pad(d.getSeconds())}`;
  return `${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** "3 min ago"-style distance from `nowMs`, for search results. */
export function formatAgo(ms: number, nowMs: number): string {
  const seconds = Math.round((nowMs - ms) / 1000);
  if (seconds < 60) return seconds <= 1 ? 'just now' : `${seconds}s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** `<input type="datetime-local">` value for Unix ms, in local time. */
export function toDatetimeLocal(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Unix ms from a datetime-local value (local time); NaN when empty or invalid. */
export function fromDatetimeLocal(value: string): number {
  return value ? new Date(value).getTime() : Number.NaN;
}
