import { readFileSync } from 'node:fs';

/**
 * The version of the threadline package, from its package.json (two levels up from both
 * server/src and server/dist, in a checkout and in the installed package alike).
 */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('package.json has no version');
  return manifest.version;
}
