#!/usr/bin/env bash
# build-image.sh OUTDIR — builds the firmware image of the (fictional)
# Bramblecrest BX-Vault 4800 NAS, firmware 7.3.1, for the demo review.
#
# The root filesystem is assembled from REAL Debian bookworm arm64 packages
# (downloaded with apt-get into a private apt state under OUTDIR/.cache; the
# system's apt configuration is untouched) plus the vendor's own files, in
# which the problems listed in answers.json (beside this script) are
# planted. Layout, outermost first:
#
#   512-byte Bramblecrest header "BXFW" (model, version, payload size and SHA-256)
#   └─ U-Boot legacy uImage (arm64, ramdisk, gzip)
#      └─ gzip
#         └─ cpio (newc) root filesystem with /var/lib/dpkg/status
#
# Output: OUTDIR/bx-vault-7.3.1.bin. Reruns with the same packages are
# byte-identical (fixed timestamps, owners, file order; deterministic key
# and hash). The image is cached: it is rebuilt only when this script
# changes or the image is missing.
# Needs: apt-get dpkg-deb cpio gzip mkimage (u-boot-tools) openssl python3.
# Env: DEBIAN_MIRROR overrides the mirror read from /etc/apt.
set -euo pipefail
umask 022
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=1715678400 # 2024-05-14T09:20:00Z, the release date
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
OUT=$(realpath -m "$1")
IMG=$OUT/bx-vault-7.3.1.bin
SELF=$(realpath "$0")
STAMP=$(sha256sum "$SELF" | cut -c1-16)
if [ -s "$IMG" ] && [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$STAMP" ]; then
	echo "$IMG"
	exit 0
fi
for t in apt-get dpkg-deb cpio gzip mkimage openssl python3; do
	command -v $t >/dev/null || { echo "build-image.sh: missing tool $t (apt-get install u-boot-tools cpio openssl python3)" >&2; exit 2; }
done
CACHE=$OUT/.cache WORK=$OUT/.work
rm -rf "$WORK"
mkdir -p "$WORK" "$CACHE/debs"

# --- Debian packages (bookworm, arm64) ----------------------------------
ARCH=arm64 TR=aarch64-linux-gnu
PKGS="busybox libc6 libcrypt1 libssl3 zlib1g lighttpd libpcre2-8-0 libxxhash0 dnsmasq-base libgmp10 libnettle8 libhogweed6 libidn2-0 libunistring2 libsqlite3-0"
DEBS=$CACHE/debs/bookworm-$ARCH
APT=$CACHE/apt
APTO=(-o "Dir::Etc::SourceList=$APT/sources.list" -o "Dir::Etc::SourceParts=$APT/sources.list.d"
	-o "Dir::Etc::Preferences=$APT/preferences" -o "Dir::Etc::PreferencesParts=$APT/preferences.d"
	-o "Dir::State=$APT/state" -o "Dir::State::status=$APT/status" -o "Dir::Cache=$APT/cache"
	-o APT::Architecture=$ARCH -o APT::Architectures::=$ARCH -o Debug::NoLocking=1 -o APT::Sandbox::User=root -q)
missing=""
for p in $PKGS; do ls "$DEBS/${p}_"*.deb >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
	mkdir -p "$APT/state/lists/partial" "$APT/cache/archives/partial" "$APT/sources.list.d" "$APT/preferences.d" "$DEBS"
	: >"$APT/status"
	: >"$APT/preferences"
	MIRROR=${DEBIAN_MIRROR:-$( { cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true; } |
		grep -E '^(URIs:|deb )' | grep -v security | grep -oE 'https?://[^ ]*debian[^ ]*' | head -1 || true)}
	[ -n "$MIRROR" ] || { echo "build-image.sh: no Debian mirror found; set DEBIAN_MIRROR" >&2; exit 2; }
	echo "deb [arch=$ARCH signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR bookworm main" >"$APT/sources.list"
	apt-get "${APTO[@]}" update >/dev/null
	(cd "$DEBS" && for p in $missing; do apt-get "${APTO[@]}" download "$p:$ARCH" >/dev/null; done)
fi

R=$WORK/rootfs
mkdir -p "$R/var/lib/dpkg/info"
: >"$WORK/status"
for p in $PKGS; do
	f=$(ls "$DEBS/${p}_"*.deb | sort | tail -1)
	dpkg-deb -x "$f" "$R"
	# The package database a real Debian-derived image carries.
	dpkg-deb -f "$f" | awk 'NR==1{print; print "Status: install ok installed"; next} {print}' >>"$WORK/status"
	echo >>"$WORK/status"
	dpkg-deb -c "$f" | awk '{print substr($6,2)}' | sed 's|/$||; s|^$|/.|' >"$R/var/lib/dpkg/info/$p:$ARCH.list"
done
mv "$WORK/status" "$R/var/lib/dpkg/status"
rm -rf "$R/usr/share/doc" "$R/usr/share/man" "$R/usr/share/locale" "$R/usr/share/lintian" "$R/usr/lib/$TR/gconv" \
	"$R/etc/init.d" "$R/lib/systemd" "$R/usr/lib/systemd" "$R/etc/systemd"
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,etc/bx/ssl,etc/crontabs,proc,sys,dev,tmp,root,var/log,var/run,usr/lib/bx,usr/share/doc/bx,www}
chmod 1777 "$R/tmp"
for a in sh ash ls cat cp mv rm mkdir mount umount ps sleep grep sed awk wget login date hostname; do ln -sfn busybox "$R/bin/$a"; done
for a in init getty telnetd ifconfig route udhcpc crond syslogd reboot; do ln -sfn ../bin/busybox "$R/sbin/$a"; done

# --- the vendor's files, with the planted problems (see answers.json) ---
echo "7.3.1.2204" >"$R/etc/bx/version"
echo "bx-vault" >"$R/etc/hostname"
cat >"$R/etc/inittab" <<'X'
::sysinit:/etc/init.d/rcS
ttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/umount -a -r
X
cat >"$R/etc/init.d/rcS" <<'X'
#!/bin/sh
# Start every enabled service in order.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
hostname -F /etc/hostname
for s in /etc/init.d/S??*; do
	[ -x "$s" ] && "$s" start
done
X
cat >"$R/etc/init.d/S10network" <<'X'
#!/bin/sh
ifconfig lo 127.0.0.1 up
. /etc/bx/lan.conf
ifconfig eth0 "$LAN_ADDR" netmask 255.255.255.0 up
X
printf 'LAN_ADDR=192.168.10.1\nLAN_DNS=192.168.10.1\n' >"$R/etc/bx/lan.conf"
cat >"$R/etc/init.d/S40lighttpd" <<'X'
#!/bin/sh
/usr/sbin/lighttpd -f /etc/lighttpd/lighttpd.conf
X
cat >"$R/etc/init.d/S45dnsmasq" <<'X'
#!/bin/sh
/usr/sbin/dnsmasq --conf-file=/etc/dnsmasq.conf
X
# Planted: telnet service started at boot (support access, not documented).
cat >"$R/etc/init.d/S50telnetd" <<'X'
#!/bin/sh
# field support access
/sbin/telnetd -p 23 -l /bin/login
X
cat >"$R/etc/init.d/S70crond" <<'X'
#!/bin/sh
/sbin/crond -c /etc/crontabs
X
cat >"$R/etc/init.d/S80telemetry" <<'X'
#!/bin/sh
/usr/lib/bx/telemetry.sh &
X
chmod 755 "$R"/etc/init.d/rcS "$R"/etc/init.d/S*
# Decoy: an example script that is neither executable nor started.
cat >"$R/usr/share/doc/bx/debug-shell.sh.example" <<'X'
#!/bin/sh
# Engineering builds only: serial debug shell over TCP.
/sbin/telnetd -p 2323 -l /bin/sh
X
# Planted: an undocumented uid-0 account with a trivial md5crypt password.
cat >"$R/etc/passwd" <<'X'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
www-data:x:33:33:www-data:/www:/bin/false
admin:x:1000:1000:NAS administrator:/home/admin:/bin/sh
bxsupport:x:0:0:BX support:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
X
{
	echo "root:!:19857:0:99999:7:::"
	echo "daemon:*:19857:0:99999:7:::"
	echo "www-data:*:19857:0:99999:7:::"
	echo "admin:$(openssl passwd -6 -salt q8Lr2VmT0zXe admin):19857:0:99999:7:::"
	echo "bxsupport:$(openssl passwd -1 -salt Bx7sUp0r support):19857:0:99999:7:::"
	echo "nobody:*:19857:0:99999:7:::"
} >"$R/etc/shadow"
chmod 600 "$R/etc/shadow"
# Planted: firmware update over plain HTTP, downloaded and run by a shell from cron.
cat >"$R/usr/sbin/bx-update" <<'X'
#!/bin/sh
# Nightly update check.
URL="http://update.bramblecrest.example/bxv4800/stable/latest.sh"
wget -q -O /tmp/bx-update.sh "$URL" && sh /tmp/bx-update.sh
X
chmod 755 "$R/usr/sbin/bx-update"
echo "17 3 * * * /usr/sbin/bx-update >/dev/null 2>&1" >"$R/etc/crontabs/root"
# Planted: a hard-coded API token and the outbound telemetry endpoint.
cat >"$R/etc/bx/cloudlink.conf" <<'X'
# BX-CloudLink remote management
CLOUDLINK_URL="https://cloudlink.bramblecrest.example/api/v2"
CLOUDLINK_API_TOKEN="bxcl_live_7Qm2ZtV9pL4sX8rN1wK6yH3dF0aJ5cE2"
CLOUDLINK_REMOTE_SHELL=1
X
cat >"$R/usr/lib/bx/telemetry.sh" <<'X'
#!/bin/sh
# Report device health and usage to Bramblecrest every 15 minutes.
. /etc/bx/cloudlink.conf
while true; do
	wget -q -O /dev/null --header "Authorization: Bearer $CLOUDLINK_API_TOKEN" \
		--post-data "serial=$(cat /proc/device-tree/serial-number 2>/dev/null)&df=$(df -P | tr '\n' ';')" \
		"https://telemetry.bramblecrest-cloud.example/v2/ingest"
	sleep 900
done
X
chmod 755 "$R/usr/lib/bx/telemetry.sh"
# Decoy: documentation example with placeholders only.
cat >"$R/usr/share/doc/bx/cloudlink.conf.example" <<'X'
# copy to /etc/bx/cloudlink.conf
CLOUDLINK_URL="https://cloudlink.example.com/api/v2"
CLOUDLINK_API_TOKEN="<your token here>"
X
# Planted: the same EC P-256 TLS key on every device (deterministic from a seed).
python3 - "$R/etc/bx/ssl/device.key" <<'PY'
import base64, hashlib, sys
n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
d = int.from_bytes(hashlib.sha256(b"bramblecrest bx-vault 7.3 device key").digest(), "big") % (n - 1) + 1
der = bytes.fromhex("30310201010420") + d.to_bytes(32, "big") + bytes.fromhex("a00a06082a8648ce3d030107")
b = base64.b64encode(der).decode()
open(sys.argv[1], "w").write("-----BEGIN EC PRIVATE KEY-----\n" + "\n".join(b[i:i + 64] for i in range(0, len(b), 64)) + "\n-----END EC PRIVATE KEY-----\n")
PY
openssl ec -in "$R/etc/bx/ssl/device.key" -out "$R/etc/bx/ssl/device.key" 2>/dev/null # adds the public key
chmod 600 "$R/etc/bx/ssl/device.key"
mkdir -p "$R/etc/lighttpd"
cat >"$R/etc/lighttpd/lighttpd.conf" <<'X'
server.document-root = "/www"
server.port = 80
server.username = "www-data"
server.groupname = "www-data"
server.modules = ("mod_access", "mod_cgi")
cgi.assign = (".cgi" => "/bin/sh")
X
printf 'interface=eth0\ndhcp-range=192.168.10.100,192.168.10.200,12h\n' >"$R/etc/dnsmasq.conf"
printf '<html><body>BX-Vault 4800</body></html>\n' >"$R/www/index.html"

# --- pack: cpio (newc) -> gzip -> uImage -> vendor header --------------
find "$R" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
(cd "$R" && find . -mindepth 1 | sort | cpio -o -H newc --reproducible -R 0:0 --quiet) >"$WORK/rootfs.cpio"
gzip -9 -n -c "$WORK/rootfs.cpio" >"$WORK/rootfs.cpio.gz"
mkimage -A arm64 -O linux -T ramdisk -C gzip -a 0 -e 0 -n "BX-Vault 4800 7.3.1 rootfs" -d "$WORK/rootfs.cpio.gz" "$WORK/rootfs.uimg" >/dev/null
mkdir -p "$OUT"
python3 - "$WORK/rootfs.uimg" "$IMG.tmp" <<'PY'
import hashlib, struct, sys
payload = open(sys.argv[1], "rb").read()
# BXFW header v1: magic, header version, header size, model, firmware
# version, build time (unix), payload offset and size, payload SHA-256.
hdr = struct.pack(">4sHH16s16sIII32s", b"BXFW", 1, 512, b"BXV-4800", b"7.3.1.2204", 1715678400, 512, len(payload), hashlib.sha256(payload).digest())
open(sys.argv[2], "wb").write(hdr.ljust(512, b"\0") + payload)
PY
mv "$IMG.tmp" "$IMG"
echo "$STAMP" >"$OUT/.stamp"
rm -rf "$WORK"
echo "$IMG"
