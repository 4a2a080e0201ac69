import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../support/go-demo.js';

/** The root package is the installable `threadline`; these keep the checkout and the package in step. */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const manifest = (rel: string) => JSON.parse(readFileSync(path.join(repoRoot, rel), 'utf8')) as { version: string; bin?: Record<string, string>; dependencies?: Record<string, string> };

describe('the checkout as a package', () => {
  it('npx threadline runs the built CLI in a checkout', async () => {
    expect(manifest('package.json').bin).toEqual({ threadline: 'server/dist/main.js' });
    const { code, stdout, output } = await run('npx', ['--no', '--', 'threadline', '--version'], { cwd: repoRoot, timeoutMs: 60_000 });
    expect(code, output).toBe(0);
    expect(stdout).toBe(`threadline ${manifest('package.json').version}\n`);
  });

  it('declares every runtime dependency of the server, at the same range (the tarball installs only these)', () => {
    const root = manifest('package.json').dependencies ?? {};
    for (const [name, range] of Object.entries(manifest('server/package.json').dependencies ?? {})) expect(root[name], name).toBe(range);
  });

  it('npm start skips the UI build when its sources did not change since the last one', async () => {
    // npm test built everything first, so this run must find ui/dist up to date.
    const { code, stdout, output } = await run(process.execPath, ['scripts/build-ui.mjs'], { cwd: repoRoot, timeoutMs: 60_000 });
    expect(code, output).toBe(0);
    expect(stdout).toContain('ui/dist is up to date');
  });
});
