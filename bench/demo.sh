#!/usr/bin/env bash
# demo.sh [MIRROR] — measures the main job (scripts/demo.sh) three ways:
# cold (no build/ at all: Debian packages downloaded, firmware image and
# advisory database built), fresh home (DEMO_FRESH=1: database, lists and
# calendars imported again, firmware image cached) and warm (the usual
# rerun). Prints wall and CPU time per run and the load average around it.
set -euo pipefail
cd "$(dirname "$0")/.."
mirror=${1:-${ASSAY_MIRROR:-../shared/vulndata}}
GOTOOLCHAIN=local CGO_ENABLED=0 go build -o bin/assay ./cmd/assay
rm -rf build/demo build/firmware
for run in cold fresh-home warm; do
	[ "$run" = fresh-home ] && export DEMO_FRESH=1 || unset DEMO_FRESH
	echo "$run: load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	/usr/bin/time -f "$run: wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
		./scripts/demo.sh bin/assay "$mirror" >/dev/null
done
