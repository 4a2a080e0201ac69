// Creates (once) a virtualenv with the Python OpenTelemetry SDK and OTLP exporters of
// test/interop/python/requirements.txt, from PyPI, and prints its python's path. The
// venv lives in a cache keyed by the requirements, so reruns take no time.
// `node scripts/python-env.mjs REQUIREMENTS NAME` does the same for another requirements
// file (the chdb-backed ClickHouse test server: test/support/clickhouse/requirements.txt).
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { cacheDir, fail, hashFiles, repoRoot } from './cache-dir.mjs';

const requirements = path.resolve(repoRoot, process.argv[2] ?? 'test/interop/python/requirements.txt');
const name = process.argv[3] ?? 'otel';
const python = process.env.THREADLINE_PYTHON ?? 'python3';
const version = spawnSync(python, ['-c', 'import sys; print(sys.version)'], { encoding: 'utf8' });
if (version.status !== 0) fail(`python-env: \`${python}\` does not run; install Python 3.9+ (or set THREADLINE_PYTHON)`);

const venv = path.join(cacheDir(), `python-${name}-${hashFiles([requirements], version.stdout)}`);
const venvPython = path.join(venv, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
if (!existsSync(venvPython)) {
  const tmp = `${venv}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  console.error(`python-env: creating ${venv} (pip install -r ${path.relative(repoRoot, requirements)})`);
  const steps = [
    [python, ['-m', 'venv', tmp]],
    [path.join(tmp, 'bin/python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements]],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      fail(`python-env: ${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
    }
  }
  renameSync(tmp, venv);
}
console.log(venvPython);
