package identify

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// A signature recognises one piece of software by a version string that
// its build embeds in the binary (or in a text file).
//
// The scanner looks for the literal anchor with bytes.Index and applies
// re, which must begin with the anchor, at each hit. re's first submatch is
// the version. When bare is set, re only proves that the software is
// present and the version is the nearest NUL-delimited string matching bare
// within bareWindow bytes of the hit (hostapd, musl and others keep the
// version in a separate string that a format directive prints).
type signature struct {
	name    string   // component name, also the purl name
	cpes    []string // NVD "part:vendor:product" triples
	typ     string   // component type
	eol     string   // endoflife.date product, "" when none
	anchor  string
	re      *regexp.Regexp
	bare    *regexp.Regexp
	lookbak string // optional literal just before the anchor to include in the evidence
	// requires lists literals of which the file must hold at least one:
	// proof that the code itself is in the file, not only a banner
	// compiled in from headers (wpa_supplicant logs the OpenSSL version
	// it was built against).
	requires []string
}

const (
	// maxMatchLen bounds the bytes a signature regexp reads after its anchor.
	maxMatchLen = 256
	// bareWindow bounds the distance between a presence marker and the
	// version string that goes with it.
	bareWindow = 256 << 10
	// maxHitsPerAnchor bounds the anchor hits examined in one file, so
	// that a file made of repeated anchors cannot make a scan quadratic.
	maxHitsPerAnchor = 4096
)

// ver is the usual dotted version: 1.2, 1.2.3 or 1.2.3.4.
const ver = `(\d{1,4}\.\d{1,4}(?:\.\d{1,4}){0,2})`

func sig(name, typ, eol, anchor, re string, cpes ...string) signature {
	return signature{name: name, typ: typ, eol: eol, anchor: anchor, re: regexp.MustCompile(`^` + re), cpes: cpes}
}

// withBare turns s into a presence marker whose version is found apart.
func (s signature) withBare(bare string) signature {
	s.bare = regexp.MustCompile(`\x00` + bare + `\x00`)
	return s
}

func (s signature) requiring(lits ...string) signature {
	s.requires = lits
	return s
}

func (s signature) withLookback(lit string) signature {
	s.lookbak = lit
	return s
}

// signatures is the table documented in docs/firmware.md ("Components").
// Patterns were checked against the strings of real builds (Debian 12
// amd64 and armhf packages, OpenWrt and vendor firmware formats).
func signatures() []signature {
	return []signature{
		sig("busybox", "application", "", "BusyBox v", `BusyBox v`+ver+`[\x00 .(-]`, "a:busybox:busybox"),
		sig("openssl", "library", "openssl", "OpenSSL ", `OpenSSL (\d\.\d{1,2}\.\d{1,2}[a-z]{0,2})(?:-[A-Za-z0-9.]+)? {1,2}\d{1,2} [A-Z][a-z]{2} \d{4}`, "a:openssl:openssl").
			requiring("crypto/evp/", "ssl/statem/", "ssl/s3_", " part of OpenSSL "),
		sig("libressl", "library", "", "LibreSSL ", `LibreSSL (\d\.\d{1,2}\.\d{1,2})[\x00 ]`, "a:openbsd:libressl"),
		sig("wolfssl", "library", "", "wolfSSL ", `wolfSSL (\d\.\d{1,2}\.\d{1,2})[\x00 ]`, "a:wolfssl:wolfssl"),
		sig("mbedtls", "library", "", "mbed TLS ", `mbed TLS (\d\.\d{1,2}\.\d{1,2})\x00`, "a:arm:mbed_tls"),
		sig("mbedtls", "library", "", "Mbed TLS ", `Mbed TLS (\d\.\d{1,2}\.\d{1,2})\x00`, "a:arm:mbed_tls"),
		sig("dropbear", "application", "", "dropbear_", `dropbear_(\d{4}\.\d{1,3}|0\.\d{1,3})[\x00 \r\n]`, "a:dropbear_ssh_project:dropbear_ssh").withLookback("SSH-2.0-"),
		sig("openssh", "application", "", "OpenSSH_", `OpenSSH_(\d{1,2}\.\d{1,2}(?:\.\d{1,2})?p\d{1,2})[\x00 ,\r\n]`, "a:openbsd:openssh"),
		sig("dnsmasq", "application", "", "dnsmasq-", `dnsmasq-(\d\.\d{1,3}(?:rc\d+|test\d+)?)[\x00 \r\n]`, "a:thekelleys:dnsmasq"),
		sig("lighttpd", "application", "", "lighttpd/", `lighttpd/(\d\.\d{1,2}\.\d{1,3})[\x00 )\r\n-]`, "a:lighttpd:lighttpd"),
		sig("nginx", "application", "nginx", "nginx/", `nginx/(\d\.\d{1,2}\.\d{1,3})[\x00 )\r\n]`, "a:f5:nginx", "a:nginx:nginx"),
		sig("hostapd", "application", "", "hostapd v", `hostapd v(\d\.\d{1,2}(?:\.\d{1,2})?)[\x00 \n-]`, "a:w1.fi:hostapd"),
		sig("hostapd", "application", "", "hostapd v%s", `hostapd v%s`, "a:w1.fi:hostapd").withBare(`(\d\.\d{1,2}(?:\.\d{1,2})?)(?:-devel)?`),
		sig("wpa_supplicant", "application", "", "wpa_supplicant v", `wpa_supplicant v(\d\.\d{1,2}(?:\.\d{1,2})?)[\x00 \n-]`, "a:w1.fi:wpa_supplicant"),
		sig("curl", "library", "", "curl/", `curl/(\d{1,2}\.\d{1,2}\.\d{1,2})[\x00 ]`, "a:haxx:curl", "a:haxx:libcurl").withLookback("lib"),
		sig("zlib", "library", "", "deflate ", `deflate (\d\.\d{1,2}\.\d{1,2}(?:\.\d{1,2})?) Copyright`, "a:zlib:zlib"),
		sig("zlib", "library", "", "inflate ", `inflate (\d\.\d{1,2}\.\d{1,2}(?:\.\d{1,2})?) Copyright`, "a:zlib:zlib"),
		sig("sqlite", "library", "sqlite", "sqlite_source_id\x00", `sqlite_source_id\x00`, "a:sqlite:sqlite").withBare(`(3\.\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)`),
		sig("glibc", "library", "", "GNU C Library ", `GNU C Library (?:\([^)\x00]{0,80}\) )?(?:stable |development )?release version (\d\.\d{1,2}(?:\.\d{1,2})?)[\x00 ,.\n]`, "a:gnu:glibc"),
		sig("musl", "library", "", "musl libc (", `musl libc \(`, "a:musl-libc:musl").withBare(`(\d\.\d\.\d{1,2})`),
		sig("linux", "operating-system", "linux-kernel", "Linux version ", `Linux version (\d\.\d{1,2}(?:\.\d{1,3})?)[^\s\x00]{0,64} \([^)\x00]{1,100}\)`, "o:linux:linux_kernel"),
		sig("u-boot", "firmware", "", "U-Boot ", `U-Boot (\d{4}\.\d\d(?:\.\d{1,2})?|1\.\d\.\d{1,2})(?:-[\w.+~-]{0,64})? \(`, "a:denx:u-boot"),
		sig("miniupnpd", "application", "", "MiniUPnPd/", `MiniUPnPd/(\d\.\d{1,2}(?:\.\d{1,2})?)[\x00 \r\n]`, "a:miniupnp_project:miniupnpd"),
		sig("miniupnpd", "application", "", "miniupnpd ", `miniupnpd (\d\.\d{1,2}(?:\.\d{1,2})?) [A-Z][a-z]{2} [ \d]\d \d{4}`, "a:miniupnp_project:miniupnpd"),
		sig("libupnp", "library", "", "Portable SDK for UPnP devices/", `Portable SDK for UPnP devices/(\d\.\d{1,2}\.\d{1,2})[\x00 \r\n]`, "a:libupnp_project:libupnp"),
		sig("samba", "application", "", "SAMBA_", `SAMBA_(\d\.\d{1,2}\.\d{1,2})[_\x00]`, "a:samba:samba"),
		sig("pppd", "application", "", "/pppd/", `/pppd/(2\.\d\.\d{1,2})\x00`, "a:point-to-point_protocol_project:point-to-point_protocol"),
		sig("pppd", "application", "", "pppd version ", `pppd version (2\.\d\.\d{1,2})[\x00 ]`, "a:point-to-point_protocol_project:point-to-point_protocol"),
		sig("iptables", "application", "", "iptables-restore\x00", `iptables-restore\x00`, "a:netfilter:iptables").withBare(`(1\.\d\.\d{1,2})`),
		sig("gdbserver", "application", "", "GNU gdbserver ", `GNU gdbserver `, "a:gnu:gdb").withBare(`(\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)`),
	}
}

// fileSignatures recognise software by file name where the build writes
// its version into the name (uClibc ships libuClibc-1.0.39.so).
var fileSignatures = []struct {
	re   *regexp.Regexp
	name string
	cpe  func(version string) string
}{
	{regexp.MustCompile(`^(?:ld|lib)-?uClibc-(\d\.\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)\.so$`), "uclibc", func(v string) string {
		if strings.HasPrefix(v, "0.") {
			return "a:uclibc:uclibc"
		}
		return "a:uclibc-ng_project:uclibc-ng"
	}},
}

// match is one signature hit in a file.
type match struct {
	sig      *signature
	version  string
	offset   int64  // byte offset of the evidence in the file
	evidence string // the matched text, printable
}

// scanner runs the signature table over file contents. It is safe for
// concurrent use.
type scanner struct {
	sigs []signature
}

func newScanner() *scanner { return &scanner{sigs: signatures()} }

// scan returns the distinct (name, version) hits in data, each with its
// first evidence, ordered by offset.
func (s *scanner) scan(data []byte) []match {
	var out []match
	seen := map[string]bool{}
	for i := range s.sigs {
		sg := &s.sigs[i]
		checked := false
		for pos, hits := 0, 0; pos < len(data) && hits < maxHitsPerAnchor; hits++ {
			j := bytes.Index(data[pos:], []byte(sg.anchor))
			if j < 0 {
				break
			}
			at := pos + j
			pos = at + 1
			m, ok := sg.at(data, at)
			if !ok {
				continue
			}
			if !checked {
				if !sg.present(data) {
					break
				}
				checked = true
			}
			key := m.sig.name + "@" + m.version
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, m)
			if sg.bare != nil {
				break // one marker is enough: the version is found apart
			}
		}
	}
	slices.SortStableFunc(out, func(a, b match) int {
		if a.offset != b.offset {
			return int(a.offset - b.offset)
		}
		return strings.Compare(a.sig.name, b.sig.name)
	})
	return out
}

// present reports whether data holds one of the literals sg requires.
func (sg *signature) present(data []byte) bool {
	if len(sg.requires) == 0 {
		return true
	}
	for _, r := range sg.requires {
		if bytes.Contains(data, []byte(r)) {
			return true
		}
	}
	return false
}

// at applies the signature at data[at:], where its anchor was found.
func (sg *signature) at(data []byte, at int) (match, bool) {
	win := data[at:min(len(data), at+maxMatchLen)]
	loc := sg.re.FindSubmatchIndex(win)
	if loc == nil {
		return match{}, false
	}
	start, end := at+loc[0], at+loc[1]
	if sg.bare == nil {
		v := string(win[loc[2]:loc[3]])
		if l := sg.lookbak; l != "" && start >= len(l) && string(data[start-len(l):start]) == l {
			start -= len(l)
		}
		ev := printable(data[start:end])
		return match{sig: sg, version: v, offset: int64(start), evidence: ev}, true
	}
	v, off, ok := nearestBare(data, sg.bare, at)
	if !ok {
		return match{}, false
	}
	ev := fmt.Sprintf("%s + version string %q at %#x", printable(data[start:end]), v, off)
	return match{sig: sg, version: v, offset: int64(start), evidence: ev}, true
}

// nearestBare finds the NUL-delimited version string nearest to at
// within bareWindow bytes.
func nearestBare(data []byte, re *regexp.Regexp, at int) (string, int, bool) {
	lo, hi := max(0, at-bareWindow), min(len(data), at+bareWindow)
	best, bestOff, bestDist := "", 0, -1
	for _, loc := range re.FindAllSubmatchIndex(data[lo:hi], -1) {
		off := lo + loc[2]
		d := off - at
		if d < 0 {
			d = -d
		}
		if bestDist < 0 || d < bestDist {
			best, bestOff, bestDist = string(data[lo+loc[2]:lo+loc[3]]), off, d
		}
	}
	return best, bestOff, bestDist >= 0
}

// printable renders evidence bytes as text: NULs and control bytes
// become spaces and the result is trimmed.
func printable(b []byte) string {
	r := []rune(string(b))
	for i, c := range r {
		if c < 0x20 || c == 0x7f || c == '\uFFFD' {
			r[i] = ' '
		}
	}
	return strings.Join(strings.Fields(string(r)), " ")
}
