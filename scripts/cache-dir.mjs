// Where the interop tests keep what they build or install once (the OTel Collector
// binary, the Python virtualenv): $THREADLINE_CACHE_DIR, else ~/.cache/threadline, so a
// fresh clone on the same machine reuses it. Entries are keyed by a hash of their sources.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function cacheDir() {
  const dir = process.env.THREADLINE_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'threadline');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A short hash of the files' contents plus `extra` (a toolchain version, say). */
export function hashFiles(files, extra = '') {
  const h = createHash('sha256').update(extra);
  for (const f of files) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

export function fail(message) {
  console.error(message);
  process.exit(1);
}
