import { isValidSpanId } from '@threadline/shared';
import { badRequest } from '../../app-error.js';
import { quoteInput } from '../param-parsing.js';

/** A span ID path parameter: 16 hex digits, any case, answered as lowercase. */
export function parseSpanIdParam(raw: string): string {
  const id = raw.toLowerCase();
  if (!isValidSpanId(id)) throw badRequest(`span ID ${quoteInput(raw)} is not 16 hex digits`);
  return id;
}
