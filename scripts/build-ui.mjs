// Builds the UI with Vite unless its inputs are unchanged since the last build, so that
// `npm start` (and `npm run build`) rebuild only what changed: `tsc -b` is incremental for
// shared/ and server/, and this skips Vite when ui/dist was built from the same sources.
// The inputs' hash is kept in ui/dist/.inputs-sha256; `--force` always builds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './cache-dir.mjs';

const INPUTS = ['ui/src', 'ui/index.html', 'ui/vite.config.ts', 'ui/package.json', 'ui/tsconfig.json', 'shared/src', 'package-lock.json'];
const stamp = path.join(repoRoot, 'ui/dist/.inputs-sha256');

function files(rel) {
  const abs = path.join(repoRoot, rel);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(repoRoot, path.join(d.parentPath, d.name)));
}

/** Names and contents of every input, in a stable order. */
function inputsHash() {
  const h = createHash('sha256');
  for (const f of INPUTS.flatMap(files).sort()) h.update(`${f}\0`).update(readFileSync(path.join(repoRoot, f))).update('\0');
  return h.digest('hex');
}

const hash = inputsHash();
const upToDate = !process.argv.includes('--force') && existsSync(path.join(repoRoot, 'ui/dist/index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash;
if (upToDate) {
  console.log('build-ui: ui/dist is up to date with its sources; skipping Vite');
} else {
  const r = spawnSync('npm', ['run', 'build', '-w', 'ui'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  writeFileSync(stamp, hash);
}
