#!/usr/bin/env bash
# inventory-100k.sh [N] [cyclonedx|spdx] — generates a CycloneDX 1.6 JSON
# SBOM of N (default 100,000) components (bench/gencdx), or an SPDX 2.3 JSON
# SBOM of N packages and 1.1 N relationships (bench/genspdx), and measures
# `assay inventory` reading it, for the table and JSON outputs: wall time,
# CPU time (user + sys) and peak RSS from /usr/bin/time -v, with the load
# average beside them (the build machine is shared). Target (issue 3):
# ≤ 2 s and ≤ 300 MiB peak RSS.
# The readers alone: go test -run '^$' -bench '100k' ./extract/sbom/
# (BenchmarkSPDX100kLibrary is the whole-document tools-golang read).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
kind=${2:-cyclonedx}
case $kind in
cyclonedx) gen=gencdx ;;
spdx) gen=genspdx ;;
*) echo "usage: $0 [N] [cyclonedx|spdx]" >&2; exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/assay" ./cmd/assay
go run "./bench/$gen" -n "$n" > "$work/big.json"
echo "SBOM: $kind, $n components, $(stat -c %s "$work/big.json") bytes"
for format in table json; do
	for run in 1 2 3; do
		load=$(cut -d' ' -f1-3 /proc/loadavg)
		/usr/bin/time -v "$work/assay" inventory --format "$format" "$work/big.json" > "$work/out" 2> "$work/time"
		awk -v f="$format" -v r="$run" -v load="$load" -F': ' '
			/Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
			/User time/ { user = $2 } /System time/ { sys = $2 } /Maximum resident/ { rss = $2 }
			END { printf "--format %-5s run %d: wall %.2f s, cpu %.2f s (user %.2f, sys %.2f), peak RSS %d MiB, load %s\n", f, r, wall, user + sys, user, sys, rss / 1024, load }
		' "$work/time"
	done
done
