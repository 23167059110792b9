package identify

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzScan checks that the signature scanner never panics and that every
// hit it reports is a version found in the input with printable evidence.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"\x00BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\x00",
		"\x00OpenSSL 1.0.2k-fips  26 Jan 2017\x00crypto/evp/evp_enc.c\x00",
		"SSH-2.0-dropbear_2022.83\r\n",
		"\x00hostapd v%s\n\x00" + strings.Repeat("\xff", 100) + "\x002.10\x00",
		"\x00musl libc (x86_64)\x00Version %s\x00\x001.2.3\x00",
		"\x00sqlite_source_id\x00\x003.40.1\x00",
		"Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP",
		"U-Boot 2023.01 (Jan 01 2024 - 00:00:00 +0000)",
		"iptables-restore\x00\x001.8.9\x00GNU gdbserver \x00 13.1\x00",
		strings.Repeat("BusyBox v", 100),
	} {
		f.Add([]byte(s))
	}
	sc := newScanner()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range sc.scan(data) {
			if m.version == "" || !strings.Contains(string(data), m.version) {
				t.Errorf("%s: version %q not in input", m.sig.name, m.version)
			}
			if !utf8.ValidString(m.evidence) || m.offset < 0 || m.offset >= int64(len(data)) {
				t.Errorf("%s: evidence %q at %d", m.sig.name, m.evidence, m.offset)
			}
		}
	})
}

// TestLimits checks the per-file size cap and cancellation.
func TestLimits(t *testing.T) {
	img := tarGz(t, openwrtTree())
	comps, unassessed := identifyBytes(t, img, Options{MaxFileSize: 600})
	if len(unassessed) == 0 {
		t.Fatal("no unassessed entry for files above MaxFileSize")
	}
	for _, u := range unassessed {
		if !strings.Contains(u.Reason, "600-byte limit") {
			t.Errorf("%s: reason %q", u.Path, u.Reason)
		}
	}
	for _, c := range comps {
		if c.Ecosystem == "" && c.Name != "uclibc" { // uClibc is named by its file name
			t.Errorf("%s scanned despite the cap", c.Name)
		}
	}

	res := unpackBytes(t, img)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Identify(ctx, res, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err %v", err)
	}
}

// TestContentCache checks that identical contents are analysed once.
func TestContentCache(t *testing.T) {
	res := unpackBytes(t, tarGz(t, openwrtTree()))
	id := &identifier{res: res, opts: Options{MaxFileSize: DefaultMaxFileSize}, scan: newScanner()}
	id.opts.Log = discard()
	if err := id.scanFiles(context.Background()); err != nil {
		t.Fatal(err)
	}
	regular := 0
	for _, f := range res.Files {
		if f.Mode.IsRegular() {
			regular++
		}
	}
	if len(id.byHash) != regular-1 { // bin/busybox and rom/bin/busybox are one content
		t.Errorf("%d contents analysed for %d regular files", len(id.byHash), regular)
	}
}
