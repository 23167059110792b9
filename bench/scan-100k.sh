#!/usr/bin/env bash
# scan-100k.sh [MIRROR] — generates 100,000-component CycloneDX SBOMs of
# real Go, PyPI and crates.io package names (bench/gensbom: worst-case and
# realistic version mixes) and measures `assay scan` on each (wall time,
# CPU time, peak RSS) with the database already imported.
# Target (issue 4): ≤ 3 s and ≤ 400 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
mirror=${1:-${ASSAY_MIRROR:-../shared/vulndata}}
CGO_ENABLED=0 go build -o bin/assay ./cmd/assay
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./bin/assay --home "$work/home" -q db update --mirror "$mirror" --only osv --ecosystems Go,PyPI,crates.io >/dev/null
uptime
for mix in worst realistic; do
	go run ./bench/gensbom -home "$work/home" -n 100000 -mix "$mix" > "$work/big.cdx.json"
	ls -l "$work/big.cdx.json" | awk -v m="$mix" '{print m, "SBOM bytes:", $5}'
	/usr/bin/time -f "scan 100k $mix: wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
		./bin/assay --home "$work/home" scan --format json --output-file "$work/out.json" "$work/big.cdx.json"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); t=d["targets"][0]; print("components", t["components"], "assessed", t["assessed"], "findings", len(d["findings"]))' "$work/out.json"
done
