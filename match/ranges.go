package match

import (
	"slices"
	"strings"
	"sync"

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
	return compile(af, ecosystem, nil).affects(&query{ecosystem: ecosystem, raw: v})
}

// entry is an affected entry with its range events parsed and sorted
// once, so that matching many versions of one package parses each bound
// only once; the fixed versions and platform limits are worked out once
// too.
type entry struct {
	af     advisory.Affected
	ranges [][]event
	fixed  []string // the fixed versions, in record order (shared: never appended to)
	// plats holds the Go ecosystem_specific.imports limits (nil when
	// none), decoded on first use (platOnce): only entries that affect a
	// binary's version need them.
	platOnce sync.Once
	plats    []platform
	// versions returns af.Versions as a set, made on first use; nil when
	// the list is short enough to search (a list of thousands searched
	// for each of thousands of versions of the package was quadratic).
	versions func() map[string]bool
}

// platform is one GOOS/GOARCH limit of a Go advisory entry; empty lists
// mean any.
type platform struct{ goos, goarch []string }

// query is a version being matched, parsed at most once however many
// entries it is evaluated against.
type query struct {
	ecosystem, raw string
	parsed         version.Version
	state          int8 // 0 not parsed yet, 1 parsed, -1 does not parse
}

func (q *query) version() (version.Version, bool) {
	if q.state == 0 {
		q.state = -1
		if v, _, err := version.Parse(q.ecosystem, q.raw); err == nil {
			q.parsed, q.state = v, 1
		}
	}
	return q.parsed, q.state == 1
}

// event is one parsed range event.
type event struct {
	kind string // introduced, fixed, last_affected, limit
	raw  string
	v    version.Version
	zero bool // introduced "0"
	bad  bool // the bound did not parse
}

func compile(af advisory.Affected, ecosystem string, bounds versionCache) *entry {
	e := &entry{af: af, fixed: fixedVersions(af)}
	if len(af.Versions) > 16 {
		e.versions = sync.OnceValue(func() map[string]bool {
			set := make(map[string]bool, len(e.af.Versions))
			for _, v := range e.af.Versions {
				set[v] = true
			}
			return set
		})
	}
	for _, r := range af.Ranges {
		if r.Type != "ECOSYSTEM" && r.Type != "SEMVER" {
			continue
		}
		evs := make([]event, 0, len(r.Events))
		for _, re := range r.Events {
			ev := eventOf(re)
			if ev.kind == "introduced" && ev.raw == "0" {
				ev.zero = true
			} else if pv, ok := bounds.parse(ecosystem, ev.raw); ok {
				ev.v = pv
			} else {
				ev.bad = true
			}
			evs = append(evs, ev)
		}
		slices.SortStableFunc(evs, compareEvents)
		e.ranges = append(e.ranges, evs)
	}
	return e
}

// platforms returns the entry's platform limits, decoding them on first
// use.
func (e *entry) platforms() []platform {
	e.platOnce.Do(func() { e.plats = platformsOf(e.af) })
	return e.plats
}

// compareEvents orders events as eventLess does, for slices.SortStableFunc.
func compareEvents(a, b event) int {
	switch {
	case eventLess(a, b):
		return -1
	case eventLess(b, a):
		return 1
	}
	return 0
}

// versionCache holds the range bounds parsed while compiling one
// package's advisories, which share many (the Go standard library's
// advisories name the same few dozen releases). A nil cache parses every
// time. Not safe for concurrent use.
type versionCache map[string]parsedBound

type parsedBound struct {
	v  version.Version
	ok bool
}

func (c versionCache) parse(ecosystem, raw string) (version.Version, bool) {
	if b, hit := c[raw]; hit {
		return b.v, b.ok
	}
	v, _, err := version.Parse(ecosystem, raw)
	if c != nil {
		c[raw] = parsedBound{v, err == nil}
	}
	return v, err == nil
}

func eventOf(e advisory.Event) event {
	switch {
	case e.Introduced != "":
		return event{kind: "introduced", raw: e.Introduced}
	case e.Fixed != "":
		return event{kind: "fixed", raw: e.Fixed}
	case e.LastAffected != "":
		return event{kind: "last_affected", raw: e.LastAffected}
	default:
		return event{kind: "limit", raw: e.Limit}
	}
}

// eventLess orders events by version, "introduced 0" first; bounds that
// do not parse keep their place relative to each other, after the rest.
func eventLess(a, b event) bool {
	switch {
	case a.zero || b.zero:
		return a.zero && !b.zero
	case a.bad || b.bad:
		return !a.bad && b.bad
	}
	c, err := a.v.Cmp(b.v)
	return err == nil && c < 0
}

// affects evaluates a version against the compiled entry.
func (e *entry) affects(q *query) (string, bool) {
	v := q.raw
	listed := func(v string) bool { return slices.Contains(e.af.Versions, v) }
	if e.versions != nil {
		listed = func(v string) bool { return e.versions()[v] }
	}
	if listed(v) || (strings.HasPrefix(q.ecosystem, "Go") && listed(strings.TrimPrefix(v, "v"))) {
		return "version " + v + " listed as affected", true
	}
	if len(e.ranges) == 0 {
		return "", false
	}
	parsed, ok := q.version()
	if !ok {
		return "", false
	}
	for _, evs := range e.ranges {
		if rule, ok := inRange(parsed, evs); ok {
			return rule, true
		}
	}
	return "", false
}

// inRange evaluates one range's sorted events against a parsed version.
func inRange(v version.Version, events []event) (string, bool) {
	for _, e := range events {
		if e.kind == "limit" && cmp(v, e) >= 0 {
			return "", false
		}
	}
	affected := false
	var from string
	for i, e := range events {
		switch e.kind {
		case "introduced":
			if e.zero || cmp(v, e) >= 0 {
				affected, from = true, e.raw
			}
		case "fixed":
			if cmp(v, e) >= 0 {
				affected = false
			} else if affected {
				return "introduced " + from + ", fixed " + e.raw, true
			}
		case "last_affected":
			if cmp(v, e) > 0 {
				affected = false
			} else if affected {
				return "introduced " + from + ", last_affected " + e.raw, true
			}
		}
		if i == len(events)-1 && affected {
			return "introduced " + from + ", no fix", true
		}
	}
	return "", false
}

// cmp compares v with an event's bound; a bound that does not parse
// sorts after everything, so a garbled bound never widens a range
// downward.
func cmp(v version.Version, e event) int {
	if e.bad {
		return -1
	}
	c, err := v.Cmp(e.v)
	if err != nil {
		return -1
	}
	return c
}
