// Package secretrules runs gitleaks' default secret rules over text
// without linking gitleaks' detector.
//
// The rules come from gitleaks' own embedded configuration
// (github.com/zricethezav/gitleaks/v8/config). The runner reproduces what
// gitleaks v8.30.1 Detector.DetectContext does with a fragment that has
// only text: no file path, no commit, no decoding pass, no redaction, no
// baseline or ignore file. Importing gitleaks' detect package instead
// would link its archive readers, report templates and terminal styling,
// whose package initialisation costs every assay command about 0.8 ms of
// start-up. A differential test and fuzz target check the equivalence.
package secretrules

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
)

// allowSignature on a finding's line makes gitleaks skip the finding.
const allowSignature = "gitleaks:allow"

// Finding is one match of a rule, with gitleaks' Finding semantics.
type Finding struct {
	// RuleID names the rule that matched.
	RuleID string
	// Match is the text the rule's regular expression matched, without
	// leading and trailing newlines.
	Match string
	// Secret is the secret group of Match (the first non-empty group when
	// the rule names none), or all of Match for a rule without groups.
	Secret string
	// Line is the text around the match that gitleaks reports: from the
	// newline before the match's line to the end of its last line. On a
	// last line without a newline it starts at the beginning of the text.
	Line string
	// StartLine and EndLine are the 0-based lines of the match's start
	// and end.
	StartLine, EndLine int
	// StartColumn and EndColumn are gitleaks' columns of the match's
	// start (1-based) and end.
	StartColumn, EndColumn int
}

// Rules is a set of gitleaks rules with a keyword index. It is safe for
// concurrent use.
type Rules struct {
	rules  []config.Rule       // in the configuration's order
	global []*config.Allowlist // allowlists for every rule
	// prefilter finds the rules' lower-case keywords: a rule with keywords
	// runs only where one of them occurs.
	prefilter *ahocorasick.Trie
}

// Default loads gitleaks' embedded default configuration.
func Default() (*Rules, error) {
	cfg, err := load(config.DefaultConfig)
	if err != nil {
		return nil, fmt.Errorf("gitleaks default rules: %w", err)
	}
	return New(cfg)
}

// load compiles a gitleaks configuration in TOML. It reads it with a
// private viper instance: the global one gitleaks uses is shared state.
func load(toml string) (config.Config, error) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(toml)); err != nil {
		return config.Config{}, fmt.Errorf("reading: %w", err)
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return config.Config{}, fmt.Errorf("decoding: %w", err)
	}
	cfg, err := vc.Translate()
	if err != nil {
		return config.Config{}, fmt.Errorf("compiling: %w", err)
	}
	return cfg, nil
}

// New returns the rules of cfg. Multi-part rules (with required rules),
// which gitleaks' default configuration does not use, are refused.
func New(cfg config.Config) (*Rules, error) {
	rs := &Rules{global: cfg.Allowlists}
	for _, id := range cfg.OrderedRules {
		r, ok := cfg.Rules[id]
		if !ok {
			continue
		}
		if len(r.RequiredRules) > 0 {
			return nil, fmt.Errorf("gitleaks rule %s: multi-part rules are not supported", id)
		}
		rs.rules = append(rs.rules, r)
	}
	rs.prefilter = ahocorasick.NewTrieBuilder().AddStrings(rs.Keywords()).Build()
	return rs, nil
}

// Without returns the rules except those with the given IDs.
func (rs *Rules) Without(ids ...string) *Rules {
	out := &Rules{global: rs.global}
	for _, r := range rs.rules {
		if !slices.Contains(ids, r.RuleID) {
			out.rules = append(out.rules, r)
		}
	}
	out.prefilter = ahocorasick.NewTrieBuilder().AddStrings(out.Keywords()).Build()
	return out
}

// IDs returns the rule IDs, in the configuration's order.
func (rs *Rules) IDs() []string {
	ids := make([]string, len(rs.rules))
	for i, r := range rs.rules {
		ids[i] = r.RuleID
	}
	return ids
}

// Keywords returns the rules' distinct lower-case keywords, sorted.
func (rs *Rules) Keywords() []string {
	var ks []string
	for _, r := range rs.rules {
		for _, k := range r.Keywords {
			ks = append(ks, strings.ToLower(k))
		}
	}
	slices.Sort(ks)
	return slices.Compact(ks)
}

// Find runs the rules over text and returns their findings, rule by rule
// in the configuration's order, without the generic findings that a
// specific rule's finding on the same line contains. When ctx is done it
// stops and returns what it found so far.
func (rs *Rules) Find(ctx context.Context, text string) []Finding {
	lower := strings.ToLower(text)
	present := map[string]bool{}
	rs.prefilter.Walk([]byte(lower), func(end, n, _ int64) bool {
		present[lower[end-n+1:end+1]] = true
		return true
	})
	var lines *newlines
	var fs []Finding
	for _, r := range rs.rules {
		if ctx.Err() != nil {
			break
		}
		if len(r.Keywords) > 0 && !slices.ContainsFunc(r.Keywords, func(k string) bool { return present[strings.ToLower(k)] }) {
			continue
		}
		if lines == nil {
			lines = newNewlines(text)
		}
		fs = append(fs, rs.findRule(r, text, lines)...)
	}
	return dedupe(fs)
}

// findRule returns the findings of one rule in text.
func (rs *Rules) findRule(r config.Rule, text string, lines *newlines) []Finding {
	if r.SkipReport {
		return nil // only reported as part of a multi-part rule
	}
	if r.Path != nil {
		// The text has no path: a path rule applies only if its
		// expression matches the empty path.
		if !r.Path.MatchString("") {
			return nil
		}
		if r.Regex == nil {
			return []Finding{{RuleID: r.RuleID, Match: "file detected: "}}
		}
	}
	if r.Regex == nil {
		return nil
	}
	var fs []Finding
	for _, m := range r.Regex.FindAllStringIndex(text, -1) {
		match := strings.Trim(text[m[0]:m[1]], "\n")
		// gitleaks keeps the start and moves the end by the trimmed length.
		f := lines.locate(r.RuleID, m[0], m[0]+len(match))
		f.Match, f.Secret = match, match
		if strings.Contains(f.Line, allowSignature) {
			continue
		}
		f.Secret = secretOf(r, match)
		if r.Entropy != 0 && entropy(f.Secret) <= r.Entropy {
			continue
		}
		if allowed(rs.global, f) || allowed(r.Allowlists, f) {
			continue
		}
		fs = append(fs, f)
	}
	return fs
}

// secretOf returns the secret in a rule's match: the rule's secret group,
// else the first non-empty group, else the match itself.
func secretOf(r config.Rule, match string) string {
	groups := r.Regex.FindStringSubmatch(match)
	if len(groups) < 2 {
		return match
	}
	if r.SecretGroup > 0 {
		if r.SecretGroup < len(groups) {
			return groups[r.SecretGroup]
		}
		return match // config validation rules this out
	}
	for _, g := range groups[1:] {
		if g != "" {
			return g
		}
	}
	return match
}

// allowed reports whether one of the allowlists lets the finding go. With
// no path and no commit, only regexes (against the secret, the match or
// the line) and stop words (in the secret) can allow; an AND allowlist
// that also names paths or commits never does.
func allowed(lists []*config.Allowlist, f Finding) bool {
	for _, a := range lists {
		target := f.Secret
		switch a.RegexTarget {
		case "match":
			target = f.Match
		case "line":
			target = f.Line
		}
		byRegex := a.RegexAllowed(target)
		byStopword, _ := a.ContainsStopWord(f.Secret)
		if a.MatchCondition != config.AllowlistMatchAnd {
			if byRegex || byStopword {
				return true
			}
			continue
		}
		if len(a.Commits) > 0 || len(a.Paths) > 0 {
			continue
		}
		if (len(a.Regexes) == 0 || byRegex) && (len(a.StopWords) == 0 || byStopword) {
			return true
		}
	}
	return false
}

// entropy is the Shannon entropy of s in bits per character, counting
// runes but dividing by the length in bytes, as gitleaks does.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	counts := map[rune]int{}
	var order []rune // first-seen order, for a reproducible sum
	for _, c := range s {
		if counts[c] == 0 {
			order = append(order, c)
		}
		counts[c]++
	}
	e, inv := 0.0, 1.0/float64(len(s))
	for _, c := range order {
		p := float64(counts[c]) * inv
		e -= p * math.Log2(p)
	}
	return e
}

// dedupe drops each generic finding (a rule ID containing "generic")
// whose secret lies within the secret of a specific rule's finding on the
// same start line.
func dedupe(fs []Finding) []Finding {
	generic := func(f Finding) bool { return strings.Contains(strings.ToLower(f.RuleID), "generic") }
	// The specific findings by line: searching all findings for each
	// generic one was quadratic in the findings of a file.
	specific := map[int][]Finding{}
	for _, g := range fs {
		if !generic(g) {
			specific[g.StartLine] = append(specific[g.StartLine], g)
		}
	}
	var out []Finding
	for _, f := range fs {
		covered := generic(f) && slices.ContainsFunc(specific[f.StartLine], func(g Finding) bool {
			return g.RuleID != f.RuleID && strings.Contains(g.Secret, f.Secret)
		})
		if !covered {
			out = append(out, f)
		}
	}
	return out
}

// newlines indexes the newlines of a text for gitleaks' line and column
// arithmetic.
type newlines struct {
	text string
	// at holds the offset of every newline; for a text without any it
	// holds len(text), as if one followed the text.
	at []int
}

func newNewlines(text string) *newlines {
	n := &newlines{text: text}
	for i := 0; i < len(text); i++ {
		j := strings.IndexByte(text[i:], '\n')
		if j < 0 {
			break
		}
		i += j
		n.at = append(n.at, i)
	}
	if len(n.at) == 0 {
		n.at = []int{len(text)}
	}
	return n
}

// prev returns the offset where line i starts in gitleaks' arithmetic:
// 0 for the first line, else the offset of the newline before it.
func (n *newlines) prev(i int) int {
	if i == 0 {
		return 0
	}
	return n.at[i-1]
}

// locate returns a finding for rule id with gitleaks' location of the
// match text[start:end]: line i spans [prev(i), at[i]), columns count from
// prev(i), and a match starting after the last newline is placed on the
// line after it, with a Line from the start of the text.
func (n *newlines) locate(id string, start, end int) Finding {
	f := Finding{RuleID: id}
	lineStart, lineEnd := 0, 0          // Line is text[lineStart:lineEnd]
	s := sort.SearchInts(n.at, start+1) // first newline after start
	e := sort.SearchInts(n.at, end)     // first newline at or after end
	setStart := func() {
		f.StartLine, f.EndLine = s, s
		f.StartColumn = start - n.prev(s) + 1
		lineStart, lineEnd = n.prev(s), n.at[s]
	}
	setEnd := func() {
		if e < len(n.at) && n.prev(e) < end {
			f.EndLine, f.EndColumn = e, end-n.prev(e)
			lineEnd = n.at[e]
		}
	}
	switch {
	case s == len(n.at): // after the last newline
		last := n.at[len(n.at)-1]
		f.StartLine, f.EndLine = s, s
		f.StartColumn, f.EndColumn = start-last+1, end-last
		lineEnd = end
		if i := strings.IndexAny(n.text[end:], "\n\r"); i >= 0 {
			lineEnd += i
		} else {
			lineEnd = len(n.text)
		}
	case e < s: // an empty match on a newline: gitleaks sets the end first
		setEnd()
		setStart()
	default:
		setStart()
		setEnd()
	}
	f.Line = n.text[lineStart:max(lineEnd, end)]
	return f
}
