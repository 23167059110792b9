#!/usr/bin/env bash
# firmware-e2e.sh - end-to-end firmware benchmark on a ~100 MB image built
# from real Debian packages (docs/firmware.md, "End to end: a 100 MB image").
#
#   usage: bench/firmware-e2e.sh [--skip-timing] [OUTDIR]   (default /tmp/assay-fw-e2e)
#
# 1. Downloads 36 real Debian bookworm amd64 packages with `apt-get download`
#    into a private apt state (the system's apt configuration and package
#    database are untouched), cached across runs in
#    $BENCH_CACHE/debs/bookworm-amd64 and $BENCH_CACHE/apt-amd64.
# 2. Unpacks them into OUTDIR/rootfs with a dpkg status database, adds a copy
#    of /usr/bin (identical files: exercises the content-hash caches), the
#    planted problems documented below, and incompressible "radio firmware"
#    blobs sized so that the squashfs is 96 MiB.
# 3. Packs the image, outermost first:
#      512-byte opaque vendor header (encrypted/signed on real devices: no
#        tool can parse it, so it is pseudo-random here)
#      U-Boot legacy uImage kernel (gzip; a pseudo-random 3 MB body with a
#        Linux 5.10.201 banner, so the kernel is identified but not unpacked)
#      4 KiB of zero padding (erase-block alignment gap)
#      squashfs 4.0 root filesystem, xz
#    into OUTDIR/vendor-fw-100mb.bin, keeping the intermediates
#    (rootfs/, rootfs.sqsh, vmlinux, vmlinux.gz, kernel.uimg) for inspection.
# 4. Unless --skip-timing (or SKIP_TIMING=1): builds assay and times, each
#    with /usr/bin/time -v, `assay scan --format json IMAGE`,
#    `assay firmware identify --format json IMAGE` and
#    `assay firmware detect --format json IMAGE`, then prints wall time,
#    user+sys CPU time and peak RSS per step, the load average (uptime)
#    before and after, and the counts of the scan report. Reports and raw
#    time output are kept in OUTDIR/results.
#
# The build is idempotent and deterministic: all "random" bytes come from
# AES-CTR keyed by fixed strings, timestamps are fixed, and the image is
# rebuilt only when the build steps of this script or the set of cached
# packages change (REBUILD=1 forces it). Rebuilding replaces only the files
# listed above in OUTDIR.
#
# Environment:
#   SKIP_TIMING=1   build the image only (same as --skip-timing)
#   REBUILD=1       rebuild the image even when it is up to date
#   BENCH_CACHE     package cache (default ${XDG_CACHE_HOME:-~/.cache}/assay-bench)
#   DEBIAN_MIRROR   Debian mirror URL (default: the first one in /etc/apt)
#   ASSAY           assay binary to time (default: built into OUTDIR/assay)
#   ASSAY_HOME      data directory with the advisory database (default
#                   OUTDIR/home; imported from the mirrors below when it has
#                   no database)
#   ASSAY_MIRROR    offline advisory mirror (default ../shared/vulndata)
#   ASSAY_SUPPLIER_MIRROR  supplier data (endoflife.date; default ../shared/supplierdata)
#
# Needs: apt-get dpkg-deb mksquashfs (with xz) mkimage gzip openssl python3,
# and for the timing go and /usr/bin/time. Debian: apt-get install
# squashfs-tools u-boot-tools gzip openssl python3 time.
set -euo pipefail
umask 022
export LC_ALL=C TZ=UTC
EPOCH=1796083200 # 2026-12-01T00:00:00Z: the image's build date
export SOURCE_DATE_EPOCH=$EPOCH

skip_timing=${SKIP_TIMING:-0}
args=()
for a in "$@"; do
	case $a in
	--skip-timing) skip_timing=1 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "firmware-e2e.sh: unknown option $a (see --help)" >&2; exit 2 ;;
	*) args+=("$a") ;;
	esac
done
[ ${#args[@]} -le 1 ] || { echo "usage: bench/firmware-e2e.sh [--skip-timing] [OUTDIR]" >&2; exit 2; }
[ "$skip_timing" = 0 ] || [ "$skip_timing" = 1 ] || { echo "firmware-e2e.sh: SKIP_TIMING must be 0 or 1" >&2; exit 2; }

SELF=$(realpath "$0")
OUT=$(realpath -m "${args[0]:-/tmp/assay-fw-e2e}")
[ -n "${ASSAY:-}" ] && ASSAY=$(realpath "$ASSAY")
[ -n "${ASSAY_HOME:-}" ] && ASSAY_HOME=$(realpath -m "$ASSAY_HOME")
cd "$(dirname "$SELF")/.."
ROOT=$PWD
IMG=$OUT/vendor-fw-100mb.bin
log() { printf 'firmware-e2e: %s\n' "$*" >&2; }
die() { printf 'firmware-e2e: %s\n' "$*" >&2; exit 2; }

# --- tools --------------------------------------------------------------
need() { # need TOOL DEBIAN-PACKAGE
	command -v "$1" >/dev/null || die "missing tool $1: install it (Debian: apt-get install $2)"
}
need apt-get apt
need dpkg-deb dpkg
need mksquashfs squashfs-tools
need mkimage u-boot-tools
need gzip gzip
need openssl openssl
need python3 python3-minimal
mksq_help=$(mksquashfs -help 2>&1 || true)
grep -qw xz <<<"$mksq_help" ||
	die "this mksquashfs has no xz compressor: install a squashfs-tools built with xz (Debian: apt-get install squashfs-tools)"
if [ "$skip_timing" = 0 ]; then
	[ -x /usr/bin/time ] || die "missing /usr/bin/time (GNU time, for -v): install it (Debian: apt-get install time)"
	[ -n "${ASSAY:-}" ] || need go golang-go
fi

# --- 1. packages: Debian bookworm, amd64 ----------------------------------
# Typical of a Linux router/gateway firmware: BusyBox userland, C library,
# TLS and HTTP clients, SSH servers (Dropbear and OpenSSH), DNS/DHCP, a web
# server (lighttpd), Wi-Fi (hostapd, wpa_supplicant), PPP, UPnP, SMB,
# systemd/udev, interpreters (Perl, Python) and git, plus gdbserver, a
# debugger that should not ship in a production image. nginx-core (a
# metapackage: documentation only) and miniupnpd (init script and
# configuration; the daemon is in miniupnpd-iptables/-nftables) are in the
# package database without their binaries, as in the first measurement.
# Order matters: it is the unpack order and the order of the dpkg status
# database. The suite is bookworm main without -updates and -security: the
# versions are those of the latest point release when the cache is filled.
ARCH=amd64
PKGS="busybox libc6 libc-bin libssl3 openssl zlib1g curl libcurl4 dropbear-bin dnsmasq-base lighttpd
 sqlite3 libsqlite3-0 iptables ppp hostapd wpasupplicant gdbserver openssh-server openssh-client miniupnpd
 bash coreutils perl-base python3.11-minimal libpython3.11-minimal samba-common-bin libsmbclient systemd
 udev git nginx-core libnghttp2-14 libssh2-1 libgnutls30 libkrb5-3"
CACHE=$(realpath -m "${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/assay-bench}")
DEBS=$CACHE/debs/bookworm-$ARCH
APT=$CACHE/apt-$ARCH
APTO=(-o "Dir::Etc::SourceList=$APT/sources.list" -o "Dir::Etc::SourceParts=$APT/sources.list.d"
	-o "Dir::Etc::Preferences=$APT/preferences" -o "Dir::Etc::PreferencesParts=$APT/preferences.d"
	-o "Dir::State=$APT/state" -o "Dir::State::status=$APT/status" -o "Dir::Cache=$APT/cache"
	-o "APT::Architecture=$ARCH" -o "APT::Architectures::=$ARCH" -o Debug::NoLocking=1 -o APT::Sandbox::User=root -q)
deb_of() { # the newest cached .deb of package $1, or nothing
	find "$DEBS" -maxdepth 1 -name "${1}_*.deb" 2>/dev/null | sort -V | tail -1
}
missing=()
for p in $PKGS; do [ -n "$(deb_of "$p")" ] || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
	log "downloading ${#missing[@]} Debian bookworm $ARCH packages into $DEBS"
	mkdir -p "$APT/state/lists/partial" "$APT/cache/archives/partial" "$APT/sources.list.d" "$APT/preferences.d" "$DEBS"
	: >"$APT/status"
	: >"$APT/preferences"
	MIRROR=${DEBIAN_MIRROR:-$( { cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true; } |
		grep -E '^(URIs:|deb )' | grep -v security | grep -oE 'https?://[^ ]*debian[^ ]*' | head -1 || true)}
	[ -n "$MIRROR" ] || die "no Debian mirror found in /etc/apt: set DEBIAN_MIRROR (e.g. http://deb.debian.org/debian)"
	KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -f "$KEYRING" ] || die "missing $KEYRING: install it (Debian: apt-get install debian-archive-keyring)"
	echo "deb [arch=$ARCH signed-by=$KEYRING] $MIRROR bookworm main" >"$APT/sources.list"
	apt-get "${APTO[@]}" update >/dev/null || die "apt-get update from $MIRROR failed (private state in $APT)"
	for p in "${missing[@]}"; do
		(cd "$DEBS" && apt-get "${APTO[@]}" download "$p:$ARCH" >/dev/null) || die "apt-get download $p:$ARCH failed"
	done
fi
debs=()
for p in $PKGS; do debs+=("$(deb_of "$p")"); done

# The image depends on the build steps of this script (not the timing) and
# on the packages.
STAMP=$( { sed '/^# --- 4\. timing/,$d' "$SELF"; printf '%s\n' "${debs[@]##*/}"; } | sha256sum | cut -c1-16)
if [ "${REBUILD:-0}" != 1 ] && [ -s "$IMG" ] && [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$STAMP" ]; then
	log "image up to date: $IMG (REBUILD=1 rebuilds it)"
else
	# --- 2. root filesystem -----------------------------------------------
	log "building $IMG"
	mkdir -p "$OUT"
	R=$OUT/rootfs
	rm -rf "$R" "$OUT/.stamp" "$OUT/rootfs.sqsh" "$OUT/kernel.uimg" "$OUT/vmlinux" "$OUT/vmlinux.gz" "$IMG" "$IMG.tmp"
	mkdir -p "$R/var/lib/dpkg"
	for f in "${debs[@]}"; do
		dpkg-deb -x "$f" "$R"
		# The package database of a Debian-derived image: the identifying
		# fields of each package's control file and its install status.
		dpkg-deb -f "$f" Package Version Architecture Source Maintainer
		echo "Status: install ok installed"
		echo
	done >"$R/var/lib/dpkg/status"

	# Not a problem: the vendor ships a second, byte-identical copy of
	# /usr/bin (hard links kept). Every file in it is analysed once thanks
	# to the content-hash caches of identify and detect.
	mkdir -p "$R/opt/vendor/bin"
	cp -a "$R/usr/bin" "$R/opt/vendor/bin/copy"

	# Planted (critical): an unauthenticated root shell on tcp/2323. BusyBox
	# init runs S99debug at boot (a debug hook left in a release build):
	# telnetd with -l /bin/sh never asks for a password.
	mkdir -p "$R/etc/init.d"
	printf '::sysinit:/etc/init.d/S99debug\n' >"$R/etc/inittab"
	printf '#!/bin/sh\n/usr/sbin/telnetd -p 2323 -l /bin/sh &\n' >"$R/etc/init.d/S99debug"
	chmod 755 "$R/etc/init.d/S99debug"
	# Planted: a second uid-0 account, "support", with an empty password
	# field in /etc/shadow (login without a password); root is locked.
	# Both files are left world-readable (0644), as the vendor built them.
	printf 'root:x:0:0:root:/root:/bin/sh\nsupport:x:0:0::/root:/bin/sh\n' >"$R/etc/passwd"
	printf 'root:!:19000::::::\nsupport::19000::::::\n' >"$R/etc/shadow"
	# The other problems detect reports come from the packages themselves
	# as Debian ships them (gdbserver, telnet/SSH/SMB/UPnP services, sample
	# keys and URLs in scripts, ...): nothing else is modified.

	# Pseudo-random bytes, incompressible and the same on every run: AES-CTR
	# over zeros, keyed by a label. Usage: prand LABEL BYTES >FILE
	prand() { head -c "$2" /dev/zero | openssl enc -aes-256-ctr -nosalt -pbkdf2 -pass "pass:assay firmware-e2e $1"; }
	sqsh() { # sqsh OUTFILE: the root filesystem as xz squashfs. Timestamps
		# after SOURCE_DATE_EPOCH (the files created here) are clamped to it.
		rm -f "$1"
		nice mksquashfs "$R" "$1" -comp xz -noappend -quiet -no-progress >/dev/null
	}
	# Radio calibration/firmware blobs (as Wi-Fi and modem chips load them
	# from /lib/firmware): incompressible data that brings the squashfs to
	# 96 MiB, in files of at most 8 MiB (radio0.bin, radio1.bin, ...).
	TARGET=$((96 << 20)) CHUNK=$((8 << 20))
	mkdir -p "$R/lib/firmware"
	log "mksquashfs, pass 1 (without the radio blobs, to size them)"
	sqsh "$OUT/rootfs.sqsh"
	left=$((TARGET - $(stat -c %s "$OUT/rootfs.sqsh")))
	i=0
	while [ "$left" -gt 0 ]; do
		n=$((left < CHUNK ? left : CHUNK))
		prand "radio$i" "$n" >"$R/lib/firmware/radio$i.bin"
		left=$((left - n)) i=$((i + 1))
	done
	log "mksquashfs, pass 2 (with $i radio blobs)"
	sqsh "$OUT/rootfs.sqsh"

	# --- 3. kernel and image ----------------------------------------------
	{ prand vmlinux 3000000; printf 'Linux version 5.10.201 (builder@vendor) (gcc 12.2.0) #1 SMP'; } >"$OUT/vmlinux"
	touch -d "@$EPOCH" "$OUT/vmlinux"
	gzip -9 -k -f "$OUT/vmlinux"
	mkimage -A x86_64 -O linux -T kernel -C gzip -a 0 -e 0 -n "Linux-5.10.201" -d "$OUT/vmlinux.gz" "$OUT/kernel.uimg" >/dev/null
	{ prand header 512; cat "$OUT/kernel.uimg"; head -c 4096 /dev/zero; cat "$OUT/rootfs.sqsh"; } >"$IMG.tmp"
	mv "$IMG.tmp" "$IMG"
	echo "$STAMP" >"$OUT/.stamp"
fi
printf 'image: %s (%d bytes, %d files, %d MiB unpacked)\n' "$IMG" "$(stat -c %s "$IMG")" \
	"$(find "$OUT/rootfs" -type f | wc -l)" "$(du -sm "$OUT/rootfs" | cut -f1)"
[ "$skip_timing" = 0 ] || exit 0

# --- 4. timing ------------------------------------------------------------
export GOTOOLCHAIN=local
if [ -z "${ASSAY:-}" ]; then
	log "building assay"
	CGO_ENABLED=0 nice go build -o "$OUT/assay" ./cmd/assay
	ASSAY=$OUT/assay
fi
export ASSAY_HOME=${ASSAY_HOME:-$OUT/home}
if ! "$ASSAY" db status >/dev/null 2>&1; then
	MIRROR=$(realpath -m "${ASSAY_MIRROR:-$ROOT/../shared/vulndata}")
	[ -d "$MIRROR" ] || die "no advisory database in $ASSAY_HOME and no mirror at $MIRROR: set ASSAY_HOME or ASSAY_MIRROR"
	log "importing the advisory database from $MIRROR into $ASSAY_HOME"
	"$ASSAY" -q db update --mirror "$MIRROR" >/dev/null
	SUPPLIER=$(realpath -m "${ASSAY_SUPPLIER_MIRROR:-$ROOT/../shared/supplierdata}")
	if [ -d "$SUPPLIER" ]; then # end-of-life data for identify
		"$ASSAY" -q supplier lists update --mirror "$SUPPLIER" >/dev/null
	fi
fi
RES=$OUT/results
mkdir -p "$RES"
rows=()
run() { # run NAME ARGS...: time one assay command; exit 1 (policy) is fine
	local name=$1 rc=0
	shift
	log "timing: assay $*"
	/usr/bin/time -v -o "$RES/$name.time" "$ASSAY" -q "$@" "$IMG" >"$RES/$name.json" 2>"$RES/$name.err" || rc=$?
	[ "$rc" -le 1 ] || die "assay $* failed (exit $rc): see $RES/$name.err"
	rows+=("$(python3 - "$RES/$name.time" "assay $* IMAGE" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def get(key):
    return re.search(re.escape(key) + r": (.*)", t).group(1).strip()
wall = 0.0
for part in get("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"):
    wall = wall * 60 + float(part)
user, sys_ = float(get("User time (seconds)")), float(get("System time (seconds)"))
rss = int(get("Maximum resident set size (kbytes)")) / 1024
print(f"| `{sys.argv[2]}` | {wall:.1f} s | {user + sys_:.1f} s ({user:.1f} + {sys_:.1f}) | {rss:.0f} MiB |")
PY
	)")
}
load_before=$(uptime)
run scan scan --format json
run identify firmware identify --format json
run detect firmware detect --format json
load_after=$(uptime)

echo
echo "| step | wall | CPU user+sys | peak RSS |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
python3 - "$RES/scan.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["targets"][0]
print(f"scan: {len(r['components'])} components, {len(r['findings'])} findings, "
      f"{len(r['problems'])} problems, {len(t.get('unassessed') or [])} entries not assessed")
PY
echo "load before: $load_before"
echo "load after:  $load_after"
echo "reports and /usr/bin/time output: $RES"
