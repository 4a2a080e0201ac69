import { sql as initial } from './001-initial.js';
import { sql as nettrace } from './002-nettrace.js';
import { sql as latencySketches } from './003-latency-sketches.js';
import { sql as spanChunks } from './004-span-chunks.js';
import { sql as durationBuckets } from './005-duration-buckets.js';
import { sql as profiles } from './006-profiles.js';
import { convert as toPostingLists, sql as postingLists } from './007-posting-lists.js';
import { sql as brotliBlocks } from './008-brotli-blocks.js';
import { convert as toDurationLists, sql as durationLists } from './009-duration-lists.js';
import { sql as postingListTimes } from './010-posting-list-times.js';
import type Database from 'better-sqlite3';

export interface Migration {
  /** The `user_version` the database has once this migration is applied. */
  version: number;
  name: string;
  sql: string;
  /** Moves data into what `sql` made, in the same transaction; calls `progress` with rows done now and then. */
  convert?: (db: Database.Database, progress: (rowsDone: number) => void) => void;
}

/**
 * Migrations are TypeScript modules exporting SQL rather than .sql files: tsc does not
 * copy .sql into dist/, and a module import resolves the same from src/ (vitest, tsx)
 * and dist/ (node), with no path arithmetic or packaging step to forget.
 * Append only; never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'nettrace', sql: nettrace },
  { version: 3, name: 'latency-sketches', sql: latencySketches },
  { version: 4, name: 'span-chunks', sql: spanChunks },
  { version: 5, name: 'duration-buckets', sql: durationBuckets },
  { version: 6, name: 'profiles', sql: profiles },
  { version: 7, name: 'posting-lists', sql: postingLists, convert: toPostingLists },
  { version: 8, name: 'brotli-blocks', sql: brotliBlocks },
  { version: 9, name: 'duration-lists', sql: durationLists, convert: toDurationLists },
  { version: 10, name: 'posting-list-times', sql: postingListTimes },
];
