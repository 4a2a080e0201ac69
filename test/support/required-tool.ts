import { it } from 'vitest';

export interface RequiredTool {
  tool: string;
  available: boolean;
  /** Set to 1 (by .ci/run) to make a missing tool a failure instead of a skip. */
  requireEnv: string;
  install: string;
}

/**
 * Whether the tests of a file that need an outside tool (Go, Python) can run. Without it
 * they are skipped with a notice, unless `requireEnv`=1, where a failing test says what
 * to install: CI never counts a skipped interop test as passing.
 */
export function toolTestsEnabled(t: RequiredTool, what: string): boolean {
  if (t.available) return true;
  if (process.env[t.requireEnv] === '1') {
    it(`needs \`${t.tool}\` on PATH for the ${what}`, () => {
      throw new Error(`${t.requireEnv}=1 but \`${t.tool}\` is not on PATH: ${t.install} to run the ${what}`);
    });
  } else {
    console.warn(`\`${t.tool}\` is not on PATH: skipping the ${what} (${t.requireEnv}=1 makes this a failure)`);
  }
  return false;
}
