/** Trace and span ID helpers. IDs travel as lowercase hex everywhere in Threadline. */

export const TRACE_ID_HEX_LENGTH = 32;
export const SPAN_ID_HEX_LENGTH = 16;

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return out;
}

/** A character loop, not a regular expression: ingest checks three IDs a span, and this was 2% of its CPU. */
export function isHexId(id: string, length: number): boolean {
  if (id.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** An all-zero ID is invalid per W3C trace context and OTLP. */
export function isZeroId(id: string): boolean {
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) !== 48) return false;
  return true;
}

export function isValidTraceId(id: string): boolean {
  return isHexId(id, TRACE_ID_HEX_LENGTH) && !isZeroId(id);
}

export function isValidSpanId(id: string): boolean {
  return isHexId(id, SPAN_ID_HEX_LENGTH) && !isZeroId(id);
}

/**
 * Normalizes a user-typed or foreign ID (Zipkin's 64-bit trace IDs, uppercase,
 * missing leading zeros) to lowercase hex left-padded to `length`. Returns null
 * when it is not hex or too long.
 */
export function normalizeHexId(id: string, length: number): string | null {
  const lower = id.trim().toLowerCase();
  if (lower.length === 0 || lower.length > length || !isHexId(lower, lower.length)) return null;
  return lower.padStart(length, '0');
}
