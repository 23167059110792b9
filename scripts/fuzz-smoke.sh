#!/usr/bin/env bash
# fuzz-smoke.sh runs every Go fuzz target in the module for a short time
# (FUZZTIME, default 3s) so that CI notices a fuzz target that panics on
# its seed corpus or soon after.
set -euo pipefail
FUZZTIME=${FUZZTIME:-3s}
cd "$(dirname "$0")/.."
status=0
while IFS= read -r line; do
	file=${line%%:*}
	name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/' <<<"${line#*:}")
	pkg=$(dirname "$file")
	echo "fuzz $pkg $name ($FUZZTIME)"
	if ! go test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" "$pkg" >/tmp/fuzz-smoke.$$ 2>&1; then
		cat /tmp/fuzz-smoke.$$
		status=1
	fi
done < <(grep -rEn --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | grep -v '/testdata/' | sed -E 's/^([^:]*):[0-9]+:/\1:/')
rm -f /tmp/fuzz-smoke.$$
exit $status
