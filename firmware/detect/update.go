package detect

import (
	"github.com/assayhq/assay/internal/lazyre"
	"path"
	"strings"
)

var (
	shellAssign  = lazyre.New(`^\s*(?:export\s+|local\s+|readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$`)
	shellVarRef  = lazyre.New(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)
	plainURL     = lazyre.New(`(?i)\b(?:http|ftp|tftp)://[^\s"';|)]+`)
	pipeToShell  = lazyre.New(`\|\s*(?:/bin/|/usr/bin/)?(?:ba|a|da|z)?sh\b`)
	verifyCmdRe  = lazyre.New(`(?i)openssl\s+(?:dgst|smime|cms)\b.*-verify|gpgv?\s+.*--verify|\busign\s+.*-V|\bsignify\b|\bminisign\s+-V|\bcosign\s+verify`)
	downloaderRe = lazyre.New(`(?:^|[\s;&|(/])(wget|curl|tftp|fetch|ftpget|uclient-fetch)\b`)
)

// outputFile returns the file a downloader writes, when named.
func outputFile(cmd []string, url string) string {
	tool := ""
	for i, w := range cmd {
		switch b := path.Base(w); {
		case b == "wget" || b == "curl" || b == "tftp" || b == "uclient-fetch" || b == "ftpget" || b == "fetch":
			tool = b
			rest := cmd[i+1:]
			switch tool {
			case "wget", "uclient-fetch":
				if v, ok := optValue(rest, "-O"); ok && v != "-" {
					return v
				}
				if v, ok := optValue(rest, "--output-document"); ok {
					return v
				}
				if url != "" {
					return path.Base(url)
				}
			case "curl":
				if v, ok := optValue(rest, "-o"); ok && v != "-" {
					return v
				}
			case "tftp":
				if v, ok := optValue(rest, "-l"); ok {
					return v
				}
				if v, ok := optValue(rest, "-r"); ok {
					return path.Base(v)
				}
			case "ftpget":
				if len(rest) >= 2 {
					return rest[len(rest)-2]
				}
			}
		}
	}
	return ""
}

// runsFile reports whether a simple command executes, sources, flashes
// or installs file.
func runsFile(cmd []string, file string) bool {
	if len(cmd) == 0 || file == "" {
		return false
	}
	match := func(w string) bool {
		return w == file || path.Base(w) == path.Base(file) && strings.Contains(file, "/") == strings.Contains(w, "/")
	}
	b := path.Base(cmd[0])
	switch {
	case match(cmd[0]):
		return true
	case b == "sh" || b == "ash" || b == "bash" || b == "." || b == "source" || b == "sysupgrade" || b == "flashcp" ||
		b == "opkg" || b == "ipkg" || b == "dpkg" || b == "rpm" || b == "insmod" || b == "tar" || b == "mtd" || b == "firmware_upgrade":
		for _, w := range cmd[1:] {
			if match(w) {
				return true
			}
		}
	case b == "chmod":
		return len(cmd) > 2 && strings.Contains(cmd[1], "x") && match(cmd[len(cmd)-1])
	case b == "dd":
		for _, w := range cmd[1:] {
			if strings.HasPrefix(w, "if=") && match(w[3:]) {
				return true
			}
		}
	}
	return false
}

// detectInsecureUpdate reports executable scripts that download code or
// firmware over plain HTTP, FTP or TFTP and run, source or flash it.
func detectInsecureUpdate(c *content) []Problem {
	if !c.text || !isExecutable(c.f) || !strings.HasPrefix(string(c.data), "#!") {
		return nil
	}
	vars := map[string]string{}
	expand := func(s string) string {
		return shellVarRef().ReplaceAllStringFunc(s, func(m string) string {
			n := shellVarRef().FindStringSubmatch(m)[1]
			if v, ok := vars[n]; ok {
				return v
			}
			return m
		})
	}
	var fs []finding
	downloaded := map[string]line{}
	verified := verifyCmdRe().Match(c.data)
	for _, l := range shellLines(c.data) {
		t := expand(l.text)
		if m := shellAssign().FindStringSubmatch(t); m != nil && len(vars) < 512 {
			vars[m[1]] = strings.Trim(strings.TrimSpace(m[2]), `"'`)
		}
		if downloaderRe().MatchString(t) {
			url := plainURL().FindString(t)
			tftp := strings.Contains(t, "tftp")
			if url != "" || tftp {
				if pipeToShell().MatchString(t) {
					fs = append(fs, finding{f: c.f, category: CategoryInsecureUpdate, severity: SeverityHigh, confidence: ConfidenceHigh,
						detail: "downloads code over an unauthenticated channel and pipes it into a shell", evidence: lineEvidence(l.no, l.text)})
					continue
				}
				for _, cmd := range commands(t) {
					if f := outputFile(cmd, url); f != "" {
						downloaded[f] = l
					}
				}
			}
		}
		for f, dl := range downloaded {
			for _, cmd := range commands(t) {
				if runsFile(cmd, f) {
					fs = append(fs, finding{f: c.f, category: CategoryInsecureUpdate, severity: SeverityHigh, confidence: ConfidenceMedium,
						detail:   "downloads a file over an unauthenticated channel (HTTP/FTP/TFTP) and runs or flashes it without a signature check",
						evidence: lineEvidence(dl.no, dl.text) + "; " + lineEvidence(l.no, l.text)})
					delete(downloaded, f)
					break
				}
			}
		}
	}
	if verified {
		for i := range fs {
			fs[i].severity, fs[i].confidence = SeverityLow, ConfidenceLow
			fs[i].detail += " (a signature check appears in the script: confirm it covers this download)"
		}
	}
	return aggregate(fs)
}
