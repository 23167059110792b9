package detect

import (
	_ "embed"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/GehirnInc/crypt"
	"github.com/GehirnInc/crypt/apr1_crypt"
	"github.com/GehirnInc/crypt/md5_crypt"
	"github.com/GehirnInc/crypt/sha256_crypt"
	"github.com/GehirnInc/crypt/sha512_crypt"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/ssh"

	"github.com/assayhq/assay/firmware"
	"github.com/assayhq/assay/internal/descrypt"
)

//go:embed wordlist/mirai.txt
var miraiList string

// wordlist returns the distinct passwords of the shipped default
// credential list, the empty password first.
var wordlist = sync.OnceValue(func() []string {
	out := []string{""}
	for _, l := range strings.Split(miraiList, "\n") {
		if l = strings.TrimSpace(l); l == "" || l[0] == '#' {
			continue
		}
		for _, w := range strings.Fields(l) {
			if w == "(none)" {
				continue
			}
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
})

// Bounds of the account file parser.
const (
	maxAccounts   = 10000
	maxFieldLen   = 1024
	maxCryptRound = 200000 // sha*crypt rounds= above this are not cracked (cost)
	maxDESCount   = 100000 // BSDi extended DES counts above this are not cracked
	maxBcryptCost = 10
)

// account is one entry of a passwd or shadow file.
type account struct {
	name  string
	hash  string // password field (passwd) or hash (shadow)
	uid   int    // -1 in shadow entries
	shell string
	line  int
}

// parseAccounts parses passwd (7 fields) or shadow (9 fields) lines.
// Malformed lines are skipped; at most maxAccounts entries are returned.
func parseAccounts(b []byte) []account {
	var out []account
	for i, l := range strings.Split(string(b), "\n") {
		l = strings.TrimRight(l, "\r")
		if l == "" || l[0] == '#' || l[0] == '+' || l[0] == '-' || len(l) > 4*maxFieldLen {
			continue
		}
		f := strings.Split(l, ":")
		if len(f) < 2 || f[0] == "" || strings.ContainsAny(f[0], " \t") {
			continue
		}
		a := account{name: f[0], hash: f[1], uid: -1, line: i + 1}
		if len(f) >= 7 && len(f) < 9 {
			uid, err := strconv.Atoi(f[2])
			if err != nil {
				continue
			}
			a.uid, a.shell = uid, f[6]
		}
		out = append(out, a)
		if len(out) >= maxAccounts {
			break
		}
	}
	return out
}

// systemAccounts are service accounts that distributions and embedded
// build systems create; they are not reported as undocumented.
var systemAccounts = []string{
	"root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
	"www-data", "www", "backup", "list", "irc", "gnats", "nobody", "nogroup", "operator", "halt",
	"shutdown", "ftp", "sshd", "dropbear", "messagebus", "dnsmasq", "network", "ntp", "avahi",
	"systemd-network", "systemd-resolve", "systemd-timesync", "_apt", "logd", "ubus", "http",
}

// hasLoginShell reports whether shell gives an interactive login. An
// empty shell field means /bin/sh.
func hasLoginShell(shell string) bool {
	switch path.Base(shell) {
	case "nologin", "false", "sync", "shutdown", "halt", "true":
		return false
	}
	return true
}

// locked reports whether a password field cannot match any password.
func locked(h string) bool {
	return h == "x" || h == "*" || strings.HasPrefix(h, "!") || strings.HasPrefix(h, "*") || h == "*NP*" || h == "LK"
}

// detectAccounts checks passwd/shadow pairs and .htpasswd files.
func detectAccounts(r *root) []Problem {
	var out []Problem
	for _, f := range r.order {
		if !f.Mode.IsRegular() || isDoc(f.InnerPath) {
			continue
		}
		switch path.Base(f.InnerPath) {
		case "passwd":
			out = append(out, r.checkPasswd(f)...)
		case ".htpasswd", "htpasswd":
			out = append(out, r.checkHashes(f, nil, 1)...)
		case "authorized_keys", "authorized_keys2":
			out = append(out, r.checkAuthorizedKeys(f)...)
		}
	}
	return out
}

// checkPasswd checks one passwd file and the shadow file beside it.
func (r *root) checkPasswd(pf *firmware.File) []Problem {
	pw := parseAccounts(r.read(pf.InnerPath))
	if len(pw) == 0 {
		return nil
	}
	var out []Problem
	byName := map[string]account{}
	var sev, details, ev []string
	for _, a := range pw {
		byName[a.name] = a
		switch {
		case a.uid == 0 && a.name != "root":
			s := SeverityCritical
			if locked(a.hash) && !hasLoginShell(a.shell) {
				s = SeverityMedium
			}
			sev = append(sev, s)
			details = append(details, fmt.Sprintf("extra uid-0 account '%s'", a.name))
			ev = append(ev, fmt.Sprintf("line %d: %s:…:0:…:%s", a.line, a.name, a.shell))
		case a.uid > 0 && !slices.Contains(systemAccounts, a.name) && hasLoginShell(a.shell) && a.hash != "" && !locked(a.hash):
			sev = append(sev, SeverityLow)
			details = append(details, fmt.Sprintf("account '%s' (uid %d) has a password and login shell %s: confirm it is documented", a.name, a.uid, orDefault(a.shell, "/bin/sh")))
			ev = append(ev, fmt.Sprintf("line %d: %s:…:%d:…:%s", a.line, a.name, a.uid, a.shell))
		}
	}
	// Interactive accounts whose password lives in shadow: flag the
	// non-system ones only when shadow shows a usable password.
	sp := path.Join(path.Dir(pf.InnerPath), "shadow")
	sf := r.lookup(sp)
	var shadow map[string]account
	if sf != nil && sf.Mode.IsRegular() {
		shadow = map[string]account{}
		for _, a := range parseAccounts(r.read(sp)) {
			shadow[a.name] = a
		}
		for _, a := range pw {
			s, ok := shadow[a.name]
			if a.hash != "x" || !ok || s.hash == "" || locked(s.hash) || a.uid <= 0 || slices.Contains(systemAccounts, a.name) || !hasLoginShell(a.shell) {
				continue
			}
			sev = append(sev, SeverityLow)
			details = append(details, fmt.Sprintf("account '%s' (uid %d) has a password and login shell %s: confirm it is documented", a.name, a.uid, orDefault(a.shell, "/bin/sh")))
			ev = append(ev, fmt.Sprintf("line %d: %s:x:%d:…:%s", a.line, a.name, a.uid, a.shell))
		}
	}
	if len(sev) > 0 {
		s := sev[0]
		for _, x := range sev {
			s = maxSeverity(s, x)
		}
		conf := ConfidenceHigh
		if s == SeverityLow {
			conf = ConfidenceMedium
		}
		out = append(out, problem(pf, CategoryBackdoorAccount, s, conf, strings.Join(details, "; "), strings.Join(ev, "; ")))
	}
	out = append(out, r.checkHashes(pf, byName, 7)...)
	if shadow != nil {
		out = append(out, r.checkHashes(sf, byName, 9)...)
	}
	return out
}

// checkHashes reports empty passwords and crackable or hard-coded hashes
// of the accounts in f (a passwd file when fieldsWanted is 7, shadow when
// 9, htpasswd when 1). users, when given, supplies uid and shell.
func (r *root) checkHashes(f *firmware.File, users map[string]account, fieldsWanted int) []Problem {
	accts := parseAccounts(r.read(f.InnerPath))
	var out []Problem
	var empty, emptyEv []string
	emptySev := ""
	var hashDet, hashEv []string
	hashSev := ""
	for _, a := range accts {
		if fieldsWanted == 7 && a.hash == "x" {
			continue
		}
		u, known := users[a.name]
		if !known {
			u = a
		}
		interactive := fieldsWanted == 1 || hasLoginShell(u.shell) || u.uid == 0
		if a.hash == "" {
			if !interactive || (fieldsWanted == 9 && !known && users != nil) {
				continue
			}
			s := SeverityHigh
			if u.uid == 0 {
				s = SeverityCritical
			}
			emptySev = maxSeverity(emptySev, s)
			empty = append(empty, a.name)
			emptyEv = append(emptyEv, fmt.Sprintf("line %d: %s::…", a.line, a.name))
			continue
		}
		if locked(a.hash) || len(a.hash) > maxFieldLen {
			continue
		}
		kind, weakAlgo := hashKind(a.hash)
		if kind == "" {
			continue
		}
		pw, cracked, tried := r.img.cracker.crack(a.hash, a.name)
		var s, d string
		switch {
		case cracked && pw == "":
			s, d = SeverityCritical, fmt.Sprintf("%s: %s hash of the empty password", a.name, kind)
		case cracked:
			s, d = SeverityHigh, fmt.Sprintf("%s: %s hash of a default password (%s)", a.name, kind, redact(pw))
		case weakAlgo:
			s, d = SeverityMedium, fmt.Sprintf("%s: %s hash (weak algorithm), same on every device", a.name, kind)
		default:
			s, d = SeverityLow, fmt.Sprintf("%s: %s hash, same on every device", a.name, kind)
		}
		if !tried {
			d += " (not checked against the wordlist: the image's cracking budget is spent)"
		}
		hashSev = maxSeverity(hashSev, s)
		hashDet = append(hashDet, d)
		hashEv = append(hashEv, fmt.Sprintf("line %d: %s:%s…", a.line, a.name, clip(a.hash, 6)))
	}
	if len(empty) > 0 {
		out = append(out, problem(f, CategoryEmptyPassword, emptySev, ConfidenceHigh,
			"no password for "+strings.Join(empty, ", "), strings.Join(emptyEv, "; ")))
	}
	if len(hashDet) > 0 {
		conf := ConfidenceHigh
		if hashSev == SeverityLow {
			conf = ConfidenceMedium
		}
		out = append(out, problem(f, CategoryHardcodedPasswordHash, hashSev, conf,
			strings.Join(hashDet, "; "), strings.Join(hashEv, "; ")))
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// hashKind names the crypt scheme of h and whether it is weak.
func hashKind(h string) (kind string, weak bool) {
	switch {
	case strings.HasPrefix(h, "$1$"):
		return "md5crypt", true
	case strings.HasPrefix(h, "$apr1$"):
		return "apr1-md5", true
	case strings.HasPrefix(h, "$5$"):
		return "sha256crypt", false
	case strings.HasPrefix(h, "$6$"):
		return "sha512crypt", false
	case strings.HasPrefix(h, "$2a$"), strings.HasPrefix(h, "$2b$"), strings.HasPrefix(h, "$2y$"):
		return "bcrypt", false
	case strings.HasPrefix(h, "$y$"):
		return "yescrypt", false
	case strings.HasPrefix(h, "$gy$"):
		return "gost-yescrypt", false
	case strings.HasPrefix(h, "$7$"):
		return "scrypt", false
	case strings.HasPrefix(h, "{SHA}"):
		return "unsalted SHA-1", true
	case len(h) == 13 && isCryptAlphabet(h):
		return "DES crypt", true
	case len(h) == 20 && h[0] == '_' && isCryptAlphabet(h[1:]):
		return "BSDi extended DES", true
	}
	return "", false
}

func isCryptAlphabet(s string) bool {
	for _, c := range s {
		if !(c == '.' || c == '/' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// maxCrackWork bounds the wordlist checks of one image, in estimated
// microseconds of one core (about 20 s): a hostile image with thousands of
// expensive hashes cannot stall the review.
const maxCrackWork = 20_000_000

// cracker runs the wordlist checks of one image within maxCrackWork and
// remembers each result, so a hash repeated across accounts, files and
// filesystems is checked once. The zero value is ready to use.
type cracker struct {
	spent int64
	done  map[[2]string]crackResult
}

type crackResult struct {
	pw    string
	ok    bool
	tried bool
}

// crack checks h against user's name and the wordlist unless that would
// exceed the budget; tried reports whether the check ran.
func (c *cracker) crack(h, user string) (pw string, ok, tried bool) {
	key := [2]string{h, user}
	if r, seen := c.done[key]; seen {
		return r.pw, r.ok, r.tried
	}
	var r crackResult
	if cost := crackCost(h) * int64(len(wordlist())+1); c.spent+cost <= maxCrackWork {
		c.spent += cost
		r.pw, r.ok = crack(h, user)
		r.tried = true
	}
	if c.done == nil {
		c.done = map[[2]string]crackResult{}
	}
	c.done[key] = r
	return r.pw, r.ok, r.tried
}

// crackCost estimates one candidate check against h in microseconds,
// from the scheme's work factor (measured on a 2-core x86-64: one
// sha512crypt round about 0.6 µs, one bcrypt cost-10 check about 60 ms).
func crackCost(h string) int64 {
	switch {
	case descrypt.IsHash(h):
		return max(10, int64(descrypt.Iterations(h))/2)
	case strings.HasPrefix(h, "$1$"), strings.HasPrefix(h, "$apr1$"):
		return 300
	case strings.HasPrefix(h, "$5$"), strings.HasPrefix(h, "$6$"):
		return int64(cryptRounds(h))
	case strings.HasPrefix(h, "$2"):
		cost, err := bcrypt.Cost([]byte(h))
		if err != nil {
			return 1
		}
		return 60 << cost
	}
	return 1
}

// crack tries the account name and the shipped wordlist against h. It
// returns the matching password. Schemes without a Go implementation
// (yescrypt, scrypt) and hashes whose cost exceeds the bounds are not
// tried.
func crack(h, user string) (string, bool) {
	var c crypt.Crypter
	switch {
	case descrypt.IsHash(h): // traditional and BSDi extended DES
		if descrypt.Iterations(h) > maxDESCount {
			return "", false
		}
		return try(user, func(pw string) bool { return descrypt.Verify(h, []byte(pw)) })
	case strings.HasPrefix(h, "$1$"):
		c = md5_crypt.New()
	case strings.HasPrefix(h, "$apr1$"):
		c = apr1_crypt.New()
	case strings.HasPrefix(h, "$5$"):
		c = sha256_crypt.New()
	case strings.HasPrefix(h, "$6$"):
		c = sha512_crypt.New()
	case strings.HasPrefix(h, "$2"):
		if cost, err := bcrypt.Cost([]byte(h)); err != nil || cost > maxBcryptCost {
			return "", false
		}
		return try(user, func(pw string) bool { return bcrypt.CompareHashAndPassword([]byte(h), []byte(pw)) == nil })
	default:
		return "", false
	}
	if rounds := cryptRounds(h); rounds > maxCryptRound {
		return "", false
	}
	return try(user, func(pw string) bool { return verify(c, h, pw) })
}

// verify calls c.Verify, turning a panic on a malformed hash into a
// mismatch.
func verify(c crypt.Crypter, h, pw string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return c.Verify(h, []byte(pw)) == nil
}

func try(user string, match func(string) bool) (string, bool) {
	cands := append([]string{user}, wordlist()...)
	for _, pw := range cands {
		if match(pw) {
			return pw, true
		}
	}
	return "", false
}

// cryptRounds returns the rounds=N parameter of a sha*crypt hash, or 5000.
func cryptRounds(h string) int {
	f := strings.Split(h, "$")
	if len(f) > 2 && strings.HasPrefix(f[2], "rounds=") {
		n, err := strconv.Atoi(strings.TrimPrefix(f[2], "rounds="))
		if err != nil || n < 0 {
			return maxCryptRound + 1
		}
		return n
	}
	return 5000
}

// maxAuthorizedKeys bounds the keys read from one authorized_keys file.
const maxAuthorizedKeys = 256

// checkAuthorizedKeys reports SSH public keys shipped as authorized for
// login: whoever holds the private key logs in to every device.
func (r *root) checkAuthorizedKeys(f *firmware.File) []Problem {
	rest := r.read(f.InnerPath)
	var fps, evs []string
	for n := 0; len(rest) > 0 && n < maxAuthorizedKeys; n++ {
		pub, comment, _, next, err := ssh.ParseAuthorizedKey(rest)
		if err != nil {
			break
		}
		rest = next
		fps = append(fps, ssh.FingerprintSHA256(pub))
		evs = append(evs, fmt.Sprintf("%s key %s %s", pub.Type(), ssh.FingerprintSHA256(pub), clip(comment, 60)))
	}
	if len(fps) == 0 {
		return nil
	}
	who := "an account"
	if strings.HasPrefix(f.InnerPath, "/root/") || strings.Contains(f.InnerPath, "dropbear") {
		who = "root"
	}
	return []Problem{problem(f, CategoryBackdoorAccount, SeverityHigh, ConfidenceMedium,
		fmt.Sprintf("%d SSH public key(s) authorized to log in as %s on every device: %s", len(fps), who, strings.Join(fps[:min(len(fps), 5)], ", ")),
		strings.Join(evs[:min(len(evs), 5)], "; "))}
}
