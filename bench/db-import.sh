#!/usr/bin/env bash
# db-import.sh [MIRROR] — measures a full `assay db update` from the offline
# mirror into an empty home (wall time, peak RSS), then a second run with
# unchanged sources. Targets (issue 2): full ≤ 20 s and ≤ 500 MiB, second ≤ 1 s.
set -euo pipefail
cd "$(dirname "$0")/.."
mirror=${1:-${ASSAY_MIRROR:-../shared/vulndata}}
CGO_ENABLED=0 go build -o bin/assay ./cmd/assay
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
for run in full unchanged; do
	/usr/bin/time -f "$run: wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
		./bin/assay --home "$home" -q db update --mirror "$mirror" >/dev/null
done
./bin/assay --home "$home" db status --format json | python3 -c '
import json,sys; s=json.load(sys.stdin)
print("advisories", s["advisories"], "kev", s["kev"], "epss", s["epss"], "skipped", s["skipped"])'
