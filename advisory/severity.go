package advisory

import (
	"fmt"
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// Score is a parsed CVSS vector.
type Score struct {
	Version string  // "4.0", "3.1", "3.0" or "2.0"
	Vector  string  // the vector as published
	Base    float64 // base score, 0.0–10.0
	Level   string  // none, low, medium, high or critical
	Source  string  // who assigned it (empty: the advisory's database)
}

// rank orders CVSS versions: a higher rank is preferred.
func (s Score) rank() int {
	switch s.Version {
	case "4.0":
		return 4
	case "3.1":
		return 3
	case "3.0":
		return 2
	case "2.0":
		return 1
	}
	return 0
}

// ParseCVSS computes the base score of a CVSS v2, v3.0, v3.1 or v4.0
// vector with the go-cvss library.
func ParseCVSS(vector string) (Score, error) {
	v := strings.TrimSpace(vector)
	s := Score{Vector: v}
	switch {
	case strings.HasPrefix(v, "CVSS:4.0/"):
		c, err := gocvss40.ParseVector(v)
		if err != nil {
			return s, fmt.Errorf("CVSS v4.0 vector %q: %w", v, err)
		}
		s.Version, s.Base = "4.0", c.Score()
	case strings.HasPrefix(v, "CVSS:3.1/"):
		c, err := gocvss31.ParseVector(v)
		if err != nil {
			return s, fmt.Errorf("CVSS v3.1 vector %q: %w", v, err)
		}
		s.Version, s.Base = "3.1", c.BaseScore()
	case strings.HasPrefix(v, "CVSS:3.0/"):
		c, err := gocvss30.ParseVector(v)
		if err != nil {
			return s, fmt.Errorf("CVSS v3.0 vector %q: %w", v, err)
		}
		s.Version, s.Base = "3.0", c.BaseScore()
	default:
		c, err := gocvss20.ParseVector(strings.TrimSuffix(strings.TrimPrefix(v, "("), ")"))
		if err != nil {
			return s, fmt.Errorf("CVSS v2 vector %q: %w", v, err)
		}
		s.Version, s.Base = "2.0", c.BaseScore()
	}
	s.Level = Level(s.Version, s.Base)
	return s, nil
}

// Level maps a base score to its qualitative rating for the given CVSS
// version (v2 has no "none" or "critical").
func Level(version string, base float64) string {
	if version == "2.0" {
		switch {
		case base >= 7:
			return "high"
		case base >= 4:
			return "medium"
		default:
			return "low"
		}
	}
	switch {
	case base >= 9:
		return "critical"
	case base >= 7:
		return "high"
	case base >= 4:
		return "medium"
	case base > 0:
		return "low"
	default:
		return "none"
	}
}

// Scores parses every CVSS vector among sevs; vectors that do not parse
// and non-CVSS ratings are left out.
func Scores(sevs []Severity) []Score {
	var out []Score
	for _, sv := range sevs {
		if !strings.HasPrefix(sv.Type, "CVSS_") {
			continue
		}
		s, err := ParseCVSS(sv.Score)
		if err != nil {
			continue
		}
		s.Source = sv.Source
		out = append(out, s)
	}
	return out
}

// Best returns the preferred score: the newest CVSS version available
// (v4.0 > v3.1 > v3.0 > v2.0); among equals, the advisory's own score
// before third parties, then the highest. ok is false when there is none.
func Best(scores []Score) (best Score, ok bool) {
	for _, s := range scores {
		if !ok || better(s, best) {
			best, ok = s, true
		}
	}
	return best, ok
}

func better(a, b Score) bool {
	if a.rank() != b.rank() {
		return a.rank() > b.rank()
	}
	if (a.Source == "") != (b.Source == "") {
		return a.Source == ""
	}
	return a.Base > b.Base
}
