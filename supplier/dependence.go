package supplier

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// DependenceSchema is the JSON schema name of a dependence report.
const DependenceSchema = "assay.supplier-dependence/v1"

// InstalledBase is an operator's deployed base by product category (YAML or
// JSON, schema assay.installed-base/v1; see docs/supplier.md).
type InstalledBase struct {
	Schema     string     `yaml:"schema,omitempty" json:"schema,omitempty"`
	Operator   string     `yaml:"operator,omitempty" json:"operator,omitempty"`
	Categories []Category `yaml:"categories" json:"categories"`
}

// Category is one product category of the installed base.
type Category struct {
	Name string `yaml:"name" json:"name"`
	// Qualified lists every supplier qualified for the category, deployed
	// or not.
	Qualified   []string     `yaml:"qualified,omitempty" json:"qualified,omitempty"`
	Deployments []Deployment `yaml:"deployments" json:"deployments"`
}

// Deployment is the number of units of one vendor in a category.
type Deployment struct {
	Vendor string  `yaml:"vendor" json:"vendor"`
	Units  float64 `yaml:"units" json:"units"`
}

// Concentration is the dependence analysis of one category.
type Concentration struct {
	Category string        `json:"category"`
	Units    float64       `json:"units"`
	Shares   []VendorShare `json:"shares"`
	// HHI is the Herfindahl–Hirschman index over unit shares in percent
	// (0–10,000).
	HHI float64 `json:"hhi"`
	// Level is "unconcentrated" (HHI < 1,500), "moderate" (≤ 2,500) or
	// "high".
	Level string `json:"level"`
	// SingleSource is true when at most one supplier is qualified (or,
	// when no qualified list is given, only one is deployed).
	SingleSource bool `json:"single_source"`
	// Alternatives are qualified suppliers not yet deployed.
	Alternatives []string `json:"alternatives,omitempty"`
}

// VendorShare is one vendor's share of a category.
type VendorShare struct {
	Vendor string  `json:"vendor"`
	Units  float64 `json:"units"`
	Share  float64 `json:"share"`
}

// LoadInstalledBase reads and validates an installed-base file.
func LoadInstalledBase(path string) (*InstalledBase, error) {
	b, err := readLimited(path)
	if err != nil {
		return nil, fmt.Errorf("load installed base: %w", err)
	}
	ib, err := ParseInstalledBase(b)
	if err != nil {
		return nil, fmt.Errorf("load installed base %s: %w", path, err)
	}
	return ib, nil
}

// ParseInstalledBase parses and validates an installed base.
func ParseInstalledBase(b []byte) (*InstalledBase, error) {
	var ib InstalledBase
	if err := decodeStrict(b, &ib); err != nil {
		return nil, err
	}
	if ib.Schema != "" && ib.Schema != "assay.installed-base/v1" {
		return nil, fmt.Errorf("schema %q, want assay.installed-base/v1", ib.Schema)
	}
	n := 0
	for i, c := range ib.Categories {
		if c.Name == "" {
			return nil, fmt.Errorf(`categories[%d]: missing "name"`, i)
		}
		for j, d := range c.Deployments {
			n++
			if d.Vendor == "" || d.Units < 0 || math.IsNaN(d.Units) || math.IsInf(d.Units, 0) {
				return nil, fmt.Errorf("categories[%d].deployments[%d]: need a vendor and units >= 0", i, j)
			}
		}
	}
	if n > MaxParties*10 {
		return nil, fmt.Errorf("more than %d deployments", MaxParties*10)
	}
	return &ib, nil
}

// Dependence computes per-category vendor shares, HHI, single-source flags
// and qualified alternatives.
func Dependence(ib *InstalledBase) []Concentration {
	var out []Concentration
	for _, c := range ib.Categories {
		con := Concentration{Category: c.Name}
		units := map[string]float64{}
		for _, d := range c.Deployments {
			units[d.Vendor] += d.Units
			con.Units += d.Units
		}
		for v, u := range units {
			share := 0.0
			if con.Units > 0 {
				share = 100 * u / con.Units
			}
			con.Shares = append(con.Shares, VendorShare{Vendor: v, Units: u, Share: math.Round(share*100) / 100})
			con.HHI += share * share
		}
		slices.SortFunc(con.Shares, func(a, b VendorShare) int {
			return cmp.Or(cmp.Compare(b.Units, a.Units), strings.Compare(a.Vendor, b.Vendor))
		})
		con.HHI = math.Round(con.HHI)
		switch {
		case con.HHI < 1500:
			con.Level = "unconcentrated"
		case con.HHI <= 2500:
			con.Level = "moderate"
		default:
			con.Level = "high"
		}
		for _, q := range c.Qualified {
			if _, deployed := units[q]; !deployed {
				con.Alternatives = append(con.Alternatives, q)
			}
		}
		if len(c.Qualified) > 0 {
			con.SingleSource = len(c.Qualified) <= 1
		} else {
			con.SingleSource = len(units) <= 1
		}
		out = append(out, con)
	}
	return out
}
