// Builds the OpenTelemetry Collector of test/interop/otelcol (OTLP receiver, OTLP gRPC and
// HTTP exporters, all collector modules at one release, from the Go module proxy) and
// prints the binary's path. The binary is cached by a hash of the module's sources and
// the Go version: the first build takes a minute or two, reruns none.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { cacheDir, fail, hashFiles, repoRoot } from './cache-dir.mjs';

const moduleDir = path.join(repoRoot, 'test/interop/otelcol');
const goVersion = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
if (goVersion.status !== 0) fail('build-otelcol: `go` is not on PATH; install Go 1.26+');

const sources = ['go.mod', 'go.sum', 'main.go'].map((f) => path.join(moduleDir, f));
const bin = path.join(cacheDir(), `otelcol-${hashFiles(sources, goVersion.stdout)}${process.platform === 'win32' ? '.exe' : ''}`);
if (!existsSync(bin)) {
  console.error(`build-otelcol: building the OpenTelemetry Collector into ${bin} (first time: a minute or two)`);
  const tmp = `${bin}.tmp-${process.pid}`;
  const r = spawnSync('go', ['build', '-trimpath', '-o', tmp, '.'], { cwd: moduleDir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) fail(`build-otelcol: go build failed (${r.status ?? r.signal})`);
  renameSync(tmp, bin);
}
console.log(bin);
