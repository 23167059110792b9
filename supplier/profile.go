package supplier

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Profile limits (see docs/supplier.md).
const (
	// MaxProfileBytes bounds a vendor profile file.
	MaxProfileBytes = 1 << 20
	// MaxOwnershipDepth bounds the ownership chain (owners of owners).
	MaxOwnershipDepth = 12
	// MaxParties bounds the owners, facilities and sub-suppliers of one
	// profile together.
	MaxParties = 2000
)

// Profile is a vendor profile: who the vendor is, who owns it, where it
// works and whom it relies on. It is read from YAML or JSON (the same
// field names); see docs/supplier.md and examples/vendor.yaml.
type Profile struct {
	// Schema is optional; when present it must be "assay.vendor/v1".
	Schema string `yaml:"schema,omitempty" json:"schema,omitempty"`
	// Name is the legal name.
	Name string `yaml:"name" json:"name"`
	// Aliases are trade names and former names.
	Aliases []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	// LocalNames are the names in other scripts (Chinese, Cyrillic, ...).
	LocalNames   []string     `yaml:"local_names,omitempty" json:"local_names,omitempty"`
	Identifiers  []Identifier `yaml:"identifiers,omitempty" json:"identifiers,omitempty"`
	Country      string       `yaml:"country,omitempty" json:"country,omitempty"`
	Headquarters string       `yaml:"headquarters,omitempty" json:"headquarters,omitempty"`
	StateOwned   bool         `yaml:"state_owned,omitempty" json:"state_owned,omitempty"`
	Owners       []Owner      `yaml:"owners,omitempty" json:"owners,omitempty"`
	Facilities   []Facility   `yaml:"facilities,omitempty" json:"facilities,omitempty"`
	SubSuppliers []Party      `yaml:"sub_suppliers,omitempty" json:"sub_suppliers,omitempty"`
	ProductLines []Product    `yaml:"products,omitempty" json:"products,omitempty"`
	Notes        string       `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// Identifier is a registration, tax or LEI number.
type Identifier struct {
	Type    string `yaml:"type" json:"type"`
	Number  string `yaml:"number" json:"number"`
	Country string `yaml:"country,omitempty" json:"country,omitempty"`
}

// Owner is a direct owner with its share and, recursively, its own owners.
type Owner struct {
	Name    string `yaml:"name" json:"name"`
	Country string `yaml:"country,omitempty" json:"country,omitempty"`
	// Share is the percentage of the owned entity held (0-100).
	Share float64 `yaml:"share" json:"share"`
	// StateOwned marks a government or state-owned owner; Government names
	// which state.
	StateOwned  bool         `yaml:"state_owned,omitempty" json:"state_owned,omitempty"`
	Government  string       `yaml:"government,omitempty" json:"government,omitempty"`
	Identifiers []Identifier `yaml:"identifiers,omitempty" json:"identifiers,omitempty"`
	Aliases     []string     `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	Owners      []Owner      `yaml:"owners,omitempty" json:"owners,omitempty"`
}

// Facility is a site by country and function.
type Facility struct {
	Name    string `yaml:"name" json:"name"`
	Country string `yaml:"country" json:"country"`
	// Function is one of rd, fab, assembly, test, support, logistics,
	// datacenter or other.
	Function string `yaml:"function" json:"function"`
	// Operator names the company running the site when it is not the
	// vendor (it is then screened).
	Operator string `yaml:"operator,omitempty" json:"operator,omitempty"`
}

// Party is a named sub-supplier.
type Party struct {
	Name     string `yaml:"name" json:"name"`
	Country  string `yaml:"country,omitempty" json:"country,omitempty"`
	Supplies string `yaml:"supplies,omitempty" json:"supplies,omitempty"`
}

// Product is a product line with its export-control classification.
type Product struct {
	Name     string `yaml:"name" json:"name"`
	Category string `yaml:"category,omitempty" json:"category,omitempty"`
	// ECCN is the US Export Control Classification Number (e.g. 5A002,
	// 3A090); other regimes' numbers go in Controls.
	ECCN     string   `yaml:"eccn,omitempty" json:"eccn,omitempty"`
	Controls []string `yaml:"controls,omitempty" json:"controls,omitempty"`
	// EOL names the endoflife.date product (e.g. "cisco-ios-xe") and
	// Cycle its release cycle, for end-of-life dates.
	EOL   string `yaml:"eol_product,omitempty" json:"eol_product,omitempty"`
	Cycle string `yaml:"eol_cycle,omitempty" json:"eol_cycle,omitempty"`
}

var validFunctions = map[string]bool{"rd": true, "fab": true, "assembly": true, "test": true, "support": true, "logistics": true, "datacenter": true, "other": true}

// LoadProfile reads a vendor profile file (YAML or JSON).
func LoadProfile(path string) (*Profile, error) {
	b, err := readLimited(path)
	if err != nil {
		return nil, fmt.Errorf("load vendor profile: %w", err)
	}
	p, err := ParseProfile(b)
	if err != nil {
		return nil, fmt.Errorf("load vendor profile %s: %w", path, err)
	}
	return p, nil
}

// readLimited reads a file of at most MaxProfileBytes.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxProfileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > MaxProfileBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxProfileBytes)
	}
	return b, nil
}

// decodeStrict decodes YAML (or JSON) into v; unknown fields are errors,
// so that a misspelt field is not silently ignored.
func decodeStrict(b []byte, v any) error {
	if len(b) > MaxProfileBytes {
		return fmt.Errorf("larger than %d bytes", MaxProfileBytes)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty document")
		}
		return fmt.Errorf("parse: %w", err)
	}
	return nil
}

// ParseProfile parses and validates a vendor profile.
func ParseProfile(b []byte) (*Profile, error) {
	var p Profile
	if err := decodeStrict(b, &p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Validate checks the profile's required fields, shares, depth and size.
func (p *Profile) Validate() error {
	if p.Schema != "" && p.Schema != "assay.vendor/v1" {
		return fmt.Errorf("schema %q, want assay.vendor/v1", p.Schema)
	}
	if strings.TrimSpace(p.Name) == "" {
		return errors.New(`missing "name"`)
	}
	count := len(p.Facilities) + len(p.SubSuppliers)
	if err := validateOwners(p.Owners, "owners", 1, &count); err != nil {
		return err
	}
	for i, f := range p.Facilities {
		if f.Function != "" && !validFunctions[f.Function] {
			return fmt.Errorf("facilities[%d]: function %q, want one of rd, fab, assembly, test, support, logistics, datacenter, other", i, f.Function)
		}
	}
	if count > MaxParties {
		return fmt.Errorf("more than %d owners, facilities and sub-suppliers", MaxParties)
	}
	return nil
}

func validateOwners(os []Owner, path string, depth int, count *int) error {
	if len(os) == 0 {
		return nil
	}
	if depth > MaxOwnershipDepth {
		return fmt.Errorf("%s: ownership chain deeper than %d", path, MaxOwnershipDepth)
	}
	total := 0.0
	for i, o := range os {
		*count++
		if *count > MaxParties {
			return fmt.Errorf("more than %d owners, facilities and sub-suppliers", MaxParties)
		}
		p := fmt.Sprintf("%s[%d]", path, i)
		if strings.TrimSpace(o.Name) == "" {
			return fmt.Errorf(`%s: missing "name"`, p)
		}
		if o.Share < 0 || o.Share > 100 {
			return fmt.Errorf("%s: share %v outside 0-100", p, o.Share)
		}
		total += o.Share
		if err := validateOwners(o.Owners, p+".owners", depth+1, count); err != nil {
			return err
		}
	}
	if total > 100.0001 {
		return fmt.Errorf("%s: shares add up to %.2f%%", path, total)
	}
	return nil
}
