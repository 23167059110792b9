// Package advisory is Assay's vulnerability advisory model. It follows the
// OSV schema (https://ossf.github.io/osv-schema/) field for field, so OSV
// records decode into it unchanged; records from other sources (NVD, the
// Debian security tracker, Alpine secdb) are normalized into the same shape.
//
// Two fields extend OSV: Severity.Source names who scored a vector, and
// Advisory.Configurations keeps NVD CPE applicability statements for CPE
// matching.
package advisory

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Advisory is one vulnerability record.
type Advisory struct {
	SchemaVersion    string          `json:"schema_version,omitempty"`
	ID               string          `json:"id"`
	Modified         string          `json:"modified"`
	Published        string          `json:"published,omitempty"`
	Withdrawn        string          `json:"withdrawn,omitempty"`
	Aliases          []string        `json:"aliases,omitempty"`
	Related          []string        `json:"related,omitempty"`
	Upstream         []string        `json:"upstream,omitempty"`
	Summary          string          `json:"summary,omitempty"`
	Details          string          `json:"details,omitempty"`
	Severity         []Severity      `json:"severity,omitempty"`
	Affected         []Affected      `json:"affected,omitempty"`
	References       []Reference     `json:"references,omitempty"`
	DatabaseSpecific json.RawMessage `json:"database_specific,omitempty"`

	// Configurations holds NVD CPE applicability statements (an Assay
	// extension; empty for OSV records).
	Configurations []Config `json:"configurations,omitempty"`
}

// Severity is one severity score: a CVSS vector (type CVSS_V2, CVSS_V3,
// CVSS_V4) or an ecosystem-specific rating.
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
	// Source names the party that assigned the score (an Assay
	// extension, e.g. "nvd@nist.gov"); empty means the advisory's own
	// database.
	Source string `json:"source,omitempty"`
}

// Affected lists the affected versions of one package.
type Affected struct {
	Package           Package         `json:"package"`
	Severity          []Severity      `json:"severity,omitempty"`
	Ranges            []Range         `json:"ranges,omitempty"`
	Versions          []string        `json:"versions,omitempty"`
	EcosystemSpecific json.RawMessage `json:"ecosystem_specific,omitempty"`
	DatabaseSpecific  json.RawMessage `json:"database_specific,omitempty"`
}

// Package identifies a package within an ecosystem.
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

// Range is a sequence of version events of one type (ECOSYSTEM, SEMVER or
// GIT).
type Range struct {
	Type             string          `json:"type"`
	Repo             string          `json:"repo,omitempty"`
	Events           []Event         `json:"events"`
	DatabaseSpecific json.RawMessage `json:"database_specific,omitempty"`
}

// Event is one range event; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Reference is a link to more information.
type Reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Limits bound the size of one record accepted by Parse.
const (
	// MaxRecordBytes is the largest accepted encoded record.
	MaxRecordBytes = 16 << 20
	// MaxAffected is the largest accepted number of affected entries.
	MaxAffected = 100_000
)

// Parse decodes and validates one OSV JSON record.
func Parse(data []byte) (*Advisory, error) {
	if len(data) > MaxRecordBytes {
		return nil, fmt.Errorf("record is %d bytes, over the %d byte limit", len(data), MaxRecordBytes)
	}
	var a Advisory
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("decode OSV JSON: %w", err)
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return &a, nil
}

// Validate checks the fields matching relies on: an ID, a parseable
// modified time, and well-formed affected packages and ranges.
func (a *Advisory) Validate() error {
	if strings.TrimSpace(a.ID) == "" {
		return errors.New("record has no id")
	}
	if _, err := ParseTime(a.Modified); err != nil {
		return fmt.Errorf("%s: modified: %w", a.ID, err)
	}
	if a.Withdrawn != "" {
		if _, err := ParseTime(a.Withdrawn); err != nil {
			return fmt.Errorf("%s: withdrawn: %w", a.ID, err)
		}
	}
	if len(a.Affected) > MaxAffected {
		return fmt.Errorf("%s: %d affected entries, over the limit of %d", a.ID, len(a.Affected), MaxAffected)
	}
	for i, af := range a.Affected {
		if af.Package.Name == "" && af.Package.PURL == "" && len(af.Ranges) == 0 {
			return fmt.Errorf("%s: affected[%d] names no package", a.ID, i)
		}
		for j, r := range af.Ranges {
			if err := r.validate(); err != nil {
				return fmt.Errorf("%s: affected[%d].ranges[%d]: %w", a.ID, i, j, err)
			}
		}
	}
	return nil
}

func (r Range) validate() error {
	switch r.Type {
	case "ECOSYSTEM", "SEMVER", "GIT":
	default:
		return fmt.Errorf("unknown range type %q", r.Type)
	}
	if len(r.Events) == 0 {
		return errors.New("no events")
	}
	for k, e := range r.Events {
		n := 0
		for _, v := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
			if v != "" {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("event %d sets %d fields, want exactly one", k, n)
		}
	}
	return nil
}

// IsWithdrawn reports whether the record has been withdrawn by its source.
func (a *Advisory) IsWithdrawn() bool { return a.Withdrawn != "" }

// IDs returns the record's ID followed by its aliases.
func (a *Advisory) IDs() []string {
	return append([]string{a.ID}, a.Aliases...)
}

// CVEs returns the CVE identifiers the record names as its ID, aliases or
// upstream records, without duplicates.
func (a *Advisory) CVEs() []string {
	var out []string
	seen := map[string]bool{}
	for _, group := range [][]string{{a.ID}, a.Aliases, a.Upstream} {
		for _, id := range group {
			if strings.HasPrefix(id, "CVE-") && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// ParseTime parses an OSV timestamp (RFC 3339; the date-only and
// zone-less forms some databases publish are accepted too).
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not an RFC 3339 time: %q", s)
}
