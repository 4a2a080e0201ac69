/**
 * When the spans of a tag posting list start (posting-lists.ts, StartBounds): milliseconds
 * since the epoch, every span the list posts starting within [spans_from_ms, spans_to_ms].
 * Lists written before have none (NULL): a search reads them as before. Adding a column
 * only changes the schema, so this is instant on any size of database.
 */
export const sql = `
ALTER TABLE tag_posting_lists ADD COLUMN spans_from_ms INTEGER;
ALTER TABLE tag_posting_lists ADD COLUMN spans_to_ms INTEGER;
`;
