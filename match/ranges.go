package match

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/assayhq/assay/advisory"
	"github.com/assayhq/assay/version"
)

// Affects reports whether version v of a package in ecosystem is affected
// by one OSV affected entry, and the rule that decided it. It applies the
// OSV evaluation rules: v is affected when it is listed in "versions", or
// when, within one ECOSYSTEM or SEMVER range, the events sorted by
// version leave v after an "introduced" and before the next "fixed", at
// or before the next "last_affected", and below any "limit". GIT ranges
// need commit-level data and are only used through "versions".
func Affects(af advisory.Affected, ecosystem, v string) (rule string, ok bool) {
	if slices.Contains(af.Versions, v) || (strings.HasPrefix(ecosystem, "Go") && slices.Contains(af.Versions, strings.TrimPrefix(v, "v"))) {
		return fmt.Sprintf("version %s listed as affected", v), true
	}
	parsed, _, err := version.Parse(ecosystem, v)
	if err != nil {
		return "", false
	}
	for _, r := range af.Ranges {
		if r.Type != "ECOSYSTEM" && r.Type != "SEMVER" {
			continue
		}
		if rule, ok := inRange(parsed, r); ok {
			return rule, true
		}
	}
	return "", false
}

// inRange evaluates one range's events against a parsed version.
func inRange(v version.Version, r advisory.Range) (string, bool) {
	events := sortedEvents(v, r.Events)
	for _, e := range events {
		if e.Limit != "" && cmp(v, e.Limit) >= 0 {
			return "", false
		}
	}
	affected := false
	var from string
	for i, e := range events {
		switch {
		case e.Introduced != "":
			if e.Introduced == "0" || cmp(v, e.Introduced) >= 0 {
				affected, from = true, e.Introduced
			}
		case e.Fixed != "":
			if cmp(v, e.Fixed) >= 0 {
				affected = false
			} else if affected {
				return fmt.Sprintf("introduced %s, fixed %s", from, e.Fixed), true
			}
		case e.LastAffected != "":
			if cmp(v, e.LastAffected) > 0 {
				affected = false
			} else if affected {
				return fmt.Sprintf("introduced %s, last_affected %s", from, e.LastAffected), true
			}
		}
		if i == len(events)-1 && affected {
			return fmt.Sprintf("introduced %s, no fix", from), true
		}
	}
	return "", false
}

// cmp compares v with s; a version that does not parse sorts after
// everything, so a garbled bound never widens a range downward.
func cmp(v version.Version, s string) int {
	c, err := v.Compare(s)
	if err != nil {
		return -1
	}
	return c
}

// sortedEvents orders events by version ("introduced 0" first), keeping
// the given order among equal versions. Comparisons go through v's
// ecosystem parser.
func sortedEvents(v version.Version, events []advisory.Event) []advisory.Event {
	out := slices.Clone(events)
	val := func(e advisory.Event) string {
		return e.Introduced + e.Fixed + e.LastAffected + e.Limit
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := val(out[i]), val(out[j])
		if a == b {
			return false
		}
		if a == "0" && out[i].Introduced != "" {
			return true
		}
		if b == "0" && out[j].Introduced != "" {
			return false
		}
		return v.Less(a, b)
	})
	return out
}
