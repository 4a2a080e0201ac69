/**
 * Span blocks written from this version on are brotli (chunk-compression.ts), told apart
 * from the older deflate blocks by their first byte, so nothing is rewritten. The version
 * step is there for older builds: they refuse the file with a clear message instead of
 * failing to read its newer blocks.
 */
export const sql = '';
