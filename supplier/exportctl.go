package supplier

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"time"
)

//go:embed exportrules.yaml
var defaultExportRules []byte

// ExportRule is one export-control rule (see exportrules.yaml).
type ExportRule struct {
	ID              string   `yaml:"id" json:"id"`
	Regime          string   `yaml:"regime" json:"regime"`
	Title           string   `yaml:"title" json:"title"`
	Classifications []string `yaml:"classifications" json:"classifications"`
	Destinations    []string `yaml:"destinations,omitempty" json:"destinations,omitempty"`
	Except          []string `yaml:"except,omitempty" json:"except,omitempty"`
	EffectiveFrom   string   `yaml:"effective_from" json:"effective_from"`
	EffectiveTo     string   `yaml:"effective_to,omitempty" json:"effective_to,omitempty"`
	Policy          string   `yaml:"policy,omitempty" json:"policy,omitempty"`
	Source          string   `yaml:"source,omitempty" json:"source,omitempty"`
}

// ExportRules is a rule set.
type ExportRules struct {
	Schema string       `yaml:"schema"`
	Rules  []ExportRule `yaml:"rules"`
}

// DefaultExportRules returns the rules shipped with assay.
func DefaultExportRules() (*ExportRules, error) { return ParseExportRules(defaultExportRules) }

// ParseExportRules parses and validates a rule file.
func ParseExportRules(b []byte) (*ExportRules, error) {
	var rs ExportRules
	if err := decodeStrict(b, &rs); err != nil {
		return nil, fmt.Errorf("export rules: %w", err)
	}
	if rs.Schema != "assay.export-rules/v1" {
		return nil, fmt.Errorf("export rules: schema %q, want assay.export-rules/v1", rs.Schema)
	}
	for i, r := range rs.Rules {
		if r.ID == "" || len(r.Classifications) == 0 {
			return nil, fmt.Errorf("export rules[%d]: id and classifications are required", i)
		}
		if (len(r.Destinations) == 0) == (len(r.Except) == 0) {
			return nil, fmt.Errorf("export rule %s: give exactly one of destinations and except", r.ID)
		}
		for _, d := range []string{r.EffectiveFrom, r.EffectiveTo} {
			if _, err := time.Parse("2006-01-02", d); d != "" && err != nil {
				return nil, fmt.Errorf("export rule %s: date %q: %w", r.ID, d, err)
			}
		}
	}
	return &rs, nil
}

// ExportFinding says that exporting one item to one destination needs a
// licence under one rule on the evaluation date.
type ExportFinding struct {
	Item           string `json:"item"`
	Classification string `json:"classification"`
	Destination    string `json:"destination"`
	Rule           string `json:"rule"`
	Regime         string `json:"regime"`
	Title          string `json:"title"`
	Policy         string `json:"policy,omitempty"`
	Source         string `json:"source,omitempty"`
	// SupplyCutRisk is true: a licence requirement means supply to this
	// destination can be cut by a licence denial or a rule change.
	SupplyCutRisk bool `json:"supply_cut_risk"`
}

// Evaluate returns the rules that apply to item (with its
// classifications) exported to destination on date on.
func (rs *ExportRules) Evaluate(item string, classifications []string, destination string, on time.Time) []ExportFinding {
	day := on.Format("2006-01-02")
	dest := strings.ToUpper(destination)
	var out []ExportFinding
	for _, r := range rs.Rules {
		if (r.EffectiveFrom != "" && day < r.EffectiveFrom) || (r.EffectiveTo != "" && day > r.EffectiveTo) {
			continue
		}
		covered := slices.Contains(r.Destinations, dest) || (len(r.Except) > 0 && !slices.Contains(r.Except, dest))
		if !covered {
			continue
		}
		for _, c := range classifications {
			if matchClassification(r.Classifications, c) {
				out = append(out, ExportFinding{Item: item, Classification: c, Destination: dest, Rule: r.ID, Regime: r.Regime,
					Title: r.Title, Policy: r.Policy, Source: r.Source, SupplyCutRisk: true})
				break
			}
		}
	}
	return out
}

// matchClassification compares case-insensitively; a rule entry "3B001"
// also covers sub-paragraphs such as "3B001.f".
func matchClassification(rule []string, c string) bool {
	c = strings.ToUpper(strings.TrimSpace(c))
	for _, r := range rule {
		r = strings.ToUpper(r)
		if c == r || strings.HasPrefix(c, r+".") {
			return true
		}
	}
	return false
}
