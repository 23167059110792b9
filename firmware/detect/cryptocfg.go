package detect

import (
	"github.com/assayhq/assay/internal/lazyre"
	//lint:ignore SA1019 DSA certificates still ship in firmware and must be recognised
	"crypto/dsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"path"
	"slices"
	"strings"
)

var (
	// cryptoKeyRe splits a configuration line into key and value.
	cryptoKeyRe = lazyre.New(`^\s*(?:option\s+)?["']?([A-Za-z0-9_.\-]+)["']?\s*(?:=|:|\s)\s*(.*)$`)
	tokenSplit  = lazyre.New(`[\s,:;"'=]+`)
)

// weakProtocols maps protocol names (lower case) to severity.
var weakProtocols = map[string]string{
	"sslv2": SeverityHigh, "sslv3": SeverityHigh, "ssl2": SeverityHigh, "ssl3": SeverityHigh,
	"tlsv1": SeverityMedium, "tlsv1.0": SeverityMedium, "tlsv1.1": SeverityMedium, "tls1": SeverityMedium,
	"tls1_0": SeverityMedium, "tls1_1": SeverityMedium, "tls1.0": SeverityMedium, "tls1.1": SeverityMedium,
	"tlsv1_0": SeverityMedium, "tlsv1_1": SeverityMedium,
}

// weakCiphers maps cipher-list tokens (lower case) to severity.
var weakCiphers = map[string]string{
	"null": SeverityHigh, "enull": SeverityHigh, "anull": SeverityHigh, "export": SeverityHigh, "exp": SeverityHigh,
	"export40": SeverityHigh, "export56": SeverityHigh, "rc4": SeverityMedium, "rc4-md5": SeverityMedium,
	"rc4-sha": SeverityMedium, "arcfour": SeverityMedium, "arcfour128": SeverityMedium, "arcfour256": SeverityMedium,
	"des": SeverityMedium, "des-cbc-sha": SeverityMedium, "3des": SeverityMedium, "des-cbc3-sha": SeverityMedium,
	"3des-cbc": SeverityMedium, "low": SeverityMedium, "md5": SeverityMedium, "hmac-md5": SeverityMedium,
	"hmac-md5-96": SeverityMedium, "diffie-hellman-group1-sha1": SeverityMedium, "blowfish-cbc": SeverityMedium,
	"cast128-cbc": SeverityMedium,
}

// weakCryptoSetting returns the severity and the weak items a
// configuration key=value enables, or "".
func weakCryptoSetting(key, val string) (string, []string) {
	k := strings.ToLower(key)
	v := strings.ToLower(val)
	sev := ""
	var what []string
	add := func(s, w string) {
		sev = maxSeverity(sev, s)
		if !slices.Contains(what, w) {
			what = append(what, w)
		}
	}
	switch {
	case strings.Contains(k, "sslv2") || strings.Contains(k, "sslv3"):
		if slices.Contains([]string{"enable", "enabled", "yes", "true", "on", "1"}, strings.Trim(v, `"' ;`)) {
			add(SeverityHigh, strings.ToUpper(k[strings.Index(k, "sslv"):][:5])+" enabled")
		}
	case strings.Contains(k, "cipher") || k == "macs" || strings.Contains(k, "kexalgorithms"):
		for _, t := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(" \t,:;\"'", r) }) {
			if strings.HasPrefix(t, "!") || strings.HasPrefix(t, "-") {
				continue // exclusion, as in "!RC4"
			}
			t = strings.TrimPrefix(strings.TrimPrefix(t, "+"), "@")
			if strings.Contains(t, "seclevel=0") {
				add(SeverityMedium, "SECLEVEL=0")
				continue
			}
			if s, ok := weakCiphers[t]; ok {
				add(s, t)
			}
			if strings.HasPrefix(t, "rc4") || strings.HasPrefix(t, "exp-") || strings.Contains(t, "-null-") {
				add(SeverityMedium, t)
			}
		}
	case (strings.Contains(k, "protocol") || strings.Contains(k, "sslversion") || strings.Contains(k, "ssl_version") ||
		strings.Contains(k, "tls_version") || strings.Contains(k, "min_version") || strings.Contains(k, "minversion") ||
		strings.Contains(k, "ssl-min") || strings.Contains(k, "tls-min")) && !strings.Contains(k, "max"):
		for _, t := range tokenSplit().Split(v, -1) {
			if strings.HasPrefix(t, "!") || strings.HasPrefix(t, "-") {
				continue
			}
			if s, ok := weakProtocols[strings.TrimPrefix(t, "+")]; ok {
				add(s, strings.TrimPrefix(t, "+"))
			}
		}
	}
	if strings.Contains(v, "seclevel=0") && !slices.Contains(what, "SECLEVEL=0") {
		add(SeverityMedium, "SECLEVEL=0")
	}
	return sev, what
}

// detectCryptoConfig reports configuration that enables obsolete
// protocols, weak ciphers or OpenSSL security level 0, once per file.
func detectCryptoConfig(c *content) []Problem {
	if !c.text || isPackageDB(c.f.InnerPath) {
		return nil
	}
	sev := ""
	var what, evs []string
	for _, l := range shellLines(c.data) {
		m := cryptoKeyRe().FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		s, w := weakCryptoSetting(m[1], m[2])
		if s == "" {
			continue
		}
		sev = maxSeverity(sev, s)
		for _, x := range w {
			if !slices.Contains(what, x) {
				what = append(what, x)
			}
		}
		evs = append(evs, lineEvidence(l.no, l.text))
	}
	if sev == "" {
		return nil
	}
	return []Problem{problem(c.f, CategoryInsecureCryptoConfig, sev, ConfidenceHigh,
		"enables weak TLS/SSH protocol or cipher: "+strings.Join(what, ", "), strings.Join(evs[:min(len(evs), 5)], "; "))}
}

// maxCertsPerFile bounds the certificates parsed in one file; files with
// more are trust bundles.
const maxCertsPerFile = 3

// isTrustStore reports CA bundles: expired roots there are not the
// device's own certificates.
func isTrustStore(p string) bool {
	return strings.HasPrefix(p, "/usr/share/ca-certificates/") || strings.HasPrefix(p, "/etc/pki/ca-trust/") ||
		strings.Contains(path.Base(p), "ca-certificates") || strings.Contains(path.Base(p), "ca-bundle") ||
		strings.HasPrefix(p, "/usr/lib/ssl/certs/") || strings.HasPrefix(p, "/etc/ssl/certs/ca-")
}

// detectCertificates reports the image's own certificates that are
// expired or carry an RSA/DSA key below 2048 bits. Public certificates
// are otherwise not problems.
func detectCertificates(c *content) []Problem {
	if isTrustStore(c.f.InnerPath) {
		return nil
	}
	var certs []*x509.Certificate
	var offs []int64
	if c.text {
		rest := c.data
		for len(certs) <= maxCertsPerFile {
			var b *pem.Block
			before := len(c.data) - len(rest)
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type != "CERTIFICATE" {
				continue
			}
			if cert, err := x509.ParseCertificate(b.Bytes); err == nil {
				certs = append(certs, cert)
				offs = append(offs, int64(before))
			}
		}
	} else if slices.Contains([]string{".der", ".cer", ".crt"}, path.Ext(c.f.InnerPath)) {
		if cert, err := x509.ParseCertificate(c.data); err == nil {
			certs, offs = append(certs, cert), append(offs, 0)
		}
	}
	if len(certs) == 0 || len(certs) > maxCertsPerFile {
		return nil
	}
	now := c.img.opts.now()
	var out []Problem
	for i, cert := range certs {
		var issues []string
		if now.After(cert.NotAfter) {
			issues = append(issues, "expired on "+cert.NotAfter.UTC().Format("2006-01-02"))
		}
		switch k := cert.PublicKey.(type) {
		case *rsa.PublicKey:
			if n := k.N.BitLen(); n < 2048 {
				issues = append(issues, fmt.Sprintf("%d-bit RSA key", n))
			}
		case *dsa.PublicKey:
			if n := k.P.BitLen(); n < 2048 {
				issues = append(issues, fmt.Sprintf("%d-bit DSA key", n))
			}
		}
		if len(issues) == 0 {
			continue
		}
		ev := fmt.Sprintf("%s: certificate %q", c.where(offs[i]), clip(cert.Subject.String(), 120))
		out = append(out, problem(c.f, CategoryInsecureCryptoConfig, SeverityMedium, ConfidenceHigh,
			"certificate "+strings.Join(issues, ", "), ev))
	}
	return out
}
