#!/usr/bin/env bash
# Runs the bridge's overhead benchmarks ROUNDS times, interleaved (one -count=1 run of
# every variant per round, so a noisy neighbour hits all variants alike), and prints the
# median of each metric per variant. Usage: ./bench-overhead.sh [ROUNDS=7]
set -euo pipefail
cd "$(dirname "$0")"
rounds=${1:-7}
out=$(mktemp)
for i in $(seq 1 "$rounds"); do
  echo "round $i/$rounds" >&2
  go test -run '^$' -bench . -benchtime 20000x -count 1 . | grep '^Benchmark' >>"$out"
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
    print(f"{name:58} {unit:10} median {statistics.median(v):>12.1f}  (min {min(v):.1f}, max {max(v):.1f}, n={len(v)})")
PY
rm -f "$out"
