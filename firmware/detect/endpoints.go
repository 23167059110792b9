package detect

import (
	"fmt"
	"github.com/assayhq/assay/internal/lazyre"
	"net/netip"
	"path"
	"slices"
	"strings"
)

var (
	urlRe = lazyre.New(`(?i)\b(?:https?|ftps?|tftp|mqtts?|wss?|coaps?|rtsp|sftp)://[^\s"'<>()\[\]{}\x60\\,;|]+`)
	// ipRe matches a dotted quad not embedded in a longer dotted number.
	ipRe = lazyre.New(`(?:^|[^0-9.])((?:[0-9]{1,3}\.){3}[0-9]{1,3})(?:$|[^0-9.]|\.[^0-9])`)
	// netKeyRe names configuration keys and commands that take a network
	// address: the context a bare IP address or hostname needs to count.
	netKeyRe = lazyre.New(`(?i)(host|server|srv|addr|address|\bip\b|_ip\b|\bdns|nameserver|ntp|gateway|broker|endpoint|remote|peer|proxy|connect|upstream|\burl|\buri|mqtt|cloud|collector|syslog|target|report|\bping\b|\bnc\b|telnet|wget|curl|tftp|\bssh\b)`)
	// versionCtxRe precedes dotted numbers that are versions, not addresses.
	versionCtxRe = lazyre.New(`(?i)(?:(?:^|[^a-z])v|\bver|version|release|build|\brev|revision|firmware|\bfw|sdk)[\s:=_\-]*["']?$`)
	hostValueRe  = lazyre.New(`(?i)^[a-z0-9](?:[a-z0-9\-]{0,62}\.)+[a-z]{2,24}$`)
	// attributionRe marks credits, bug-report and documentation pointers.
	attributionRe = lazyre.New(`(?i)\b(adapted from|based on|copyright|see|visit|bugs?|homepage|home page|documentation|manual|licen[cs]e[ds]?|for (more )?(details|info(rmation)?))\b`)
	schemaURL     = lazyre.New(`(?i)\.(dtd|xsd|ent|mod|rng|xsl|xslt)$`)
	assignRe      = lazyre.New(`(?i)^\s*(?:option\s+|export\s+)?["']?([a-z0-9_.\-]{1,40})["']?\s*(?:=|:|\s)\s*["']?([^\s"';,]+)["']?\s*;?$`)
)

// ignoredHosts are never endpoints: XML namespaces and schemas, licence
// and standards bodies, toolchains and upstream projects whose homepage or
// bug-report URLs are compiled into binaries, and placeholder domains.
var ignoredHosts = []string{
	"w3.org", "xmlns.com", "schemas.xmlsoap.org", "schemas.microsoft.com", "schemas.openxmlformats.org", "purl.org",
	"ns.adobe.com", "docbook.org", "relaxng.org", "xml.org", "openoffice.org", "dublincore.org", "ogc.org",
	"gnu.org", "fsf.org", "opensource.org", "apache.org", "creativecommons.org", "mozilla.org", "spdx.org",
	"ietf.org", "rfc-editor.org", "iana.org", "unicode.org", "tools.ietf.org",
	"go.dev", "golang.org", "golang.google.cn", "gopkg.in", "sourceware.org", "kernel.org", "busybox.net",
	"openssl.org", "openssl-library.org", "debian.org", "launchpad.net", "ubuntu.com", "sqlite.org", "zlib.net",
	"curl.se", "curl.haxx.se", "ucc.asn.au", "freedesktop.org", "python.org", "perl.org", "cpan.org", "php.net",
	"lua.org", "gcc.gnu.org", "llvm.org", "openwrt.org", "yoctoproject.org", "buildroot.org", "uclibc.org",
	"musl-libc.org", "libressl.org", "wolfssl.com", "trustedfirmware.org", "denx.de", "openssh.com", "samba.org",
	"tukaani.org", "gnupg.org", "x.org", "example.com", "example.org", "example.net", "localhost", "json-schema.org",
}

// lanSuffixes are private name spaces.
var lanSuffixes = []string{".local", ".lan", ".localdomain", ".internal", ".home.arpa", ".intranet", ".corp", ".home", ".localhost", ".invalid", ".test"}

// fileSuffixes end names that look like hostnames but are file names.
var fileSuffixes = []string{"so", "conf", "sh", "cgi", "py", "pl", "lua", "js", "css", "html", "htm", "php", "txt", "log",
	"pid", "xml", "json", "key", "pem", "crt", "bin", "img", "gz", "xz", "tar", "zip", "ko", "service", "target",
	"socket", "mount", "lock", "sock", "ini", "cfg", "db", "cpp", "hpp", "jpg", "png", "gif", "svg", "ico", "md", "rules", "bak", "tmp", "dat", "out", "err", "yaml", "yml", "toml"}

// publicIP reports whether s is a canonical, globally routable IPv4
// address: not private, loopback, link-local, CGNAT, multicast, reserved,
// broadcast or a documentation range.
func publicIP(s string) bool {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() || a.String() != s {
		return false // ParseAddr rejects leading zeros; String round-trips canonical forms only
	}
	if a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified() || a.IsLinkLocalMulticast() {
		return false
	}
	for _, p := range []string{"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32"} {
		if netip.MustParsePrefix(p).Contains(a) {
			return false
		}
	}
	return true
}

// publicHost reports whether a hostname (no port) names a host on the
// public internet that is not in ignoredHosts.
func publicHost(h string) bool {
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if h == "" {
		return false
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return publicIP(h)
	}
	if strings.Trim(h, "0123456789.") == "" {
		return false // dotted number that is not an address
	}
	if !hostValueRe().MatchString(h) || slices.Contains(fileSuffixes, h[strings.LastIndexByte(h, '.')+1:]) {
		return false
	}
	for _, s := range lanSuffixes {
		if strings.HasSuffix(h, s) {
			return false
		}
	}
	for _, ig := range ignoredHosts {
		if h == ig || strings.HasSuffix(h, "."+ig) {
			return false
		}
	}
	return true
}

// urlHost extracts the host of a URL (no userinfo, no port).
func urlHost(u string) string {
	rest := u[strings.Index(u, "://")+3:]
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if strings.HasPrefix(rest, "[") {
		return "" // IPv6 literal: not analysed
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// isCertFile reports files holding certificates, whose CRL and OCSP URLs
// are not endpoints of the device.
func isCertFile(p string) bool {
	switch path.Ext(p) {
	case ".crt", ".pem", ".der", ".cer", ".p7b", ".p12", ".pfx", ".csr":
		return true
	}
	return strings.HasPrefix(p, "/etc/ssl/certs/") || strings.HasPrefix(p, "/usr/share/ca-certificates/") ||
		strings.HasPrefix(p, "/etc/pki/") || strings.Contains(p, "ca-bundle") || strings.Contains(p, "ca-certificates")
}

// endpoint is one outbound address found in a file.
type endpoint struct {
	value, ev string
	strong    bool // URL or address in a network setting
}

// findEndpoints returns the outbound endpoints on one line or string.
func findEndpoints(text string, binary bool) []endpoint {
	var out []endpoint
	hasURL := strings.Contains(text, "://")
	minDots := 1
	if binary {
		minDots = 3 // only dotted quads count without a URL
	}
	if !hasURL && strings.Count(text, ".") < minDots {
		return nil // cheap pre-filter: no URL, no dotted quad (binaries) or dotted name
	}
	lower := strings.ToLower(text)
	if strings.Contains(lower, "xmlns") || strings.Contains(lower, "schemalocation") || strings.Contains(lower, "<!doctype") ||
		strings.Contains(lower, "systemid") || strings.Contains(lower, "publicid") || strings.Contains(lower, "<!entity") ||
		strings.Contains(lower, "uristartstring") || strings.Contains(lower, "<delegate") {
		return nil
	}
	var urls []string
	if hasURL && !attributionRe().MatchString(text) {
		urls = urlRe().FindAllString(text, 8)
	}
	for _, u := range urls {
		u = strings.TrimRight(u, ".:")
		if schemaURL().MatchString(u) {
			continue // DTD, schema or stylesheet identifier
		}
		if h := urlHost(u); publicHost(h) {
			out = append(out, endpoint{value: u, strong: true})
		}
	}
	if len(out) > 0 {
		return out
	}
	var ips [][]int
	if !strings.Contains(lower, "e.g.") && !strings.Contains(lower, "for example") {
		ips = ipRe().FindAllStringSubmatchIndex(text, 8) // not an example address
	}
	ctx := len(ips) > 0 && netKeyRe().MatchString(text)
	for _, m := range ips {
		ip := text[m[2]:m[3]]
		if !publicIP(ip) || versionCtxRe().MatchString(text[:m[2]]) {
			continue
		}
		colon := m[3] < len(text) && text[m[3]] == ':'
		port := colon && m[3]+1 < len(text) && text[m[3]+1] >= '0' && text[m[3]+1] <= '9'
		if colon && !port {
			continue // "1.3.6.1:int:5": an OID or version field, not host:port
		}
		if ctx || port {
			out = append(out, endpoint{value: ip, strong: ctx})
		}
	}
	if len(out) > 0 || binary {
		return out
	}
	if m := assignRe().FindStringSubmatch(text); m != nil && netKeyRe().MatchString(m[1]) && publicHost(m[2]) {
		out = append(out, endpoint{value: m[2], strong: true})
	}
	return out
}

// detectEndpoints reports, once per file, the public URLs, hostnames and
// IP addresses a script, configuration file or binary contacts.
func detectEndpoints(c *content) []Problem {
	p := c.f.InnerPath
	if isPackageDB(p) || isCertFile(p) {
		return nil
	}
	var eps []endpoint
	seen := map[string]bool{}
	inXMLComment := false
	for _, u := range c.units() {
		t := u.text
		if strings.HasPrefix(strings.TrimSpace(t), ">>>") {
			continue // doctest example
		}
		if c.text {
			t, inXMLComment = dropXMLComments(t, inXMLComment)
			t = strings.TrimSpace(stripComment(strings.TrimSpace(t)))
			if t == "" || isCommentLine(t) {
				continue
			}
		}
		for _, e := range findEndpoints(t, !c.text) {
			if seen[e.value] {
				continue
			}
			seen[e.value] = true
			e.ev = c.unitEvidence(u, t)
			eps = append(eps, e)
		}
	}
	if len(eps) == 0 {
		return nil
	}
	conf := ConfidenceMedium
	var vals []string
	for _, e := range eps {
		if e.strong && c.text {
			conf = ConfidenceHigh
		}
		vals = append(vals, e.value)
	}
	detail := fmt.Sprintf("contacts %d outbound endpoint(s): %s", len(vals), strings.Join(vals[:min(len(vals), 10)], ", "))
	if len(vals) > 10 {
		detail += ", …"
	}
	sev := SeverityLow
	if isLibraryTree(p) {
		sev, conf = SeverityInfo, ConfidenceLow // project and documentation sites of third-party libraries
	}
	return []Problem{problem(c.f, CategoryOutboundEndpoint, sev, conf, detail, eps[0].ev)}
}

// dropXMLComments removes <!-- … --> comments from a line, given whether
// the line starts inside one; it returns the rest and whether the line
// ends inside one.
func dropXMLComments(t string, in bool) (string, bool) {
	var b strings.Builder
	for t != "" {
		if in {
			i := strings.Index(t, "-->")
			if i < 0 {
				return b.String(), true
			}
			t, in = t[i+3:], false
			continue
		}
		i := strings.Index(t, "<!--")
		if i < 0 {
			b.WriteString(t)
			break
		}
		b.WriteString(t[:i])
		t, in = t[i+4:], true
	}
	return b.String(), in
}
