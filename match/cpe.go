package match

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/assayhq/assay/advisory"
	"github.com/assayhq/assay/version"
	"github.com/assayhq/assay/vulndb"
)

// cpe is a parsed CPE 2.3 formatted string.
type cpe struct {
	part, vendor, product, version, update string
}

// parseCPE parses "cpe:2.3:part:vendor:product:version:update:…".
func parseCPE(s string) (cpe, error) {
	f := advisory.SplitCPE(s)
	if len(f) < 6 || f[0] != "cpe" || f[1] != "2.3" {
		return cpe{}, fmt.Errorf("not a CPE 2.3 formatted string: %q", s)
	}
	c := cpe{part: f[2], vendor: strings.ToLower(f[3]), product: strings.ToLower(f[4]), version: unescape(f[5])}
	if len(f) > 6 {
		c.update = unescape(f[6])
	}
	return c, nil
}

func unescape(s string) string { return strings.ReplaceAll(s, `\`, "") }

// matchCPE evaluates the NVD configurations of every CVE naming one of
// the component's CPE vendor:product pairs.
func (m *Matcher) matchCPE(ctx context.Context, p Package) ([]hit, error) {
	var hits []hit
	seen := map[string]bool{}
	for _, s := range p.CPEs {
		c, err := parseCPE(s)
		if err != nil || c.version == "" || c.version == "*" || c.version == "-" {
			continue
		}
		ids, err := m.db.CPECandidates(ctx, c.vendor, c.product)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			a, err := m.db.Advisory(ctx, id)
			if errors.Is(err, vulndb.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if a.IsWithdrawn() {
				continue
			}
			rule, fixed, ok := configsMatch(a.Configurations, c)
			if !ok {
				continue
			}
			seen[id] = true
			hits = append(hits, hit{id: id, evidence: Evidence{By: "cpe", Identifier: s, Advisory: id, Rule: rule}, fixed: fixed})
		}
	}
	return hits, nil
}

// configsMatch reports whether any configuration applies to c. Within a
// configuration, nodes combine by its operator (OR when empty); within a
// node, criteria combine by the node's operator, and negate inverts the
// result. Nodes whose criteria are all non-vulnerable describe the
// platform the product runs on (a hardware model, an OS); Assay cannot
// observe the platform, so such nodes are taken as satisfied and the rule
// says so.
func configsMatch(configs []advisory.Config, c cpe) (rule string, fixed []string, ok bool) {
	for _, cfg := range configs {
		matched := cfg.Operator == "AND"
		var why string
		platform := false
		for _, n := range cfg.Nodes {
			if !hasVulnerable(n) {
				platform = true
				continue // platform context, assumed
			}
			r, fx, ok := nodeMatches(n, c)
			if ok {
				why, fixed = r, append(fixed, fx...)
			}
			if cfg.Operator == "AND" {
				matched = matched && ok
			} else if ok {
				matched = true
			}
		}
		if matched && why != "" {
			if platform && cfg.Operator == "AND" {
				why += " (platform conditions of the configuration assumed)"
			}
			return why, fixed, true
		}
	}
	return "", nil, false
}

func hasVulnerable(n advisory.Node) bool {
	for _, m := range n.CPEMatch {
		if m.Vulnerable {
			return true
		}
	}
	return false
}

// nodeMatches evaluates one node against the component's CPE.
func nodeMatches(n advisory.Node, c cpe) (string, []string, bool) {
	and := n.Operator == "AND"
	result := and
	var why string
	var fixed []string
	for _, m := range n.CPEMatch {
		r, ok := criterionMatches(m, c)
		if ok && m.Vulnerable {
			why = r
			if m.VersionEndExcluding != "" {
				fixed = append(fixed, m.VersionEndExcluding)
			}
		}
		ok = ok && m.Vulnerable
		if and {
			result = result && ok
		} else if ok {
			result = true
		}
	}
	if n.Negate {
		result = !result
	}
	return why, fixed, result
}

// criterionMatches compares one cpeMatch criterion with c: same part,
// vendor and product, and c's version within the criterion's version or
// bounds.
func criterionMatches(m advisory.CPEMatch, c cpe) (string, bool) {
	crit, err := parseCPE(m.Criteria)
	if err != nil || crit.part != c.part || crit.vendor != c.vendor || crit.product != c.product {
		return "", false
	}
	v := version.Generic(c.version)
	switch crit.version {
	case "*", "":
	case "-":
		return "", false
	default:
		if cv, err := v.Compare(crit.version); err != nil || cv != 0 {
			return "", false
		}
		if crit.update != "*" && crit.update != "" && crit.update != "-" && c.update != crit.update {
			return "", false
		}
		return "cpe " + m.Criteria, true
	}
	var bounds []string
	check := func(bound string, ok func(int) bool, text string) bool {
		if bound == "" {
			return true
		}
		c, err := v.Compare(bound)
		if err != nil || !ok(c) {
			return false
		}
		bounds = append(bounds, text+" "+bound)
		return true
	}
	if !check(m.VersionStartIncluding, func(c int) bool { return c >= 0 }, "versionStartIncluding") ||
		!check(m.VersionStartExcluding, func(c int) bool { return c > 0 }, "versionStartExcluding") ||
		!check(m.VersionEndIncluding, func(c int) bool { return c <= 0 }, "versionEndIncluding") ||
		!check(m.VersionEndExcluding, func(c int) bool { return c < 0 }, "versionEndExcluding") {
		return "", false
	}
	if len(bounds) == 0 {
		bounds = append(bounds, "all versions")
	}
	return fmt.Sprintf("cpe %s:%s %s", crit.vendor, crit.product, strings.Join(bounds, ", ")), true
}
