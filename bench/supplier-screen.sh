#!/usr/bin/env bash
# supplier-screen.sh [MIRROR] — measures `assay supplier screen --batch` over
# 5,000 names of the labelled evaluation set with every list loaded, then the
# screening benchmarks (per-name p50/p99 latency, CPU per name, index open).
# Target (issue 6): ≥ 1,000 names/s and p99 ≤ 10 ms per name.
# Prints the load average and CPU time beside wall times: the build machine
# is shared, and wall time includes waiting for a CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
mirror=${1:-${ASSAY_SUPPLIER_MIRROR:-../shared/supplierdata}}
n=${ASSAY_SCREEN_BATCH_N:-5000}
CGO_ENABLED=0 go build -o bin/assay ./cmd/assay
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./bin/assay --home "$work/home" -q supplier lists update --mirror "$mirror" >/dev/null
ASSAY_SCREEN_BATCH_OUT="$work/batch.jsonl" ASSAY_SCREEN_BATCH_N=$n \
	go test -count=1 -run '^TestWriteEvalBatch$' ./supplier/screen/ >/dev/null
for run in 1 2 3; do
	echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
	/usr/bin/time -f "%e %U %S %M" -o "$work/time" \
		./bin/assay --home "$work/home" supplier screen --batch "$work/batch.jsonl" >"$work/out.jsonl"
	read -r wall user sys rss <"$work/time"
	lines=$(wc -l <"$work/out.jsonl")
	awk -v n="$lines" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v run="$run" 'BEGIN {
		printf "run %d: %d names in %.2f s wall = %.0f names/s (incl. start); CPU %.2f s = %.3f ms/name; peak RSS %d KiB\n",
			run, n, w, n / w, u + s, 1000 * (u + s) / n, r }'
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
go test -count=1 -run '^$' -bench 'Screen$|ScreenEval|ScreenParallel|ReadIndex|StartAndBatch' ./supplier/screen/ | grep -E '^Benchmark|^ok'
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
