package detect

import (
	"fmt"
	"github.com/assayhq/assay/internal/lazyre"
	"path"
	"slices"
	"strings"
)

// passwordKey matches a key=value (or key: value, UCI "option key value")
// assignment whose key names a password.
var passwordKey = lazyre.New(`(?i)^\s*(?:export\s+|set\s+|(option|list)\s+)?["']?([a-z0-9_.\-]{0,40}?(?:pass|passwd|password|passphrase|pwd|psk|secret))["']?\s*(?:(=|:=|:|=>)|\s)\s*(.*)$`)

// busyboxHTTPAuth matches a BusyBox httpd.conf basic-auth line
// "/path:user:password".
var busyboxHTTPAuth = lazyre.New(`^/[^:\s]*:([^:\s]+):(\S+)$`)

// nonSecretValues are values that configure rather than hold a password.
var nonSecretValues = []string{"none", "null", "nil", "true", "false", "yes", "no", "on", "off", "0", "1",
	"disabled", "disable", "enabled", "enable", "required", "optional", "x", "*", "''", `""`, "prompt", "ask", "empty"}

// passwordValue cleans an assignment's value and reports whether it is a
// literal password.
func passwordValue(key, v string) (string, bool) {
	key = strings.ToLower(key)
	v = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(v), ";,"))
	if n := len(v); n >= 2 && (v[0] == '"' && v[n-1] == '"' || v[0] == '\'' && v[n-1] == '\'') {
		v = v[1 : n-1]
	}
	switch {
	case v == "" || len(v) > 128 || slices.Contains(nonSecretValues, strings.ToLower(v)):
		return "", false
	case strings.ContainsAny(v[:1], "$%/{[@`&|"), strings.Contains(v, "$("), strings.Contains(v, "${"):
		return "", false // variable, hash, path, template, structure or command
	case strings.Contains(v, " ") && !strings.Contains(key, "phrase"), placeholder(v), strings.HasPrefix(v, "pass:"), strings.HasPrefix(v, "env:"), strings.HasPrefix(v, "file:"):
		return "", false
	}
	return v, true
}

// credentialFiles are account databases handled by the account detector.
var credentialFiles = []string{"passwd", "shadow", "group", "gshadow", "passwd-", "shadow-", ".htpasswd", "htpasswd", "login.defs", "nsswitch.conf"}

// detectPlaintextPasswords reports cleartext passwords in text
// configuration and scripts, one problem per file.
func detectPlaintextPasswords(c *content) []Problem {
	base := path.Base(c.f.InnerPath)
	if !c.text || slices.Contains(credentialFiles, base) || isPackageDB(c.f.InnerPath) {
		return nil
	}
	code := isCode(c.f.InnerPath, c.data)
	var keys, evs []string
	seen := map[string]bool{} // keys, as a set: a file of thousands of keys made a list search quadratic
	for _, l := range shellLines(c.data) {
		if strings.HasPrefix(l.text, "//") || strings.HasPrefix(l.text, ";") {
			continue
		}
		var key, val string
		if m := passwordKey().FindStringSubmatch(l.text); m != nil {
			if m[3] == "" && m[1] == "" {
				continue // "key value" only in UCI option lines
			}
			if code && !quotedLiteral(m[4]) {
				continue // an expression, not a literal
			}
			v, ok := passwordValue(m[2], m[4])
			if !ok {
				continue
			}
			key, val = m[2], v
		} else if base == "httpd.conf" {
			m := busyboxHTTPAuth().FindStringSubmatch(l.text)
			if m == nil {
				continue
			}
			v, ok := passwordValue("", m[2])
			if !ok {
				continue
			}
			key, val = "basic auth for "+m[1], v
		} else {
			continue
		}
		if !seen[key] {
			seen[key] = true
			keys = append(keys, key)
		}
		if len(evs) < 5 {
			evs = append(evs, lineEvidence(l.no, redactIn(l.text, val)))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sev, conf := SeverityMedium, ConfidenceHigh
	if c.testData() {
		sev, conf = SeverityLow, ConfidenceLow
	}
	return []Problem{problem(c.f, CategoryPlaintextPassword, sev, conf,
		fmt.Sprintf("cleartext password in %s", strings.Join(keys, ", ")), strings.Join(evs, "; "))}
}

// quotedLiteral reports whether a value is one quoted string literal.
func quotedLiteral(v string) bool {
	v = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(v), ";,)"))
	n := len(v)
	return n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n-1] == v[0] && !strings.ContainsRune(v[1:n-1], rune(v[0]))
}
