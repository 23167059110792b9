#!/usr/bin/env bash
# scan-100k.sh [MIRROR] — generates a 100,000-component CycloneDX SBOM of
# real Go, PyPI and crates.io package names and measures `assay scan` on it
# (wall time, peak RSS) with the database already imported.
# Target (issue 4): ≤ 3 s and ≤ 400 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
mirror=${1:-${ASSAY_MIRROR:-../shared/vulndata}}
go build -o bin/assay ./cmd/assay
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./bin/assay --home "$work/home" -q db update --mirror "$mirror" --only osv --ecosystems Go,PyPI,crates.io >/dev/null
go run ./bench/gensbom -home "$work/home" -n 100000 > "$work/big.cdx.json"
ls -l "$work/big.cdx.json" | awk '{print "SBOM bytes:", $5}'
/usr/bin/time -f "scan 100k: wall %e s, user %U s, peak RSS %M KiB" \
	./bin/assay --home "$work/home" scan --format json --output-file "$work/out.json" "$work/big.cdx.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); t=d["targets"][0]; print("components", t["components"], "assessed", t["assessed"], "findings", len(d["findings"]))' "$work/out.json"
