/** Trace and span ID helpers. IDs travel as lowercase hex everywhere in Threadline. */

const HEX = /^[0-9a-f]*$/;

export const TRACE_ID_HEX_LENGTH = 32;
export const SPAN_ID_HEX_LENGTH = 16;

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return out;
}

export function isHexId(id: string, length: number): boolean {
  return id.length === length && HEX.test(id);
}

/** An all-zero ID is invalid per W3C trace context and OTLP. */
export function isZeroId(id: string): boolean {
  return /^0*$/.test(id);
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
  if (lower.length === 0 || lower.length > length || !HEX.test(lower)) return null;
  return lower.padStart(length, '0');
}
