#!/usr/bin/env bash
# demo.sh BIN MIRROR — the main job: import the advisory data into the
# embedded default store and show what was imported.
set -euo pipefail
bin=$1 mirror=${2:-}
args=()
[ -n "$mirror" ] && args=(--mirror "$mirror")
"$bin" db update "${args[@]}"
"$bin" db status
