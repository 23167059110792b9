// Package version orders versions by the rules of their ecosystem. It is
// a thin wrapper over osv-scalibr's semantic package (written for OSV
// matching), adding the Go "v" prefix convention and a generic ordering
// for ecosystems and CPE versions it does not know.
package version

import (
	"errors"
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// Version is a parsed version that can be compared with others of its
// ecosystem.
type Version struct {
	v         semantic.Version
	ecosystem string // "" for Generic
}

// Parse parses s by the rules of ecosystem ("Go", "PyPI", "Debian:12", …).
// Ecosystems without specific rules fall back to a SemVer-like ordering
// of dotted numeric and alphanumeric parts. supported reports whether the
// ecosystem has its own rules.
func Parse(ecosystem, s string) (v Version, supported bool, err error) {
	if strings.HasPrefix(ecosystem, "Go") {
		s = strings.TrimPrefix(s, "v")
	}
	sv, err := semantic.Parse(s, ecosystem)
	if err == nil {
		return Version{sv, ecosystem}, true, nil
	}
	if errors.Is(err, semantic.ErrUnsupportedEcosystem) {
		return Generic(s), false, nil
	}
	return Version{}, true, err
}

// Generic parses s with the ordering used for CPE versions and unknown
// ecosystems: Debian's algorithm (digit runs compared numerically, other
// runs lexically, "~" sorting first), which orders "1.0.2k" < "1.0.2l" <
// "1.1.0" and "2020.81" < "2022.82"; strings Debian rejects fall back to
// SemVer ordering.
func Generic(s string) Version {
	if v, err := semantic.ParseDebianVersion(s); err == nil {
		return Version{genericVersion{v}, ""}
	}
	return Version{genericVersion{semantic.ParseSemverVersion(s)}, ""}
}

// genericVersion compares against strings parsed with Generic.
type genericVersion struct{ semantic.Version }

func (g genericVersion) CompareStr(s string) (int, error) {
	return g.Version.Compare(Generic(s).v.(genericVersion).Version)
}

// Compare returns -1, 0 or +1 as v is lower than, equal to or higher than
// s parsed in v's ecosystem; err reports a version that does not parse.
func (v Version) Compare(s string) (int, error) {
	return v.v.CompareStr(s)
}

// Supported reports whether ecosystem has its own ordering rules.
func Supported(ecosystem string) bool {
	_, err := semantic.Parse("0", ecosystem)
	return !errors.Is(err, semantic.ErrUnsupportedEcosystem)
}

// Less reports whether a sorts before b in v's ecosystem (a and b are
// parsed the way v was).
func (v Version) Less(a, b string) bool {
	var pa Version
	if v.ecosystem == "" {
		pa = Generic(a)
	} else {
		var err error
		if pa, _, err = Parse(v.ecosystem, a); err != nil {
			return false
		}
	}
	c, err := pa.Compare(b)
	return err == nil && c < 0
}

// Cmp compares two versions parsed the same way (same ecosystem, or both
// Generic): -1, 0 or +1.
func (v Version) Cmp(w Version) (int, error) {
	return v.v.Compare(w.v)
}
