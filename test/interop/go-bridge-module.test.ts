import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { goTestsEnabled, run } from '../support/go-demo.js';

/**
 * clients/go/README.md tells how to use the net/trace bridge from another module (its
 * module path is not fetchable). This follows those steps, taken from the README itself,
 * in a fresh module outside the repository, and builds a program that uses the bridge.
 */

const hasGo = goTestsEnabled('Go bridge-from-another-module test');
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BRIDGE = path.join(repoRoot, 'clients/go');

/** The arguments of the README's `go mod edit …` command, continuation lines joined. */
function readmeGoModEdit(): string[] {
  const readme = readFileSync(path.join(BRIDGE, 'README.md'), 'utf8').replace(/\\\n\s*/g, '');
  const line = readme.split('\n').find((l) => l.startsWith('go mod edit '));
  if (!line) throw new Error('clients/go/README.md has no `go mod edit` line');
  return line.trim().split(/\s+/).slice(3);
}

const MAIN = `package main

import (
	"context"
	"fmt"

	trace "github.com/threadline-tracing/threadline/clients/go/nettrace"
)

func main() {
	tr := trace.New("demo.Family", "title")
	tr.LazyPrintf("hello %d", 1)
	tr.Finish()
	fmt.Println("ok", trace.Shutdown(context.Background()) == nil)
}
`;

describe.skipIf(!hasGo)('clients/go from another module, as its README says', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-bridge-user-'));

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds and runs a program that imports the bridge', async () => {
    const step = async (args: string[]) => {
      const r = await run('go', args, { cwd: dir, timeoutMs: 120_000 });
      expect(r.code, `go ${args.join(' ')}\n${r.output}`).toBe(0);
      return r;
    };
    await step(['mod', 'init', 'example.com/your-service']);
    writeFileSync(path.join(dir, 'main.go'), MAIN);
    // The README's replace points at $HOME/src/threadline; here it is this checkout.
    await step(['mod', 'edit', ...readmeGoModEdit().map((a) => a.replace(/=\$HOME\/src\/threadline\/clients\/go$/, `=${BRIDGE}`))]);
    await step(['mod', 'tidy']);
    expect(readFileSync(path.join(dir, 'go.mod'), 'utf8')).toContain(`github.com/threadline-tracing/threadline/clients/go => ${BRIDGE}`);
    const out = await step(['run', '.']);
    expect(out.stdout).toBe('ok true\n');
  });
});
