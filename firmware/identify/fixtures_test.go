package identify

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/firmware"
	"github.com/assayhq/assay/inventory"
	"github.com/assayhq/assay/supplier/eol"
)

// ELF machines for the fixture binaries.
const (
	emARM    = 40
	emMIPS   = 8
	emX86_64 = 62
)

// fakeELF returns an ELF-headed blob of the given machine whose read-only
// data holds strs, NUL-terminated, between runs of deterministic noise,
// as strings sit in a real binary's .rodata.
func fakeELF(machine uint16, bigEndian bool, seed uint64, strs ...string) []byte {
	var b bytes.Buffer
	h := make([]byte, 52)
	copy(h, "\x7fELF\x01")
	var bo binary.ByteOrder = binary.LittleEndian
	h[5] = 1
	if bigEndian {
		bo, h[5] = binary.BigEndian, 2
	}
	h[6] = 1
	bo.PutUint16(h[16:], 2) // ET_EXEC
	bo.PutUint16(h[18:], machine)
	b.Write(h)
	r := rand.New(rand.NewPCG(seed, uint64(machine)))
	noise := func(n int) {
		for range n {
			c := byte(r.IntN(256))
			if c >= '0' && c <= '9' { // keep the noise free of version-like text
				c = 0xff
			}
			b.WriteByte(c)
		}
	}
	for _, s := range strs {
		noise(512 + r.IntN(1024))
		b.WriteString("\x00" + s + "\x00")
	}
	noise(512)
	return b.Bytes()
}

// node is one entry of a fixture tree.
type node struct {
	path string
	body []byte
	link string // symlink target when set
}

func file(p string, body any) node {
	switch v := body.(type) {
	case string:
		return node{path: p, body: []byte(v)}
	case []byte:
		return node{path: p, body: v}
	}
	panic(fmt.Sprintf("file %s: body %T", p, body))
}

func tarGz(t *testing.T, tree []node) []byte { return tarGzB(t, tree) }

func tarGzB(t testing.TB, tree []node) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	mt := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range tree {
		h := &tar.Header{Name: n.path, Mode: 0o755, ModTime: mt, Typeflag: tar.TypeReg, Size: int64(len(n.body))}
		if n.link != "" {
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, n.link, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if n.link == "" {
			if _, err := tw.Write(n.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cpioNewc writes the tree as a cpio "newc" archive.
func cpioNewc(tree []node) []byte {
	var b bytes.Buffer
	entry := func(ino int, name string, mode int, data []byte) {
		fmt.Fprintf(&b, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\x00",
			ino, mode, 0, 0, 1, 1704067200, len(data), 0, 0, 0, 0, len(name)+1, 0, name)
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
		b.Write(data)
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
	}
	for i, n := range tree {
		if n.link != "" {
			entry(i+1, n.path, 0o120777, []byte(n.link))
		} else {
			entry(i+1, n.path, 0o100755, n.body)
		}
	}
	entry(0, "TRAILER!!!", 0, nil)
	return b.Bytes()
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uImage wraps data in a U-Boot legacy header (os Linux, arch ARM).
func uImage(data []byte, imgType, comp byte, name string) []byte {
	h := make([]byte, 64)
	be := binary.BigEndian
	be.PutUint32(h[0:], 0x27051956)
	be.PutUint32(h[8:], 1704067200)
	be.PutUint32(h[12:], uint32(len(data)))
	be.PutUint32(h[16:], 0x80008000)
	be.PutUint32(h[20:], 0x80008000)
	be.PutUint32(h[24:], crc32.ChecksumIEEE(data))
	h[28], h[29], h[30], h[31] = 5, 2, imgType, comp
	copy(h[32:], name)
	be.PutUint32(h[4:], crc32.ChecksumIEEE(h))
	return append(h, data...)
}

// want is one expected component.
type want struct {
	name, version, path string
	evidence            string // substring of MetaEvidence, when set
	eol                 bool   // MetaEOL expected
	locations           int    // number of locations, when > 0
	cpe                 string // a CPE prefix the component must carry, when set
}

// testEOL is a small slice of endoflife.date data.
var testEOL = eol.DB{
	"openssl": {Name: "openssl", Cycles: []eol.Cycle{{Cycle: "3.0", EOL: "2026-09-07"}, {Cycle: "1.1.1", EOL: "2023-09-11"}}},
	"nginx":   {Name: "nginx", Cycles: []eol.Cycle{{Cycle: "1.26", EOL: "false"}, {Cycle: "1.18", EOL: "2021-04-20"}}},
	"linux-kernel": {Name: "linux-kernel", Cycles: []eol.Cycle{
		{Cycle: "6.6", EOL: "2026-12-31"}, {Cycle: "5.15", EOL: "2026-12-31"}, {Cycle: "4.14", EOL: "2024-01-10"}}},
}

func openwrtTree() []node {
	busybox := fakeELF(emMIPS, false, 1, "BusyBox v1.33.2 (2022-04-16 12:59:34 UTC) multi-call binary.", "Usage: busybox [function [arguments]...]")
	return []node{
		file("etc/os-release", "NAME=\"OpenWrt\"\nVERSION=\"21.02.3\"\nID=\"openwrt\"\nVERSION_ID=\"21.02.3\"\n"),
		file("usr/lib/opkg/status", "Package: dnsmasq\nVersion: 2.85-8\nDepends: libc, libubus20230605\nStatus: install user installed\nArchitecture: mipsel_24kc\nInstalled-Time: 1650000000\n\n"+
			"Package: uhttpd\nVersion: 2022-02-07-2f8569a6-2\nStatus: install user installed\nArchitecture: mipsel_24kc\n\n"),
		file("usr/lib/opkg/info/dnsmasq.list", "/usr/sbin/dnsmasq\n/etc/init.d/dnsmasq\n"),
		file("usr/sbin/dnsmasq", fakeELF(emMIPS, false, 2, "dnsmasq-2.85", "Dnsmasq version %s  %s", "Compile time options: %s")),
		file("usr/sbin/hostapd", fakeELF(emMIPS, false, 3, "hostapd v%s\nUser space daemon for IEEE 802.11 AP management,", "802.11b", "2.9")),
		file("lib/libuClibc-1.0.39.so", fakeELF(emMIPS, false, 4, "libc.so.1")),
		file("lib/ld-uClibc-1.0.39.so", fakeELF(emMIPS, false, 5, "ld-uClibc.so.1")),
		file("usr/lib/libcrypto.so.1.1", fakeELF(emMIPS, false, 6, "crypto/evp/evp_enc.c", "OpenSSL 1.1.1w  11 Sep 2023", "assertion failed: ctx->cipher->block_size == 1")),
		file("usr/lib/libcurl.so.4", fakeELF(emMIPS, false, 7, "libcurl/7.83.1", "CLIENT libcurl 7.83.1")),
		file("usr/sbin/lighttpd", fakeELF(emMIPS, false, 8, "lighttpd/1.4.59 (ssl) - a light and fast webserver", "server started (lighttpd/1.4.59)")),
		file("bin/busybox", busybox),
		file("rom/bin/busybox", busybox),
		{path: "bin/sh", link: "busybox"},
		file("usr/sbin/miniupnpd", fakeELF(emMIPS, false, 9, "miniupnpd 2.2.1 Apr 16 2022", "OpenWrt/21.02 UPnP/1.1 MiniUPnPd/2.2.1")),
		file("usr/sbin/pppd", fakeELF(emMIPS, false, 10, "pppd version %s", "/usr/lib/pppd/2.4.8")),
		file("usr/lib/libsqlite3.so.0", fakeELF(emMIPS, false, 11, "sqlite_version", "sqlite_source_id", "2021-06-18 18:36:39 5c9a6c06871cb9fe42814af9c039eb6da5427a6ec28f187af7ebfb62eafa66e5", "3.36.0")),
		file("usr/bin/mkimage", fakeELF(emMIPS, false, 12, "U-Boot mkimage %s", "2023.01")),
		file("usr/share/doc/README", "This package needs OpenSSL 1.1.1 or later and nginx/ to run.\n"),
		file("usr/sbin/wpa_supplicant", fakeELF(emMIPS, false, 13, "wpa_supplicant v2.9", "OpenSSL 1.1.1k  25 Mar 2021", "OpenSSL build=%s run=%s")),
		file("usr/sbin/dropbear", fakeELF(emMIPS, true, 14, "SSH-2.0-dropbear_2020.81")),
	}
}

func alpineTree() []node {
	return []node{
		file("etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\n"),
		file("lib/apk/db/installed", "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:armhf\nS:383152\nI:622592\nT:the musl c library (libc) implementation\nU:https://musl.libc.org/\nL:MIT\no:musl\nm:Timo Teräs <timo.teras@iki.fi>\nt:1698230566\nF:lib\nR:ld-musl-armhf.so.1\nR:libc.musl-armv7.so.1\n\n"+
			"C:Q1def=\nP:busybox\nV:1.36.1-r5\nA:armhf\nS:500000\nI:900000\nT:Size optimized toolbox\nU:https://busybox.net/\nL:GPL-2.0-only\no:busybox\nm:Sören Tempel <soeren+alpine@soeren-tempel.net>\nt:1698230566\nF:bin\nR:busybox\n\n"),
		file("lib/ld-musl-armhf.so.1", fakeELF(emARM, false, 21, "musl libc (armhf)", "Version %s", "Dynamic Program Loader", "1.2.4")),
		{path: "lib/libc.musl-armv7.so.1", link: "ld-musl-armhf.so.1"},
		file("bin/busybox", fakeELF(emARM, false, 22, "BusyBox v1.36.1 (2023-06-02 00:42:02 UTC)")),
		file("usr/sbin/nginx", fakeELF(emARM, false, 23, "nginx version: nginx/1.18.0", "Server: nginx/1.18.0")),
		file("boot/u-boot.bin", append([]byte{0x13, 0, 0, 0xea}, fakeELF(emARM, false, 24, "U-Boot 2021.04-rc3-00012-gabcdef (Apr 12 2021 - 10:00:00 +0000)")[4:]...)),
		file("usr/bin/gdbserver", fakeELF(emX86_64, false, 25, "GNU gdbserver %s%s", "Copyright (C) 2021 Free Software Foundation, Inc.", "10.2")),
		file("usr/sbin/smbd", fakeELF(emARM, false, 26, "SAMBA_4.13.17_PRIVATE_SAMBA", "PANIC (pid %llu): %s in 4.13.17")),
		file("usr/sbin/xtables-legacy-multi", fakeELF(emARM, false, 27, "1.8.7", "iptables-restore", "iptables-save")),
		file("usr/lib/libmbedtls.so.14", fakeELF(emARM, false, 28, "Mbed TLS 3.4.0")),
		file("usr/lib/libwolfssl.so.35", fakeELF(emARM, false, 29, "wolfSSL 5.6.3")),
		file("usr/lib/libressl/libcrypto.so.50", fakeELF(emARM, false, 30, "LibreSSL 3.7.3")),
		file("usr/sbin/sshd", fakeELF(emARM, false, 31, "OpenSSH_7.0*,OpenSSH_7.1*", "OpenSSH_8.4", "OpenSSH_8.4p1")),
		file("usr/lib/libupnp.so.17", fakeELF(emARM, false, 32, "UPnP/1.0, Portable SDK for UPnP devices/1.14.18\r\n")),
		file("usr/lib/libz.so.1", fakeELF(emARM, false, 33, " inflate 1.2.11 Copyright 1995-2017 Mark Adler ")),
		file("lib/libc-2.19.so", fakeELF(emARM, false, 34, "GNU C Library stable release version 2.19, by Roland McGrath et al.")),
		file("usr/bin/curl", fakeELF(emARM, false, 35, "curl 7.74.0 (arm-unknown-linux-gnueabihf) %s", "curl/7.74.0")),
	}
}

func kernelBlob() []byte {
	return fakeELF(emARM, false, 40, "Linux version 4.14.180 (builder@buildhost) (gcc version 7.5.0 (OpenWrt GCC 7.5.0 r11257)) #0 Sat May 16 18:32:20 2020", "Booting Linux on physical CPU 0x%lx")
}

func TestFixtures(t *testing.T) {
	on := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		image  func(t *testing.T) []byte
		want   []want
		absent []string // name or name@version that must not be reported
	}{
		{
			name:  "openwrt tar.gz mipsel opkg",
			image: func(t *testing.T) []byte { return tarGz(t, openwrtTree()) },
			want: []want{
				{name: "dnsmasq", version: "2.85-8", path: "/usr/lib/opkg/status", evidence: `banner "dnsmasq-2.85"`},
				{name: "uhttpd", version: "2022-02-07-2f8569a6-2", path: "/usr/lib/opkg/status"},
				{name: "hostapd", version: "2.9", path: "/usr/sbin/hostapd", cpe: "cpe:2.3:a:w1.fi:hostapd:2.9:"},
				{name: "uclibc", version: "1.0.39", path: "/lib/libuClibc-1.0.39.so", locations: 2, cpe: "cpe:2.3:a:uclibc-ng_project:uclibc-ng:1.0.39:"},
				{name: "openssl", version: "1.1.1w", path: "/usr/lib/libcrypto.so.1.1", eol: true, cpe: "cpe:2.3:a:openssl:openssl:1.1.1w:"},
				{name: "curl", version: "7.83.1", path: "/usr/lib/libcurl.so.4", evidence: "libcurl/7.83.1", cpe: "cpe:2.3:a:haxx:curl:7.83.1:"},
				{name: "lighttpd", version: "1.4.59", path: "/usr/sbin/lighttpd", cpe: "cpe:2.3:a:lighttpd:lighttpd:1.4.59:"},
				{name: "busybox", version: "1.33.2", path: "/bin/busybox", locations: 2, cpe: "cpe:2.3:a:busybox:busybox:1.33.2:"},
				{name: "miniupnpd", version: "2.2.1", path: "/usr/sbin/miniupnpd", cpe: "cpe:2.3:a:miniupnp_project:miniupnpd:2.2.1:"},
				{name: "pppd", version: "2.4.8", path: "/usr/sbin/pppd"},
				{name: "sqlite", version: "3.36.0", path: "/usr/lib/libsqlite3.so.0", cpe: "cpe:2.3:a:sqlite:sqlite:3.36.0:"},
				{name: "wpa_supplicant", version: "2.9", path: "/usr/sbin/wpa_supplicant"},
				{name: "dropbear", version: "2020.81", path: "/usr/sbin/dropbear", evidence: "SSH-2.0-dropbear_2020.81", cpe: "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2020.81:"},
			},
			absent: []string{"u-boot", "openssl@1.1.1k", "openssl@1.1.1", "nginx", "dnsmasq@2.85"},
		},
		{
			name: "uImage kernel and uImage ramdisk, alpine armhf apk",
			image: func(t *testing.T) []byte {
				img := uImage(gzipBytes(t, kernelBlob()), 2, 1, "Linux-4.14.180")
				img = append(img, make([]byte, 4096-len(img)%4096)...)
				return append(img, uImage(gzipBytes(t, cpioNewc(alpineTree())), 3, 1, "rootfs")...)
			},
			want: []want{
				{name: "linux", version: "4.14.180", eol: true, evidence: "Linux version 4.14.180 (builder@buildhost)", cpe: "cpe:2.3:o:linux:linux_kernel:4.14.180:"},
				{name: "musl", version: "1.2.4-r2", path: "/lib/apk/db/installed", evidence: `marker "musl libc (`},
				{name: "busybox", version: "1.36.1-r5", path: "/lib/apk/db/installed", evidence: "BusyBox v1.36.1"},
				{name: "nginx", version: "1.18.0", path: "/usr/sbin/nginx", eol: true, cpe: "cpe:2.3:a:f5:nginx:1.18.0:"},
				{name: "u-boot", version: "2021.04", path: "/boot/u-boot.bin", cpe: "cpe:2.3:a:denx:u-boot:2021.04:"},
				{name: "gdbserver", version: "10.2", path: "/usr/bin/gdbserver", cpe: "cpe:2.3:a:gnu:gdb:10.2:"},
				{name: "samba", version: "4.13.17", path: "/usr/sbin/smbd", cpe: "cpe:2.3:a:samba:samba:4.13.17:"},
				{name: "iptables", version: "1.8.7", path: "/usr/sbin/xtables-legacy-multi", cpe: "cpe:2.3:a:netfilter:iptables:1.8.7:"},
				{name: "mbedtls", version: "3.4.0", path: "/usr/lib/libmbedtls.so.14", cpe: "cpe:2.3:a:arm:mbed_tls:3.4.0:"},
				{name: "wolfssl", version: "5.6.3", path: "/usr/lib/libwolfssl.so.35", cpe: "cpe:2.3:a:wolfssl:wolfssl:5.6.3:"},
				{name: "libressl", version: "3.7.3", path: "/usr/lib/libressl/libcrypto.so.50", cpe: "cpe:2.3:a:openbsd:libressl:3.7.3:"},
				{name: "openssh", version: "8.4p1", path: "/usr/sbin/sshd", cpe: "cpe:2.3:a:openbsd:openssh:8.4:p1:"},
				{name: "libupnp", version: "1.14.18", path: "/usr/lib/libupnp.so.17", cpe: "cpe:2.3:a:libupnp_project:libupnp:1.14.18:"},
				{name: "zlib", version: "1.2.11", path: "/usr/lib/libz.so.1", cpe: "cpe:2.3:a:zlib:zlib:1.2.11:"},
				{name: "glibc", version: "2.19", path: "/lib/libc-2.19.so", cpe: "cpe:2.3:a:gnu:glibc:2.19:"},
				{name: "curl", version: "7.74.0", path: "/usr/bin/curl"},
			},
			absent: []string{"musl@1.2.4", "busybox@1.36.1", "openssh@8.4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			comps, unassessed := identifyBytes(t, tt.image(t), Options{EOL: testEOL, Now: on})
			if len(unassessed) > 0 {
				t.Errorf("unassessed: %v", unassessed)
			}
			checkComponents(t, comps, tt.want, tt.absent)
		})
	}
}

// TestDpkgAndGo reads a Debian root (dpkg status and file lists, merged
// /usr) holding a Go binary built here.
func TestDpkgAndGo(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "hello")
	cmd := exec.Command("go", "build", "-trimpath", "-o", exe, "./testdata/hello")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("go build: %v\n%s", err, out)
	}
	hello, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	tree := []node{
		file("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nID=debian\nVERSION_ID=\"11\"\nVERSION_CODENAME=bullseye\n"),
		file("var/lib/dpkg/status", "Package: libssl1.1\nStatus: install ok installed\nPriority: optional\nSection: libs\nMaintainer: Debian OpenSSL Team\nArchitecture: armhf\nMulti-Arch: same\nSource: openssl\nVersion: 1.1.1n-0+deb11u5\nDescription: Secure Sockets Layer toolkit\n\n"),
		file("var/lib/dpkg/info/libssl1.1:armhf.list", "/.\n/usr\n/usr/lib\n/usr/lib/arm-linux-gnueabihf\n/lib/arm-linux-gnueabihf/libcrypto.so.1.1\n"),
		{path: "lib", link: "usr/lib"},
		file("usr/lib/arm-linux-gnueabihf/libcrypto.so.1.1", fakeELF(emARM, false, 50, "crypto/evp/evp_enc.c", "OpenSSL 1.1.1n  15 Mar 2022")),
		file("usr/bin/hello", hello),
	}
	comps, unassessed := identifyBytes(t, tarGz(t, tree), Options{EOL: testEOL, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if len(unassessed) > 0 {
		t.Errorf("unassessed: %v", unassessed)
	}
	checkComponents(t, comps, []want{
		{name: "libssl1.1", version: "1.1.1n-0+deb11u5", path: "/var/lib/dpkg/status", eol: true,
			evidence: `banner "OpenSSL 1.1.1n 15 Mar 2022" at 0x`},
		{name: "stdlib", path: "/usr/bin/hello", evidence: "go build information"},
	}, []string{"openssl"})
	for _, c := range comps {
		if c.Name == "libssl1.1" && (c.Ecosystem != "Debian:11" || !strings.HasPrefix(c.PURL, "pkg:deb/debian/libssl1.1@")) {
			t.Errorf("dpkg component: ecosystem %q purl %q", c.Ecosystem, c.PURL)
		}
	}
}

func unpackBytes(t testing.TB, img []byte) *firmware.Result {
	t.Helper()
	p := filepath.Join(t.TempDir(), "image.bin")
	if err := os.WriteFile(p, img, 0o644); err != nil {
		t.Fatal(err)
	}
	return unpackFile(t, p)
}

// unpackFile unpacks the image at p, removed at the end of the test.
func unpackFile(t testing.TB, p string) *firmware.Result {
	t.Helper()
	res, err := firmware.Unpack(context.Background(), p, firmware.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Close() })
	return res
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func identifyBytes(t *testing.T, img []byte, opts Options) ([]inventory.Component, []inventory.Unassessed) {
	t.Helper()
	comps, unassessed, err := Identify(context.Background(), unpackBytes(t, img), opts)
	if err != nil {
		t.Fatal(err)
	}
	return comps, unassessed
}

func checkComponents(t *testing.T, comps []inventory.Component, wants []want, absent []string) {
	t.Helper()
	for _, w := range wants {
		c := findComponent(comps, w)
		if c == nil {
			t.Errorf("%s %s at %s not found", w.name, w.version, w.path)
			continue
		}
		if w.evidence != "" && !strings.Contains(c.Metadata[inventory.MetaEvidence], w.evidence) {
			t.Errorf("%s: evidence %q, want it to hold %q", w.name, c.Metadata[inventory.MetaEvidence], w.evidence)
		}
		if got := c.Metadata[inventory.MetaEOL] == "true"; got != w.eol {
			t.Errorf("%s %s: eol %v, want %v (metadata %v)", w.name, c.Version, got, w.eol, c.Metadata)
		}
		if w.locations > 0 && len(c.Locations) != w.locations {
			t.Errorf("%s: %d locations, want %d: %v", w.name, len(c.Locations), w.locations, c.Locations)
		}
		if w.cpe != "" && (len(c.CPEs) == 0 || !strings.HasPrefix(c.CPEs[0], w.cpe)) {
			t.Errorf("%s: cpes %v, want prefix %s", w.name, c.CPEs, w.cpe)
		}
		if c.Ecosystem == "" && c.PURL != "pkg:generic/"+c.Name+"@"+c.Version {
			t.Errorf("%s: purl %q", w.name, c.PURL)
		}
	}
	for _, a := range absent {
		name, version, _ := strings.Cut(a, "@")
		for _, c := range comps {
			if c.Name == name && (version == "" || c.Version == version) {
				t.Errorf("reported %s %s at %v (%s), want none", c.Name, c.Version, c.Locations, c.Metadata[inventory.MetaEvidence])
			}
		}
	}
	if t.Failed() {
		for _, c := range comps {
			t.Logf("got %s %s %s %v %s", c.Name, c.Version, c.Ecosystem, c.Locations, c.Metadata[inventory.MetaEvidence])
		}
	}
}

// findComponent finds w by name, version (when set) and path (when set).
func findComponent(comps []inventory.Component, w want) *inventory.Component {
	for i, c := range comps {
		if c.Name != w.name || w.version != "" && c.Version != w.version {
			continue
		}
		if w.path == "" {
			return &comps[i]
		}
		for _, l := range c.Locations {
			if l.Path == w.path {
				return &comps[i]
			}
		}
	}
	return nil
}

// TestRPMOwnership reads a real rpm database (AlmaLinux 9, SQLite, from
// osv-scalibr's test data): a binary an rpm package lists is evidence for
// that package, not a second component found by signature.
func TestRPMOwnership(t *testing.T) {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("go env: %v", err)
	}
	db, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "github.com/google/osv-scalibr@v0.5.3/extractor/filesystem/os/rpm/testdata/rpmdb.sqlite"))
	if err != nil {
		t.Skipf("rpm test database: %v", err)
	}
	curl := fakeELF(emX86_64, false, 7, "curl/7.76.1 ", "Usage: curl [options...] <url>")
	for _, tt := range []struct {
		name   string
		tree   []node
		want   []want
		absent []string
	}{
		{"owned by curl-minimal", []node{
			file("etc/os-release", "NAME=\"AlmaLinux\"\nID=\"almalinux\"\nVERSION_ID=\"9.1\"\n"),
			file("var/lib/rpm/rpmdb.sqlite", db),
			file("usr/bin/curl", curl),
		}, []want{{name: "curl-minimal", version: "7.76.1-23.el9_2.1", path: "/var/lib/rpm/rpmdb.sqlite", evidence: "curl/7.76.1"}},
			[]string{"curl"}},
		{"not listed by any package", []node{
			file("etc/os-release", "NAME=\"AlmaLinux\"\nID=\"almalinux\"\nVERSION_ID=\"9.1\"\n"),
			file("var/lib/rpm/rpmdb.sqlite", db),
			file("opt/vendor/bin/curl", curl),
		}, []want{{name: "curl", version: "7.76.1", path: "/opt/vendor/bin/curl"}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			comps, _ := identifyBytes(t, tarGz(t, tt.tree), Options{EOL: testEOL, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
			checkComponents(t, comps, tt.want, tt.absent)
		})
	}
}
