#!/usr/bin/env bash
# demo.sh BIN MIRROR — the main job, on the embedded default store: import
# the advisory data, show what was imported, then scan this repository's
# own module list against it.
set -euo pipefail
bin=$1 mirror=${2:-}
args=()
[ -n "$mirror" ] && args=(--mirror "$mirror")
"$bin" db update "${args[@]}"
"$bin" db status
echo
"$bin" scan go.mod
