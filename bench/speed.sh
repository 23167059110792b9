#!/usr/bin/env bash
# speed.sh - the speed targets of issue 4, measured in one run on the same
# inputs and the same advisory data:
#   - `assay scan` wall time vs osv-scanner v2.5.0 offline on go.mod,
#     lockfile and SBOM inputs (target: >= 10x faster);
#   - vs govulncheck v1.9.0 -mode=binary on Go binaries (target: >= 5x);
#   - a 100,000-component CycloneDX SBOM, worst-case and realistic
#     version mixes (bench/gensbom): <= 3 s wall and <= 400 MiB peak RSS.
#
#   usage: bench/speed.sh INPUTS OUTDIR
#
# INPUTS is laid out by bench/accuracy-inputs.sh. Environment:
#   VULNDATA     the offline mirror (default ../shared/vulndata)
#   ASSAY        assay binary (default: built into OUTDIR/assay)
#   ASSAY_HOME   data directory with an imported database (default
#                OUTDIR/home, imported from VULNDATA when empty)
#   OSV_SCANNER  osv-scanner v2.5.0 binary (default: on PATH)
#   GOVULNCHECK  govulncheck v1.9.0 binary (default: on PATH)
#   RUNS         timed runs per command after one warm-up (default 5)
#   BIG=0        skip the 100,000-component SBOMs
#
# Every tool reads the same data as in bench/accuracy.sh: osv-scanner the
# mirror's OSV zips through its offline cache layout, govulncheck the
# unzipped Go vulnerability database with -db file://. Timing is done by
# bench/speed.py (wall clock, CPU time and peak RSS from wait4). Needs
# python3 and go.
set -euo pipefail
IN=$(realpath "${1:?usage: speed.sh INPUTS OUTDIR}")
OUT=$(realpath -m "${2:?usage: speed.sh INPUTS OUTDIR}")
[ -n "${ASSAY:-}" ] && ASSAY=$(realpath "$ASSAY")
[ -n "${ASSAY_HOME:-}" ] && ASSAY_HOME=$(realpath -m "$ASSAY_HOME")
[ -n "${VULNDATA:-}" ] && VULNDATA=$(realpath "$VULNDATA")
cd "$(dirname "$0")/.."
VULNDATA=$(realpath "${VULNDATA:-../shared/vulndata}")
OSV_SCANNER=$(command -v "${OSV_SCANNER:-osv-scanner}")
GOVULNCHECK=$(command -v "${GOVULNCHECK:-govulncheck}")
mkdir -p "$OUT"
if [ -z "${ASSAY:-}" ]; then
	GOTOOLCHAIN=local CGO_ENABLED=0 go build -o "$OUT/assay" ./cmd/assay
	ASSAY=$OUT/assay
fi
ASSAY_HOME=$(realpath -m "${ASSAY_HOME:-$OUT/home}")
export ASSAY_HOME
if ! "$ASSAY" db status >/dev/null 2>&1; then
	"$ASSAY" -q db update --mirror "$VULNDATA" >/dev/null
fi
for eco in Go PyPI crates.io; do
	mkdir -p "$OUT/osvdb/osv-scalibr/$eco"
	ln -sf "$VULNDATA/osv/$eco/all.zip" "$OUT/osvdb/osv-scalibr/$eco/all.zip"
done
if [ ! -d "$OUT/govulndb/ID" ]; then
	mkdir -p "$OUT/govulndb"
	unzip -q -o "$VULNDATA/govulndb/vuln.go.dev-v1.zip" -d "$OUT/govulndb"
fi
big=()
if [ "${BIG:-1}" != 0 ]; then
	for mix in worst realistic; do
		f=$OUT/sbom-100k-$mix.cdx.json
		[ -s "$f" ] || GOTOOLCHAIN=local go run ./bench/gensbom -home "$ASSAY_HOME" -n 100000 -mix "$mix" > "$f"
		big+=("$f")
	done
fi
{
	"$ASSAY" --version 2>/dev/null || true
	"$OSV_SCANNER" --version 2>/dev/null | head -1
	"$GOVULNCHECK" -version 2>/dev/null | grep -i 'scanner\|govulncheck' | head -2
	"$ASSAY" db status 2>/dev/null | head -3
	nproc
} > "$OUT/versions.txt" || true

python3 - "$IN" "$OUT" "$ASSAY" "$OSV_SCANNER" "$GOVULNCHECK" "${RUNS:-5}" "${big[@]}" > "$OUT/speed-config.json" <<'PY'
import glob, json, os, sys
inp, out, assay, osv, gvc, runs, big = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]), sys.argv[7:]
inputs = []
for kind, pattern, peer in (("gomod", "gomod/*/go.mod", "osv-scanner"), ("bin", "bin/*", "govulncheck"),
                            ("pypi", "pypi/*", "osv-scanner"), ("cargo", "cargo/*", "osv-scanner"),
                            ("sbom", "sbom/*", "osv-scanner")):
    for p in sorted(glob.glob(os.path.join(inp, pattern))):
        name = os.path.basename(os.path.dirname(p)) if kind == "gomod" else os.path.basename(p)
        inputs.append({"name": kind + "-" + name, "path": p, "peer": peer})
json.dump({
    "runs": runs, "out": out,
    "assay": [assay, "-q", "scan", "--format", "json"],
    "assay_big": [assay, "-q", "scan", "--format", "json", "--output-file", os.path.join(out, "big.out.json")],
    "osv-scanner": [osv, "scan", "source", "--offline", "--offline-vulnerabilities", "--no-call-analysis=all",
                    "--all-packages", "--format", "json", "-L"],
    "govulncheck": [gvc, "-db", "file://" + os.path.join(out, "govulndb"), "-mode=binary", "-format", "json"],
    "env": {"OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY": os.path.join(out, "osvdb"), "ASSAY_HOME": os.environ["ASSAY_HOME"]},
    "inputs": inputs,
    "big": [{"name": os.path.basename(b).removesuffix(".cdx.json"), "path": b} for b in big],
}, sys.stdout, indent=1)
PY
cd "$OUT" # osv-scanner warns about a "scan" folder in the source tree
python3 "$OLDPWD/bench/speed.py" "$OUT/speed-config.json" | tee "$OUT/speed.md"
