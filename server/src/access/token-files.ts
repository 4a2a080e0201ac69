import { readFileSync } from 'node:fs';
import { ConfigError, parseToken, type Config } from '../config.js';

export interface AccessTokens {
  /** '' = ingest open to anyone who can reach the port. */
  ingestToken: string;
  /** '' = UI and query API open. */
  uiToken: string;
}

/**
 * The tokens in force, reading `--*-token-file` (one token, surrounding whitespace ignored,
 * so `echo secret > file` works). A file that cannot be read is a config error: starting
 * without the token the operator asked for would leave the door open.
 */
export function resolveTokens(config: Config, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): AccessTokens {
  return {
    ingestToken: config.ingestTokenFile ? tokenFromFile('ingest-token-file', config.ingestTokenFile, readFile) : config.ingestToken,
    uiToken: config.uiTokenFile ? tokenFromFile('ui-token-file', config.uiTokenFile, readFile) : config.uiToken,
  };
}

function tokenFromFile(flag: string, path: string, readFile: (path: string) => string): string {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    throw new ConfigError(`--${flag}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseToken(flag, text.trim());
}
