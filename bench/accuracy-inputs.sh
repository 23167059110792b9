#!/usr/bin/env bash
# accuracy-inputs.sh - prepares the inputs bench/accuracy.sh compares the
# scanners on, in a scratch directory outside the repository:
#
#   WORKDIR/gomod/NAME/{go.mod,go.sum}  real projects at old releases (Go module proxy)
#   WORKDIR/bin/NAME                    Go binaries built from old releases
#   WORKDIR/pypi/requirements.txt       real PyPI package versions (bench/accuracy/)
#   WORKDIR/cargo/Cargo.lock            real crates.io package versions (bench/accuracy/)
#   WORKDIR/sbom/*                      the shared SBOMs with Go / crates.io components
#
#   usage: bench/accuracy-inputs.sh WORKDIR [VULNDATA]
#
# Needs: go (and network access to the Go module proxy; the old toolchain
# go1.21.13 is fetched through it with GOTOOLCHAIN). Binaries that fail to
# build are reported and skipped; ACCURACY_BINS=0 skips building them.
set -uo pipefail
W=$(realpath -m "${1:?usage: accuracy-inputs.sh WORKDIR [VULNDATA]}")
cd "$(dirname "$0")/.."
V=$(realpath -m "${2:-${ASSAY_MIRROR:-../shared/vulndata}}")
mkdir -p "$W/gomod" "$W/bin" "$W/pypi" "$W/cargo" "$W/sbom"

# go.mod/go.sum of real projects at old releases.
mods=(
	gin-v1.7.0=github.com/gin-gonic/gin@v1.7.0
	client-go-v0.20.0=k8s.io/client-go@v0.20.0
	prometheus-v0.35.0=github.com/prometheus/prometheus@v0.35.0
	consul-api-v1.12.0=github.com/hashicorp/consul/api@v1.12.0
	yq-v4.13.0=github.com/mikefarah/yq/v4@v4.13.0
	hey-v0.1.4=github.com/rakyll/hey@v0.1.4
	etcd-client-v3.5.0=go.etcd.io/etcd/client/v3@v3.5.0
	minio-go-v7.0.10=github.com/minio/minio-go/v7@v7.0.10
)
for m in "${mods[@]}"; do
	name=${m%%=*} mod=${m#*=}
	[ -s "$W/gomod/$name/go.mod" ] && continue
	dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$mod" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("Dir",""))')
	if [ -z "$dir" ] || [ ! -f "$dir/go.mod" ]; then echo "skip $mod: no go.mod" >&2; continue; fi
	mkdir -p "$W/gomod/$name"
	cp "$dir/go.mod" "$W/gomod/$name/"
	[ -f "$dir/go.sum" ] && cp "$dir/go.sum" "$W/gomod/$name/"
	chmod u+w "$W/gomod/$name"/*
done

# The module@version list each go.mod declares (requirements after replace
# directives; local-path replacements have no version and are left out):
# what govulncheck's query mode is asked about.
mkdir -p "$W/queries"
for d in "$W"/gomod/*/; do
	(cd "$d" && go mod edit -json) | python3 -c 'import json,sys
d=json.load(sys.stdin); rep={r["Old"]["Path"]:r["New"] for r in d.get("Replace") or []}
for r in d.get("Require") or []:
    n=rep.get(r["Path"], {"Path":r["Path"],"Version":r["Version"]})
    if n.get("Version"): print(n["Path"]+"@"+n["Version"])' > "$W/queries/$(basename "$d").txt"
done

# Binaries from old releases: TOOLCHAIN MODULE@VERSION NAME.
bins=(
	"go1.21.13 github.com/rakyll/hey@v0.1.4 hey-v0.1.4-go1.21.13"
	"go1.21.13 github.com/mikefarah/yq/v4@v4.13.0 yq-v4.13.0-go1.21.13"
	"local github.com/rakyll/hey@v0.1.4 hey-v0.1.4-local"
)
[ "${ACCURACY_BINS:-1}" = 0 ] && bins=()
for b in "${bins[@]}"; do
	set -- $b
	[ -x "$W/bin/$3" ] && continue
	tmp=$(mktemp -d)
	if (cd /tmp && GOTOOLCHAIN=$1 GOBIN=$tmp go install "$2"); then
		mv "$tmp"/* "$W/bin/$3"
	else
		echo "skip $2 with $1: build failed" >&2
	fi
	rm -rf "$tmp"
done

cp bench/accuracy/requirements.txt "$W/pypi/"
cp bench/accuracy/Cargo.lock "$W/cargo/"
S=$V/sboms
for f in proton-bridge-v1.6.3.cdx.json=cyclonedx-bom-examples/SBOM/proton-bridge/proton-bridge-v1.6.3.bom.json \
	proton-bridge-v1.8.0.cdx.xml=cyclonedx-bom-examples/SBOM/proton-bridge/proton-bridge-v1.8.0.bom.xml \
	example11.spdx.json=spdx-examples/software/example11/spdx2.3/sbom.spdx.json; do
	[ -f "$S/${f#*=}" ] || continue
	cp -f "$S/${f#*=}" "$W/sbom/${f%%=*}"  # a copy: assay does not follow a symlinked file argument
	chmod u+w "$W/sbom/${f%%=*}"
	# (named *.cdx.json / *.cdx.xml, the names osv-scanner recognizes)
	# The Go modules an SBOM lists, for govulncheck's query mode.
	python3 -c 'import re,sys,urllib.parse
seen=set()
for m in re.finditer(r"pkg:golang/([^@\s\"<?#]+)@([^\s\"<?#]+)", open(sys.argv[1]).read()):
    q=urllib.parse.unquote(m.group(1))+"@"+urllib.parse.unquote(m.group(2))
    if q not in seen: seen.add(q); print(q)' "$S/${f#*=}" > "$W/queries/${f%%=*}.txt"
	[ -s "$W/queries/${f%%=*}.txt" ] || rm -f "$W/queries/${f%%=*}.txt"
done
find "$W" -mindepth 2 -maxdepth 2 | sort
