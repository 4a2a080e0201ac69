// Runs `go vet` and `go test` for every Go module in the repo. Without Go on PATH the
// Go tests are skipped with a notice, unless THREADLINE_REQUIRE_GO=1 (set by .ci/run).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const modules = ['clients/go', 'clients/go/profiling', 'examples/go-demo', 'test/interop/go-clients'].filter((m) => existsSync(`${m}/go.mod`));
const hasGo = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasGo) {
  if (process.env.THREADLINE_REQUIRE_GO === '1') {
    console.error('go-test: Go is required (THREADLINE_REQUIRE_GO=1) but `go` is not on PATH');
    process.exit(1);
  }
  console.warn('go-test: `go` not found on PATH; skipping the Go module tests');
  process.exit(0);
}
for (const mod of modules) {
  for (const args of [['vet', './...'], ['test', '-count=1', './...']]) {
    console.log(`go-test: (cd ${mod} && go ${args.join(' ')})`);
    const r = spawnSync('go', args, { cwd: mod, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
