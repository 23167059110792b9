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
	return s.d.DetectContext(s.ctx, gldetect.Fragment{Raw: text})
}

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
	if c.sc == nil || c.sc.d == nil {
		return nil
	}
	var text string
	var units []str
	if c.text {
		text = string(c.data)
	} else {
		units = c.units()
		var b strings.Builder
		for _, u := range units {
			b.WriteString(u.text)
			b.WriteByte('\n')
		}
		text = b.String()
	}
	type hit struct {
		rule, ev string
		generic  bool
	}
	var hits []hit
	seen := map[string]bool{}
	for _, f := range c.sc.scan(text) {
		generic := slices.Contains(genericRules, f.RuleID)
		if slices.Contains(ownRules, f.RuleID) || (generic && !c.text) || placeholder(f.Secret) || seen[f.Secret] {
			continue
		}
		line := strings.TrimSpace(f.Line)
		if generic && passwordKey.MatchString(line) {
			continue // a password assignment: plaintext-password reports it
		}
		if c.text && isCommentLine(line) {
			continue
		}
		seen[f.Secret] = true
		var ev string
		if c.text {
			ev = lineEvidence(f.StartLine+1, redactIn(line, f.Secret))
		} else if f.StartLine >= 0 && f.StartLine < len(units) {
			ev = c.unitEvidence(units[f.StartLine], redactIn(units[f.StartLine].text, f.Secret))
		}
		hits = append(hits, hit{rule: f.RuleID, ev: ev, generic: generic})
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
