package detect

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/config"
	gldetect "github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/report"
)

// gitleaksConfig loads gitleaks' embedded default rules once (gitleaks
// reads them through the global viper instance, which is not safe for
// concurrent use) and silences its global logger.
var gitleaksConfig = sync.OnceValues(func() (config.Config, error) {
	logging.Logger = logging.Logger.Level(zerolog.Disabled)
	d, err := gldetect.NewDetectorDefaultConfig()
	if err != nil {
		return config.Config{}, fmt.Errorf("loading gitleaks rules: %w", err)
	}
	return d.Config, nil
})

// secretScanner wraps one gitleaks detector; it is used by one goroutine.
type secretScanner struct {
	ctx context.Context
	d   *gldetect.Detector
}

func newSecretScanner(ctx context.Context) *secretScanner {
	cfg, err := gitleaksConfig()
	if err != nil {
		return &secretScanner{ctx: ctx}
	}
	d := gldetect.NewDetectorContext(ctx, cfg)
	d.MaxDecodeDepth = 0
	return &secretScanner{ctx: ctx, d: d}
}

// scan runs the rules over text, one finding per rule and line.
func (s *secretScanner) scan(text string) []report.Finding {
	if s == nil || s.d == nil {
		return nil
	}
	//lint:ignore SA1019 v8.30 has no replacement yet (sources.Fragment arrives in v9)
	return s.d.DetectContext(s.ctx, gldetect.Fragment{Raw: text})
}

// minSecretString is the shortest binary string searched for secrets.
const minSecretString = 16

// secretChunk is the number of binary strings scanned together.
const secretChunk = 32

// ownRules are gitleaks rules whose ground another detector covers.
var ownRules = []string{"private-key"}

// genericRules match any key=value with a high-entropy value: run on
// text files only, where the key name gives context.
var genericRules = []string{"generic-api-key"}

// placeholder reports whether a secret is a documentation placeholder.
func placeholder(s string) bool {
	l := strings.ToLower(s)
	for _, p := range []string{"<", ">", "${", "$(", "%s", "xxxx", "****", "your", "example", "placeholder", "changeme_", "replace", "dummy", "insert", "sample", "redacted", "todo"} {
		if strings.Contains(l, p) {
			return true
		}
	}
	distinct := map[rune]bool{}
	for _, r := range s {
		distinct[r] = true
	}
	return len(distinct) <= 3
}

// detectSecrets reports API tokens and cloud credentials found by the
// gitleaks default rules, one problem per file.
func detectSecrets(c *content) []Problem {
	if c.sc == nil || c.sc.d == nil || isPackageDB(c.f.InnerPath) {
		return nil
	}
	type hit struct {
		rule, ev string
		generic  bool
	}
	var hits []hit
	seen := map[string]bool{}
	consider := func(f report.Finding, line string, ev func(secret string) string) {
		generic := slices.Contains(genericRules, f.RuleID)
		if slices.Contains(ownRules, f.RuleID) || (generic && !c.text) || placeholder(f.Secret) || seen[f.Secret] {
			return
		}
		line = strings.TrimSpace(line)
		if generic && strings.Contains(f.Secret, "/") && !strings.ContainsAny(f.Secret, "0123456789") {
			return // a path or algorithm name ("AES/GCM/NoPadding"), not a token
		}
		if generic && passwordKey.MatchString(line) {
			return // a password assignment: plaintext-password reports it
		}
		if c.text && isCommentLine(line) {
			return
		}
		seen[f.Secret] = true
		hits = append(hits, hit{rule: f.RuleID, ev: ev(f.Secret), generic: generic})
	}
	if c.text {
		for _, f := range c.sc.scan(string(c.data)) {
			consider(f, f.Line, func(sec string) string { return lineEvidence(f.StartLine+1, redactIn(strings.TrimSpace(f.Line), sec)) })
		}
	} else {
		// Tokens and keys are long: shorter strings of a binary only cost
		// time. Strings are scanned in chunks so that gitleaks' keyword
		// pre-filter skips most rules for most chunks.
		var units []str
		for _, u := range c.units() {
			if len(u.text) >= minSecretString {
				units = append(units, u)
			}
		}
		for start := 0; start < len(units); start += secretChunk {
			chunk := units[start:min(start+secretChunk, len(units))]
			var b strings.Builder
			for _, u := range chunk {
				b.WriteString(u.text)
				b.WriteByte('\n')
			}
			for _, f := range c.sc.scan(b.String()) {
				if f.StartLine < 0 || f.StartLine >= len(chunk) {
					continue
				}
				u := chunk[f.StartLine]
				consider(f, u.text, func(sec string) string { return c.unitEvidence(u, redactIn(u.text, sec)) })
			}
		}
	}
	if len(hits) == 0 {
		return nil
	}
	sev, conf := SeverityMedium, ConfidenceMedium
	var rules, evs []string
	for _, h := range hits {
		if !h.generic {
			sev, conf = SeverityHigh, ConfidenceHigh
		}
		if !slices.Contains(rules, h.rule) {
			rules = append(rules, h.rule)
		}
		evs = append(evs, h.ev)
	}
	if c.testData() {
		sev = SeverityLow
	}
	detail := fmt.Sprintf("%d hard-coded secret(s) matching gitleaks rule(s) %s", len(hits), strings.Join(rules, ", "))
	return []Problem{problem(c.f, CategoryAPISecret, sev, conf, detail, strings.Join(evs[:min(len(evs), 5)], "; "))}
}

// isCommentLine reports whether a line is a comment in the usual
// configuration and script syntaxes.
func isCommentLine(l string) bool {
	return strings.HasPrefix(l, "#") || strings.HasPrefix(l, "//") || strings.HasPrefix(l, ";") || strings.HasPrefix(l, "--") || strings.HasPrefix(l, "/*") || strings.HasPrefix(l, "*")
}
