#!/usr/bin/env bash
# demo.sh BIN MIRROR — the main job: an ex-officio cybersecurity review of
# the whole portfolio of Bramblecrest Systems, a fictional storage and
# network-equipment vendor (examples/bramblecrest, docs/review.md "Demo"),
# end to end on the embedded store:
#
#   import the advisory data, the restricted-party lists and the calendars;
#   build the vendor's Go agent and its NAS firmware image (Debian packages);
#   scan every submitted item and assess the vendor; open the case, attach
#   the evidence, propose the factors from it, assess, pause for materials,
#   take opinions, decide with commitments, verify the audit log and write
#   the HTML and PDF reports, whose absolute paths are printed last.
#
# BIN is the assay binary; MIRROR the vulnerability-data mirror (empty: the
# online feeds). The supplier data (lists, calendars) comes from
# $ASSAY_SUPPLIER_MIRROR, else a "supplierdata" directory beside MIRROR,
# else ../shared/supplierdata, else the official online sources.
#
# Everything is written under build/demo. The advisory database, lists and
# calendars in build/demo/home are kept between runs (their updates are
# incremental); the review state (store, evidence, audit keys) is removed
# first so every run reviews from a clean store. DEMO_FRESH=1 removes the
# whole home for a cold run.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BIN [MIRROR]" >&2; exit 2; }
bin=$(realpath "$1")
mirror=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
ex=$root/examples/bramblecrest
build=$root/build/demo
home=$build/home
out=$build/evidence
export GOTOOLCHAIN=local
unset ASSAY_DATABASE_URL # the embedded store

supplier_mirror=${ASSAY_SUPPLIER_MIRROR:-}
if [ -z "$supplier_mirror" ]; then
	for d in "${mirror:+$mirror/../supplierdata}" "$root/../shared/supplierdata"; do
		if [ -n "$d" ] && [ -d "$d" ]; then
			supplier_mirror=$(realpath "$d")
			break
		fi
	done
fi

step() { printf '\n== %s\n' "$*"; }
a() { "$bin" --home "$home" -q "$@"; }

[ "${DEMO_FRESH:-0}" = 1 ] && rm -rf "$home"
rm -rf "$home/assay.db" "$home/assay.db-wal" "$home/assay.db-shm" "$home/evidence" "$home/audit.key" "$home/audit.pub" "$out"
mkdir -p "$home" "$out"

step "Reference data"
a db update ${mirror:+--mirror "$mirror"} >/dev/null
a db status | sed -n 1,3p
a supplier lists update ${supplier_mirror:+--mirror "$supplier_mirror"} >/dev/null
a calendar update ${supplier_mirror:+--mirror "$supplier_mirror/calendars"}

step "Build the vendor's bx-agent (Go) and BX-Vault firmware image (Debian arm64 packages)"
# The image builder's tools: installed from Debian when missing and this
# runs as root with apt-get (as .ci/run does); otherwise build-image.sh
# names what to install.
missing=""
for t in dpkg-deb:dpkg cpio:cpio gzip:gzip mkimage:u-boot-tools openssl:openssl python3:python3; do
	command -v "${t%%:*}" >/dev/null || missing="$missing ${t#*:}"
done
if [ -n "$missing" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
	echo "installing$missing" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
(cd "$ex/bx-agent" && CGO_ENABLED=0 go build -trimpath -buildvcs=false -o "$build/bx-agent" .)
image=$("$ex/firmware/build-image.sh" "$root/build/firmware" | tail -1)
ls -l "$build/bx-agent" "$image" | awk '{print $5, $NF}'

step "Scan every submitted item"
items=(
	"sbom/bx-vault-os-7.3.1.cdx.json:$ex/sbom/bx-vault-os-7.3.1.cdx.json"
	"sbom/bx-cloudlink-2.8.0.spdx.json:$ex/sbom/bx-cloudlink-2.8.0.spdx.json"
	"manager/requirements.txt:$ex/manager/requirements.txt"
	"webui/package-lock.json:$ex/webui/package-lock.json"
	"replicad/Cargo.lock:$ex/replicad/Cargo.lock"
	"bx-agent:$build/bx-agent"
	"firmware:$image"
)
scans=()
for it in "${items[@]}"; do
	name=${it%%:*} path=${it#*:}
	f=$out/scan-$(echo "$name" | tr '/.' '--').json
	a scan --format json --output-file "$f" "$path"
	scans+=("$f")
	python3 - "$f" "$name" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fs = [f for f in d["findings"] if not f.get("suppressed")]
lv = lambda l: sum(1 for f in fs if f["severity"]["level"] == l)
comp = sum(t["components"] for t in d["targets"]); ok = sum(t["assessed"] for t in d["targets"])
pr = d.get("problems")
print(f"{sys.argv[2]:34} {comp:4} components ({comp-ok} unassessed)  {len(fs):3} findings  KEV {sum(1 for f in fs if f['kev'])}  critical {lv('critical')}  high {lv('high')}"
      + (f"  problems {len(pr)}" if pr is not None else ""))
PY
done

step "Assess the supplier"
a supplier assess "$ex/vendor.yaml" --destination CN --installed-base "$ex/installed-base.yaml" --date 2026-10-14 \
	--format json >"$out/supplier-assessment.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("decision:", d["decision"]); [print(" ", f["factor"], f["level"], "-", "; ".join(f["evidence"])[:150]) for f in d["factors"]]' "$out/supplier-assessment.json"

step "Open the ex-officio case (Art. 16) and attach the submission"
id=$(a case create --trigger EX_OFFICIO --vendor "Bramblecrest Systems Ltd." \
	--product "BX-Vault NAS@7.3.1" --product "BX-Edge 5000 core router@21.02-bx4" --product "BX-Forge AI storage server@1.2" \
	--product "BX-Manager@4.2.7" --product "BX-CloudLink@2.8.0" --product "bx-agent@1.4.0" --product "bx-replicad@1.9.3" \
	--deployment "Example Provincial Data Centre Operator: 1,240 BX-Vault, 96 BX-Edge" \
	--title "Ex-officio review of the Bramblecrest Systems product portfolio" \
	--date 2026-10-12 --actor "Cybersecurity Review Office" \
	--reason "Central Commission approval of 2026-10-09: Bramblecrest products are widely used by CII operators in mass storage and core routing")
echo "case $id"
att() { a case attach "$id" "$@" --supplier "Bramblecrest Systems Ltd." --actor "reviewer.li" >/dev/null; }
att "$ex/sbom/bx-vault-os-7.3.1.cdx.json" --type SBOM --issuer "Bramblecrest Systems Ltd." --date 2026-10-14 --confidentiality TRADE_SECRET --consent REVIEW_AND_MONITORING --factor F1 --factor F3
att "$ex/sbom/bx-cloudlink-2.8.0.spdx.json" --type SBOM --issuer "Bramblecrest Systems Ltd." --date 2026-10-14 --confidentiality TRADE_SECRET --consent REVIEW_AND_MONITORING --factor F1 --factor F5
att "$ex/vendor.yaml" --type OWNERSHIP --issuer "Bramblecrest Systems Ltd." --date 2026-10-14 --factor F3 --factor F6
att "$ex/installed-base.yaml" --type OTHER --name "Installed base of the Example Provincial Data Centre Operator" --issuer "Example Provincial Data Centre Operator" --date 2026-10-13 --confidentiality INTERNAL --factor F2
att "$image" --type OTHER --name "BX-Vault 4800 firmware 7.3.1 image" --issuer "Bramblecrest Systems Ltd." --date 2026-10-14 --confidentiality TRADE_SECRET --factor F1 --factor F5

step "Automated factor proposals from the evidence"
from=()
for f in "${scans[@]}" "$out/supplier-assessment.json"; do from+=(--from "$f"); done
a case propose "$id" "${from[@]}" --criticality 5 --actor "assay" --date 2026-10-15 \
	--reason "mass storage and core routing in CII data centres (criticality 5)" >/dev/null
a case report "$id" --format json | python3 -c '
import json, sys
for f in json.load(sys.stdin)["factors"]:
    p = f.get("proposal")
    if p:
        print("  %s L%d x I%d = %2d %-6s %s" % (f["id"], p["likelihood"], p["impact"], p["score"], p["confidence"], p["summary"]))'

step "Supplementary materials (Art. 15: the clock pauses)"
a case pause "$id" --date 2026-10-20 --actor "reviewer.li" \
	--reason "requested from Bramblecrest: BX-CloudLink data-flow description, telemetry field list, purpose of the bxsupport account" >/dev/null
a case resume "$id" --date 2026-10-27 --actor "reviewer.li" --reason "materials received" >/dev/null

step "Reviewer assessments"
a case assess "$id" --factor F1 --confirm --actor "reviewer.li" --date 2026-11-05 \
	--rationale "Confirmed: salt 3000.1 in BX-Manager is exposed to CVE-2020-11651/11652 (CISA KEV, unauthenticated command execution on every managed appliance), and the BX-Vault 7.3.1 image carries an undocumented uid-0 account with a trivial password reachable over telnetd started at boot, a fleet-wide TLS key and an update path over plain HTTP run as root. Together they let a third party control or disrupt the devices." >/dev/null
a case assess "$id" --factor F5 --likelihood 4 --impact 5 --confidence HIGH --actor "reviewer.li" --date 2026-11-05 \
	--rationale "Raised from the proposal: the telemetry script sends device serial numbers and storage usage every 15 minutes to a vendor endpoint hosted in the United States (vendor profile: Virginia data centre), and cloudlink.conf enables a vendor remote shell by default; the vendor's materials of 2026-10-27 confirm both are on unless the operator disables them." >/dev/null
a case assess "$id" --factor F2 --confirm --actor "reviewer.li" --date 2026-11-05 \
	--rationale "Confirmed: the operator's mass storage is 87% Bramblecrest with no other qualified supplier, and the BX-Vault base system (Debian 12) is past end of regular security support." >/dev/null
a case assess "$id" --factor F4 --likelihood 2 --impact 3 --confidence MEDIUM --actor "reviewer.li" --date 2026-11-05 \
	--rationale "No penalty records found; the vendor's data-export filing for BX-CloudLink is pending (materials of 2026-10-27)." >/dev/null

step "Recommendation to the member units and opinions (Art. 12)"
a case advance "$id" --to OPINIONS --date 2026-11-13 --actor "Cybersecurity Review Office" \
	--reason "Recommended conclusion: passed with commitments (remove the hidden account and boot-time telnetd, patch KEV vulnerabilities, telemetry and remote access off by default)" >/dev/null
a case opinion "$id" --from "MIIT" --position AGREE --date 2026-11-24 --actor "reviewer.li" --text "Agrees with the recommended conclusion." >/dev/null
a case opinion "$id" --from "Provincial data-centre CII protection department" --position CONDITIONS --date 2026-11-25 --actor "reviewer.li" \
	--text "Agrees on condition that operators disable BX-CloudLink telemetry until firmware 7.3.2 is deployed." >/dev/null

step "Decision"
a case decide "$id" --outcome PASSED_WITH_COMMITMENTS --date 2026-12-01 --actor "Cybersecurity Review Office" \
	--reason "The evidence shows serious but remediable hidden problems (F1 25, F5 20): a hidden root account with telnet access, KEV vulnerabilities in the management software and default-on telemetry abroad. The vendor has committed to remove them on fixed dates; supply dependence (F2) makes a ban costlier than monitored remediation." \
	--statement "Products of Bramblecrest Systems pass the cybersecurity review subject to the vendor's commitments; CII operators shall deploy firmware 7.3.2 and BX-Manager 4.2.8 when released and keep BX-CloudLink telemetry disabled until then." \
	--commitment "NO_DEVICE_CONTROL:2027-01-15:Firmware 7.3.2 removes the bxsupport uid-0 account and the boot-time telnetd from every BX-Vault and BX-Edge image, verified by re-scan" \
	--commitment "PATCH_SLA:2026-12-31:BX-Manager 4.2.8 upgrades salt and Pillow past the KEV-listed versions; KEV vulnerabilities fixed within 15 days, critical within 30" \
	--commitment "NO_ILLEGAL_DATA_ACCESS:2027-01-31:BX-CloudLink telemetry and remote shell off by default and opt-in per operator; no device data leaves the country without the operator's consent" \
	--commitment "OTHER:2027-03-31:Signed firmware updates over HTTPS, per-device TLS keys and API tokens" \
	--commitment "SUPPORT_CONTINUITY:2027-06-30:BX-Vault base system moved to a supported release; security support for deployed units at least until 2031" >/dev/null
a case advance "$id" --to MONITORING --date 2026-12-02 --actor "Cybersecurity Review Office" --reason "commitments are live" >/dev/null
a case show "$id" | sed -n 1,40p

step "Audit log"
a audit verify

step "Reports"
report=$build/report
mkdir -p "$report"
a case report "$id" --format json >"$report/case.json"
a case report "$id" --format html --output "$report/report.html"
a case report "$id" --format pdf --output "$report/report.pdf"
echo "$report/report.html"
echo "$report/report.pdf"
