#!/usr/bin/env bash
# The bridge's overhead: examples/go-demo's BenchmarkReserveOverhead (the demo's handler,
# requests/s and p99, bridge off / labels+cpu / +flight recorder) and this module's
# BenchmarkSpanStartEnd, in ROUNDS interleaved rounds (one run of every variant per round,
# so a noisy neighbour hits all alike), then the median of each metric per variant.
# Usage: clients/go/profiling/bench-overhead.sh [ROUNDS=5]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=${1:-5}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for i in $(seq 1 "$rounds"); do
  echo "round $i/$rounds" >&2
  (cd "$here/../../../examples/go-demo" && go test -run '^$' -bench ReserveOverhead -benchtime 3s ./cmd/inventory) | grep '^Benchmark' >>"$out"
  (cd "$here" && go test -run '^$' -bench SpanStartEnd -benchtime 200000x .) | grep '^Benchmark' >>"$out"
done
python3 - "$out" <<'PY'
import re, statistics, sys
values = {}
for line in open(sys.argv[1]):
    fields = line.split()
    name = re.sub(r"-\d+$", "", fields[0])
    for value, unit in zip(fields[2::2], fields[3::2]):
        values.setdefault((name, unit), []).append(float(value))
for (name, unit), v in sorted(values.items()):
    print(f"{name:62} {unit:10} median {statistics.median(v):>12.1f}  (min {min(v):.1f}, max {max(v):.1f}, n={len(v)})")
PY
