#!/usr/bin/env bash
# fuzz-smoke.sh runs every Go fuzz target in the module for a short time
# (FUZZTIME, default 3s) so that CI notices a fuzz target that panics on
# its seed corpus or soon after.
#
# A crash or failure the fuzzer finds is always reported with the input it
# wrote under testdata/fuzz. Go's fuzzing coordinator can also stop a run
# with "context deadline exceeded" when one slow input straddles the end of
# a very short -fuzztime, without any failing input; such a run is retried
# (with two and then four times the time) before it counts as a failure.
#
# Minimisation is capped at 20 executions per input: by default Go spends
# up to a minute minimising every input that adds coverage, which in a
# 3-second run means almost no fuzzing at all (a few executions instead of
# thousands for the archive readers). A crasher is still written, only
# less minimised.
set -euo pipefail
FUZZTIME=${FUZZTIME:-3s}
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
fuzz() { go test -run='^$' -fuzz="^$2\$" -fuzztime="$3" -fuzzminimizetime=20x "$1" >"$log" 2>&1; }
while IFS= read -r line; do
	file=${line%%:*}
	name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/' <<<"${line#*:}")
	pkg=$(dirname "$file")
	echo "fuzz $pkg $name ($FUZZTIME)"
	if fuzz "$pkg" "$name" "$FUZZTIME"; then
		continue
	fi
	retried=0
	for extra in 2 4; do
		if grep -q "Failing input written to" "$log" || ! grep -q "context deadline exceeded" "$log"; then
			break
		fi
		echo "  coordinator deadline without a failing input; retrying with ${extra}x the time"
		if fuzz "$pkg" "$name" "$((${FUZZTIME%s} * extra))s"; then
			retried=1
			break
		fi
	done
	[ "$retried" = 1 ] && continue
	cat "$log"
	status=1
done < <(grep -rEn --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | grep -v '/testdata/' | sed -E 's/^([^:]*):[0-9]+:/\1:/')
exit $status
