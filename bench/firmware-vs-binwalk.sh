#!/usr/bin/env bash
# firmware-vs-binwalk.sh - compares `assay firmware unpack` with `binwalk -Me`
# on the public sample and on images built here: files reached (distinct
# non-empty regular-file contents, by SHA-256) and wall-clock time.
#
#   usage: bench/firmware-vs-binwalk.sh [WORKDIR]
#
# Needs: go, binwalk, mksquashfs, mkimage, cpio, mkfs.ubifs, ubinize,
# mkfs.jffs2, mkfs.ext4, mkfs.cramfs (Debian: binwalk squashfs-tools
# u-boot-tools cpio mtd-utils e2fsprogs util-linux). The public sample is
# used when ~/.cache/review-bench/firmware-public holds it (build it with
# ../shared/firmware/make-public-sample.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
W=$(realpath -m "${1:-/tmp/assay-fw-bench}")
rm -rf "$W"; mkdir -p "$W/img" "$W/root/etc/init.d" "$W/root/bin" "$W/root/lib" "$W/root/boot"
for t in go binwalk mksquashfs mkimage cpio mkfs.ubifs ubinize mkfs.jffs2 mkfs.ext4 mkfs.cramfs; do
	command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 1; }
done
GOTOOLCHAIN=local CGO_ENABLED=0 go build -o "$W/assay" ./cmd/assay

# A small root filesystem with some nesting.
R=$W/root
printf 'root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n' > "$R/etc/passwd"
printf '#!/bin/sh\ntelnetd -l /bin/sh\n' > "$R/etc/init.d/rcS"; chmod 755 "$R/etc/init.d/rcS"
head -c 300000 /dev/urandom > "$R/bin/busybox"; chmod 4755 "$R/bin/busybox"
for a in sh ls cat; do ln -sf busybox "$R/bin/$a"; done
for i in $(seq 1 200); do head -c $((i * 37)) /dev/urandom | base64 > "$R/lib/lib$i.so"; done
(cd "$R" && find etc bin | cpio -o -H newc 2>/dev/null | gzip -9 > "$W/initrd.gz")
cp "$W/initrd.gz" "$R/boot/initrd.gz"
tar -C "$R" -czf "$R/boot/backup.tgz" etc lib

I=$W/img
mksquashfs "$R" "$I/rootfs.sqsh" -comp xz -noappend -quiet -no-progress
head -c 2000000 /dev/urandom > "$W/vmlinux"; printf 'Linux version 5.10.0 (gcc 12)' >> "$W/vmlinux"
gzip -9 -c "$W/vmlinux" > "$W/vmlinux.gz"
mkimage -A arm -O linux -T kernel -C gzip -n "Linux-5.10" -d "$W/vmlinux.gz" "$W/kernel.uimg" >/dev/null
# vendor header + uImage kernel + padding + squashfs rootfs
{ head -c 512 /dev/urandom; cat "$W/kernel.uimg"; head -c 4096 /dev/zero; cat "$I/rootfs.sqsh"; } > "$I/vendor-fw.bin"
mkfs.ubifs -r "$R" -m 2048 -e 126976 -c 200 -x lzo -o "$W/rootfs.ubifs"
printf '[rootfs]\nmode=ubi\nimage=%s\nvol_id=0\nvol_type=dynamic\nvol_name=rootfs\n' "$W/rootfs.ubifs" > "$W/ubi.cfg"
ubinize -o "$I/rootfs.ubi" -m 2048 -p 128KiB -s 2048 "$W/ubi.cfg" 2>/dev/null
mkfs.jffs2 -r "$R" -o "$I/rootfs.jffs2" -e 128KiB -l -p
mkfs.ext4 -q -F -d "$R" "$I/rootfs.ext4" 16M
mkfs.cramfs "$R" "$I/rootfs.cramfs" >/dev/null
SAMPLE=$HOME/.cache/review-bench/firmware-public/aw100-2.0.15-rootfs.squashfs
[ -f "$SAMPLE" ] && cp "$SAMPLE" "$I/public-sample.squashfs"

# Distinct non-empty regular-file contents under a directory, skipping
# binwalk's raw carved copies of containers (NAME.squashfs, NAME.gz, ...).
hashes() {
	find "$1" -type f -size +0 ! -name '*.swap' ! -regex '.*/[0-9A-Fa-f]+\.\(squashfs\|gz\|xz\|lzma\|cpio\|tar\|zip\|ubi\|jffs2\|cramfs\|uimage\|7z\|bz2\|zst\|lz4\|ext\|img\)$' \
		-exec sha256sum {} + 2>/dev/null | cut -d' ' -f1 | sort -u
}
now() { date +%s.%N; }

printf '| image | size | assay files | assay time (s) | binwalk files | binwalk time (s) | reached by binwalk, not assay | reached by assay, not binwalk |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for img in "$I"/*; do
	n=$(basename "$img")
	a=$W/out-assay-$n; b=$W/out-binwalk-$n
	t0=$(now); "$W/assay" firmware unpack "$img" --out "$a" >/dev/null 2>&1 || true; t1=$(now)
	mkdir -p "$b"; t2=$(now); binwalk -Me --run-as=root -q -C "$b" "$img" >/dev/null 2>&1 || true; t3=$(now)
	hashes "$a" > "$W/$n.assay"; hashes "$b" > "$W/$n.binwalk"
	printf '| %s | %s | %s | %.2f | %s | %.2f | %s | %s |\n' "$n" "$(stat -c %s "$img")" \
		"$(wc -l < "$W/$n.assay")" "$(echo "$t1 - $t0" | bc)" "$(wc -l < "$W/$n.binwalk")" "$(echo "$t3 - $t2" | bc)" \
		"$(comm -13 "$W/$n.assay" "$W/$n.binwalk" | wc -l)" "$(comm -23 "$W/$n.assay" "$W/$n.binwalk" | wc -l)"
done
