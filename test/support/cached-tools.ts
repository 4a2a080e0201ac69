import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Tools the interop tests build or install once into a cache (see scripts/cache-dir.mjs):
 * the OpenTelemetry Collector, a Python virtualenv with the OTel SDK and one with chdb. `.ci/run`
 * prepares both up front; a test run without them prepares them itself, showing progress.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function runScript(script: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'scripts', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`scripts/${script} failed (${code}); its output is above`))));
  });
}

/** Path of the OTel Collector binary built from test/interop/otelcol. */
export const collectorBinary = () => runScript('build-otelcol.mjs');

/** Path of the python of the virtualenv with test/interop/python/requirements.txt. */
export const pythonWithOtel = () => runScript('python-env.mjs');

/** Path of the python of the virtualenv with chdb (test/support/clickhouse/requirements.txt). */
export const pythonWithChdb = () => runScript('python-env.mjs', 'test/support/clickhouse/requirements.txt', 'chdb');
