import { badRequest } from '../../app-error.js';
import type { NettracePageKey } from '../../store/span-store.js';

/**
 * The longest cursor accepted. A cursor carries the last record's service (a resource value,
 * at most 1,024 characters at ingest) and record ID (at most 128): even a name made only of
 * characters JSON escapes as `\uXXXX` gives a cursor below this.
 */
export const MAX_NETTRACE_CURSOR_CHARS = 12_000;

const INT64 = /^-?\d{1,19}$/;
const INT64_MAX = 2n ** 63n - 1n;

/** The `cursor` of the net/trace lists: the page's last record as base64url JSON, opaque to clients. */
export function toNettraceCursor(key: NettracePageKey): string {
  return Buffer.from(JSON.stringify([key.ns.toString(), key.service, key.recordId])).toString('base64url');
}

/** Reads a `cursor` parameter back; anything that is not one of ours is a 400. */
export function parseNettraceCursor(raw: string): NettracePageKey {
  if (raw.length > MAX_NETTRACE_CURSOR_CHARS) throw badRequest('invalid cursor: too long', 'invalid_query');
  const invalid = () => badRequest('invalid cursor', 'invalid_query');
  if (!/^[A-Za-z0-9_-]*$/.test(raw)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'string')) throw invalid();
  const [ns, service, recordId] = value as [string, string, string];
  if (!INT64.test(ns)) throw invalid();
  const nsValue = BigInt(ns);
  if (nsValue > INT64_MAX || nsValue < -INT64_MAX - 1n) throw invalid();
  return { ns: nsValue, service, recordId };
}

/**
 * A page of `limit` from a store asked for `limit + 1`: the extra row only says that more
 * follow, and the cursor names the page's last row.
 */
export function toPage<T>(rows: readonly T[], limit: number, keyOf: (row: T) => NettracePageKey): { rows: T[]; nextCursor?: string } {
  if (rows.length <= limit) return { rows: [...rows] };
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: toNettraceCursor(keyOf(page[page.length - 1]!)) };
}
