// Builds Jaeger v2 at the approved release (v1.75.0) from the Go module proxy, for the
// storage benchmark's peer (`npm run bench -- --peer jaeger`), and prints the binary's
// path. Nothing of Jaeger is kept in this repository: a scratch module in the cache
// (see cache-dir.mjs) pulls it with `go get -tool`, and the binary is cached there too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { cacheDir, fail } from './cache-dir.mjs';

const VERSION = 'v1.75.0';
const MODULE = 'github.com/jaegertracing/jaeger';
const bin = path.join(cacheDir(), `jaeger-${VERSION}${process.platform === 'win32' ? '.exe' : ''}`);
if (!existsSync(bin)) {
  const scratch = path.join(cacheDir(), `jaeger-${VERSION}-module`);
  mkdirSync(scratch, { recursive: true });
  const go = (...args) => {
    const r = spawnSync('go', args, { cwd: scratch, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) fail(`build-jaeger: go ${args.join(' ')} failed (${r.status ?? r.signal})`);
  };
  console.error(`build-jaeger: building Jaeger ${VERSION} into ${bin} (first time: several minutes)`);
  if (!existsSync(path.join(scratch, 'go.mod'))) go('mod', 'init', 'threadline.local/jaeger-peer');
  go('get', '-tool', `${MODULE}/cmd/jaeger@${VERSION}`);
  const tmp = `${bin}.tmp-${process.pid}`;
  go('build', '-trimpath', '-o', tmp, `${MODULE}/cmd/jaeger`);
  renameSync(tmp, bin);
}
console.log(bin);
