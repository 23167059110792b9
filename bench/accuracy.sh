#!/usr/bin/env bash
# accuracy.sh - runs `assay scan`, osv-scanner (offline) and govulncheck on
# the same inputs with the same advisory data, and writes a side-by-side
# comparison (alias-normalized vulnerability sets per input, differences,
# wall times and ratios) to OUTDIR/comparison.md and OUTDIR/comparison.json.
#
#   usage: bench/accuracy.sh INPUTS OUTDIR
#
# INPUTS is laid out by bench/accuracy-inputs.sh. Environment:
#   VULNDATA     the offline mirror (default ../shared/vulndata)
#   ASSAY        assay binary (default: built into OUTDIR/assay)
#   ASSAY_HOME   data directory holding an imported database (default
#                OUTDIR/home, imported from VULNDATA when empty)
#   OSV_SCANNER  osv-scanner v2.5.0 binary (default: on PATH)
#   GOVULNCHECK  govulncheck v1.9.0 binary (default: on PATH)
#   RUNS, WARMUP hyperfine runs and warm-up runs per command (default 3, 1)
#
# osv-scanner v2.5.0 reads VULNDATA/osv/<Ecosystem>/all.zip through its
# offline cache layout, which osv-scalibr defines as
# $OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY/osv-scalibr/<Ecosystem>/all.zip
# (OUTDIR/osvdb, symlinks; older releases used osv-scanner/ and
# OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY);
# govulncheck reads the unzipped VULNDATA/govulndb/vuln.go.dev-v1.zip with
# -db file://. Needs hyperfine and python3.
set -euo pipefail
IN=$(realpath "${1:?usage: accuracy.sh INPUTS OUTDIR}")
OUT=$(realpath -m "${2:?usage: accuracy.sh INPUTS OUTDIR}")
[ -n "${ASSAY:-}" ] && ASSAY=$(realpath "$ASSAY")
[ -n "${ASSAY_HOME:-}" ] && ASSAY_HOME=$(realpath -m "$ASSAY_HOME")
[ -n "${VULNDATA:-}" ] && VULNDATA=$(realpath "$VULNDATA")
cd "$(dirname "$0")/.."
VULNDATA=$(realpath "${VULNDATA:-../shared/vulndata}")
RUNS=${RUNS:-3} WARMUP=${WARMUP:-1}
OSV_SCANNER=$(command -v "${OSV_SCANNER:-osv-scanner}")
GOVULNCHECK=$(command -v "${GOVULNCHECK:-govulncheck}")
command -v hyperfine >/dev/null || { echo "missing hyperfine" >&2; exit 1; }
mkdir -p "$OUT/raw"
if [ -z "${ASSAY:-}" ]; then
	GOTOOLCHAIN=local CGO_ENABLED=0 go build -o "$OUT/assay" ./cmd/assay
	ASSAY=$OUT/assay
fi
ASSAY_HOME=$(realpath -m "${ASSAY_HOME:-$OUT/home}")
export ASSAY_HOME
if ! "$ASSAY" db status >/dev/null 2>&1; then
	"$ASSAY" -q db update --mirror "$VULNDATA" >/dev/null
fi

# One advisory data set for every tool.
for eco in Go PyPI crates.io; do
	mkdir -p "$OUT/osvdb/osv-scalibr/$eco"
	ln -sf "$VULNDATA/osv/$eco/all.zip" "$OUT/osvdb/osv-scalibr/$eco/all.zip"
done
export OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY=$OUT/osvdb
if [ ! -d "$OUT/govulndb/ID" ]; then
	mkdir -p "$OUT/govulndb"
	unzip -q -o "$VULNDATA/govulndb/vuln.go.dev-v1.zip" -d "$OUT/govulndb"
fi
GVDB=file://$OUT/govulndb
REPO=$PWD
cd "$OUT" # run the tools away from the source tree (osv-scanner warns about a "scan" folder)
{
	"$ASSAY" --version 2>/dev/null || true
	"$OSV_SCANNER" --version 2>/dev/null | head -1
	"$GOVULNCHECK" -version 2>/dev/null | grep -i 'scanner\|govulncheck' | head -2
	"$ASSAY" db status 2>/dev/null | head -3
} > "$OUT/versions.txt" || true

# inventory INPUT PATH: the components assay saw (to tell input
# differences from matching differences; not timed).
inventory() {
	mkdir -p "$OUT/raw/$1"
	"$ASSAY" -q inventory --format json "$2" > "$OUT/raw/$1/assay.inventory.json" 2>/dev/null || true
}

# run INPUT TOOL CMD... : saves the output once, then times the command.
run() {
	local input=$1 tool=$2
	shift 2
	mkdir -p "$OUT/raw/$input"
	"$@" > "$OUT/raw/$input/$tool.json" 2> "$OUT/raw/$input/$tool.err" || true
	hyperfine -N -i --style none --runs "$RUNS" --warmup "$WARMUP" \
		--export-json "$OUT/raw/$input/$tool.time.json" -- "$*" > /dev/null 2>&1 ||
		echo "timing $input/$tool failed" >&2
}

osv() { echo "$OSV_SCANNER" scan source --offline --offline-vulnerabilities --no-call-analysis=all --all-packages --format json -L "$1"; }

query() { # query FILE: govulncheck query mode on the module@version list in FILE
	# shellcheck disable=SC2046
	echo "$GOVULNCHECK" -db "$GVDB" -mode=query -format json $(grep -v '^$' "$1" | tr '\n' ' ')
}

for d in "$IN"/gomod/*/; do
	n=gomod-$(basename "$d")
	echo "== $n" >&2
	inventory "$n" "$d/go.mod"
	run "$n" assay "$ASSAY" -q scan --format json "$d/go.mod"
	run "$n" osv-scanner $(osv "$d/go.mod")
	q=$IN/queries/$(basename "$d").txt
	[ -s "$q" ] && cp "$q" "$OUT/raw/$n/govulncheck.query.txt" && run "$n" govulncheck $(query "$q")
done
for b in "$IN"/bin/*; do
	[ -f "$b" ] || continue
	n=bin-$(basename "$b")
	echo "== $n" >&2
	inventory "$n" "$b"
	run "$n" assay "$ASSAY" -q scan --format json "$b"
	# osv-scanner's source scan does not take a binary with -L; the issue
	# compares binaries against govulncheck only.
	run "$n" govulncheck "$GOVULNCHECK" -db "$GVDB" -mode=binary -format json "$b"
done
for f in "$IN"/pypi/* "$IN"/cargo/* "$IN"/sbom/*; do
	[ -e "$f" ] || continue
	kind=$(basename "$(dirname "$f")")
	n=$kind-$(basename "$f")
	echo "== $n" >&2
	inventory "$n" "$f"
	run "$n" assay "$ASSAY" -q scan --format json "$f"
	run "$n" osv-scanner $(osv "$f")
	q=$IN/queries/$(basename "$f").txt
	[ -s "$q" ] && cp "$q" "$OUT/raw/$n/govulncheck.query.txt" && run "$n" govulncheck $(query "$q")
done
python3 "$REPO/bench/accuracy-compare.py" "$VULNDATA" "$OUT"
