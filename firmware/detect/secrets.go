package detect

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	ahocorasick "github.com/BobuSumisu/aho-corasick"

	"github.com/assayhq/assay/firmware/detect/internal/secretrules"
)

// secretRules is the gitleaks default rule set, split for the two kinds
// of file, with a keyword index for pre-filtering.
type secretRules struct {
	text   *secretrules.Rules // every rule except ownRules
	binary *secretrules.Rules // also without genericRules: strings of a binary carry no key names to trust
	// keywords finds the rules' lower-case keywords; a rule only runs
	// where one of its keywords occurs.
	keywords *ahocorasick.Trie
}

// loadSecretRules compiles gitleaks' embedded default rules once.
var loadSecretRules = sync.OnceValues(func() (*secretRules, error) {
	all, err := secretrules.Default()
	if err != nil {
		return nil, err
	}
	text := all.Without(ownRules...)
	return &secretRules{
		text:     text,
		binary:   text.Without(genericRules...),
		keywords: ahocorasick.NewTrieBuilder().AddStrings(text.Keywords()).Build(),
	}, nil
})

// secretScanner runs the secret rules for one goroutine.
type secretScanner struct {
	ctx   context.Context
	rules *secretRules
}

// newSecretScanner returns a scanner, or nil when the rules do not load.
func newSecretScanner(ctx context.Context) *secretScanner {
	rules, err := loadSecretRules()
	if err != nil {
		return nil
	}
	return &secretScanner{ctx: ctx, rules: rules}
}

// scan runs rules over text. Findings come in a stable order, so the
// first rule to claim a secret is always the same.
func (s *secretScanner) scan(rules *secretrules.Rules, text string) []secretrules.Finding {
	fs := rules.Find(s.ctx, text)
	slices.SortFunc(fs, func(a, b secretrules.Finding) int {
		return cmp.Or(cmp.Compare(a.StartLine, b.StartLine), cmp.Compare(a.StartColumn, b.StartColumn), cmp.Compare(a.RuleID, b.RuleID))
	})
	return fs
}

// keywordHits calls fn with the end offset (exclusive) and length of every
// rule keyword in lower, which must be lower-case.
func (s *secretScanner) keywordHits(lower []byte, fn func(end, n int)) {
	s.rules.keywords.Walk(lower, func(end, n, _ int64) bool {
		fn(int(end)+1, int(n))
		return true
	})
}

// secretWindow is the context kept around a keyword in a text file: the
// longest default rule (a Kubernetes secret) spans a few hundred bytes.
const secretWindow = 512

// textWindows returns the spans of data worth running the rules on: the
// lines within secretWindow bytes of a keyword, merged where they touch,
// as [start, end) byte offsets.
func (s *secretScanner) textWindows(data []byte) [][2]int {
	var spans [][2]int
	s.keywordHits(bytes.ToLower(data), func(end, n int) {
		spans = appendSpan(spans, [2]int{max(0, end-n-secretWindow), min(len(data), end+secretWindow)})
	})
	for i, sp := range spans {
		lo := bytes.LastIndexByte(data[:sp[0]], '\n') + 1
		hi := len(data)
		if j := bytes.IndexByte(data[sp[1]:], '\n'); j >= 0 {
			hi = sp[1] + j
		}
		spans[i] = [2]int{lo, hi}
	}
	return mergeSpans(spans)
}

// mergeSpans joins spans, sorted by start, that overlap or touch.
func mergeSpans(spans [][2]int) [][2]int {
	var out [][2]int
	for _, sp := range spans {
		out = appendSpan(out, sp)
	}
	return out
}

// appendSpan adds sp to spans, joining it with the last span when they
// overlap or touch; sp must not start before the last span's start by
// more than that span's length.
func appendSpan(spans [][2]int, sp [2]int) [][2]int {
	if k := len(spans) - 1; k >= 0 && sp[0] <= spans[k][1]+1 {
		spans[k] = [2]int{min(spans[k][0], sp[0]), max(spans[k][1], sp[1])}
		return spans
	}
	return append(spans, sp)
}

// withKeywords returns the units whose text contains a rule keyword.
func (s *secretScanner) withKeywords(units []str) []str {
	var b bytes.Buffer
	starts := make([]int, len(units))
	for i, u := range units {
		starts[i] = b.Len()
		b.WriteString(u.text)
		b.WriteByte('\n')
	}
	keep := make([]bool, len(units))
	s.keywordHits(bytes.ToLower(b.Bytes()), func(end, _ int) {
		i, found := slices.BinarySearch(starts, end-1)
		if !found {
			i--
		}
		keep[i] = true
	})
	var out []str
	for i, u := range units {
		if keep[i] {
			out = append(out, u)
		}
	}
	return out
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
	if c.sc == nil || isPackageDB(c.f.InnerPath) {
		return nil
	}
	type hit struct {
		rule, ev string
		generic  bool
	}
	var hits []hit
	seen := map[string]bool{}
	consider := func(f secretrules.Finding, line string, ev func(secret string) string) {
		generic := slices.Contains(genericRules, f.RuleID)
		if placeholder(f.Secret) || seen[f.Secret] {
			return
		}
		line = strings.TrimSpace(line)
		if generic && strings.Contains(f.Secret, "/") && !strings.ContainsAny(f.Secret, "0123456789") {
			return // a path or algorithm name ("AES/GCM/NoPadding"), not a token
		}
		if generic && passwordKey().MatchString(line) {
			return // a password assignment: plaintext-password reports it
		}
		if c.text && isCommentLine(line) {
			return
		}
		seen[f.Secret] = true
		hits = append(hits, hit{rule: f.RuleID, ev: ev(f.Secret), generic: generic})
	}
	if c.text {
		c.scanTextSecrets(consider)
	} else {
		c.scanBinarySecrets(consider)
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

// scanTextSecrets runs the text rules over the parts of a text file near
// a keyword and passes each finding, its line and an evidence builder to
// consider.
func (c *content) scanTextSecrets(consider func(secretrules.Finding, string, func(string) string)) {
	line, at := 0, 0 // 0-based line number of offset at
	for _, w := range c.sc.textWindows(c.data) {
		line += bytes.Count(c.data[at:w[0]], []byte("\n"))
		at = w[0]
		text := string(c.data[w[0]:w[1]])
		lines := strings.Split(text, "\n")
		for _, f := range c.sc.scan(c.sc.rules.text, text) {
			// gitleaks' Finding.Line can start lines before the match
			// (on a last line without a newline); take the line itself.
			l := f.Line
			if f.StartLine >= 0 && f.StartLine < len(lines) {
				l = lines[f.StartLine]
			}
			n := line + f.StartLine + 1
			consider(f, l, func(sec string) string { return lineEvidence(n, redactIn(strings.TrimSpace(l), sec)) })
		}
	}
}

// scanBinarySecrets runs the binary rules over a binary's long printable
// strings that carry a keyword. Tokens and keys are long: shorter strings
// only cost time. Strings are scanned in chunks so that gitleaks' own
// keyword pre-filter skips most rules for most chunks.
func (c *content) scanBinarySecrets(consider func(secretrules.Finding, string, func(string) string)) {
	var units []str
	for _, u := range c.units() {
		if len(u.text) >= minSecretString {
			units = append(units, u)
		}
	}
	units = c.sc.withKeywords(units)
	for start := 0; start < len(units); start += secretChunk {
		chunk := units[start:min(start+secretChunk, len(units))]
		var b strings.Builder
		for _, u := range chunk {
			b.WriteString(u.text)
			b.WriteByte('\n')
		}
		for _, f := range c.sc.scan(c.sc.rules.binary, b.String()) {
			if f.StartLine < 0 || f.StartLine >= len(chunk) {
				continue
			}
			u := chunk[f.StartLine]
			consider(f, u.text, func(sec string) string { return c.unitEvidence(u, redactIn(u.text, sec)) })
		}
	}
}

// isCommentLine reports whether a line is a comment in the usual
// configuration and script syntaxes.
func isCommentLine(l string) bool {
	return strings.HasPrefix(l, "#") || strings.HasPrefix(l, "//") || strings.HasPrefix(l, ";") || strings.HasPrefix(l, "--") || strings.HasPrefix(l, "/*") || strings.HasPrefix(l, "*")
}
