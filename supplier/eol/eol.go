// Package eol reads end-of-life and support dates from endoflife.date
// product files (Markdown with YAML front matter, as in the
// endoflife.date repository and ../shared/supplierdata/eol/products.zip).
package eol

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/assayhq/assay/supplier/lists"
)

// Limits on a products archive.
const (
	// MaxMembers bounds the files read from an archive.
	MaxMembers = 10_000
	// MaxProductBytes bounds one product file.
	MaxProductBytes = 1 << 20
)

// Source is where the endoflife.date data is fetched: the repository
// archive by default, eol/products.zip in a mirror.
var Source = lists.SourceFile{
	Name:       "products.zip",
	URL:        "https://github.com/endoflife-date/endoflife.date/archive/refs/heads/master.zip",
	MirrorPath: "eol/products.zip",
}

// FileName is the name of the archive kept under the supplier data
// directory.
const FileName = "eol-products.zip"

// Cycle is one release cycle of a product. Date fields hold YYYY-MM-DD,
// "true"/"false" where the data gives a boolean, or "".
type Cycle struct {
	Cycle           string `json:"cycle"`
	ReleaseDate     string `json:"release_date,omitempty"`
	EOL             string `json:"eol,omitempty"`
	Support         string `json:"support,omitempty"`
	ExtendedSupport string `json:"extended_support,omitempty"`
	Latest          string `json:"latest,omitempty"`
	LTS             bool   `json:"lts,omitempty"`
}

// Product is one endoflife.date product.
type Product struct {
	Name     string  `json:"name"`
	Title    string  `json:"title"`
	Category string  `json:"category,omitempty"`
	Cycles   []Cycle `json:"cycles"`
}

// DB is a set of products by name (the file stem, e.g. "debian").
type DB map[string]*Product

// Update fetches the products archive (official URL or mirror) and
// writes it atomically to dir/eol-products.zip.
func Update(ctx context.Context, dir string, opt lists.Options) (DB, error) {
	b, err := lists.Download(ctx, opt, Source)
	if err != nil {
		return nil, fmt.Errorf("eol update: %w", err)
	}
	db, err := ParseZip(b)
	if err != nil {
		return nil, fmt.Errorf("eol update: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir, FileName), b); err != nil {
		return nil, fmt.Errorf("eol update: %w", err)
	}
	return db, nil
}

func writeAtomic(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Load reads dir/eol-products.zip.
func Load(dir string) (DB, error) {
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		return nil, fmt.Errorf("eol: %w (run `assay supplier lists update`)", err)
	}
	return ParseZip(b)
}

// ParseZip reads every products/*.md member of an archive.
func ParseZip(b []byte) (DB, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("eol archive: %w", err)
	}
	if len(zr.File) > MaxMembers {
		return nil, fmt.Errorf("eol archive: more than %d members", MaxMembers)
	}
	db := DB{}
	for _, f := range zr.File {
		dir, file := path.Split(f.Name)
		if !strings.HasSuffix(dir, "products/") || !strings.HasSuffix(file, ".md") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("eol archive %s: %w", f.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, MaxProductBytes+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("eol archive %s: %w", f.Name, err)
		}
		if len(data) > MaxProductBytes {
			return nil, fmt.Errorf("eol archive %s: larger than %d bytes", f.Name, MaxProductBytes)
		}
		p, err := ParseProduct(strings.TrimSuffix(file, ".md"), data)
		if err != nil {
			return nil, fmt.Errorf("eol archive %s: %w", f.Name, err)
		}
		db[p.Name] = p
	}
	return db, nil
}

// frontMatter is the part of a product file the review uses.
type frontMatter struct {
	Title    string           `yaml:"title"`
	Category string           `yaml:"category"`
	Releases []map[string]any `yaml:"releases"`
}

// ParseProduct parses one product file's YAML front matter.
func ParseProduct(name string, md []byte) (*Product, error) {
	s := string(md)
	if !strings.HasPrefix(s, "---") {
		return nil, fmt.Errorf("%s: no front matter", name)
	}
	end := strings.Index(s[3:], "\n---")
	if end < 0 {
		return nil, fmt.Errorf("%s: unterminated front matter", name)
	}
	var fm frontMatter
	if err := yaml.Unmarshal([]byte(s[3:3+end]), &fm); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &Product{Name: name, Title: fm.Title, Category: fm.Category}
	for _, r := range fm.Releases {
		c := Cycle{Cycle: value(r["releaseCycle"]), ReleaseDate: value(r["releaseDate"]), EOL: value(r["eol"]),
			Support: value(firstOf(r, "support", "eoas")), ExtendedSupport: value(firstOf(r, "extendedSupport", "eoes")), Latest: value(r["latest"])}
		c.LTS = c.LTS || value(r["lts"]) == "true"
		if c.Cycle != "" {
			p.Cycles = append(p.Cycles, c)
		}
	}
	return p, nil
}

func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}

// value renders a front-matter scalar: dates as YYYY-MM-DD.
func value(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case time.Time:
		return v.Format("2006-01-02")
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// Status is the support status of one product cycle on a date.
type Status struct {
	Product string `json:"product"`
	Title   string `json:"title"`
	Cycle   string `json:"cycle"`
	EOL     string `json:"eol,omitempty"`
	Support string `json:"support,omitempty"`
	// State is "supported", "security-only" (active support over, security
	// support continuing), "eol" or "unknown".
	State string `json:"state"`
	// DaysLeft is the days until EOL (negative once past), when EOL is a date.
	DaysLeft *int `json:"days_left,omitempty"`
}

// Lookup returns the status of product's cycle on date on.
func (db DB) Lookup(product, cycle string, on time.Time) (Status, error) {
	p, ok := db[product]
	if !ok {
		return Status{}, fmt.Errorf("eol: unknown product %q", product)
	}
	for _, c := range p.Cycles {
		if c.Cycle != cycle {
			continue
		}
		st := Status{Product: p.Name, Title: p.Title, Cycle: c.Cycle, EOL: c.EOL, Support: c.Support, State: "unknown"}
		eolPast, eolKnown := past(c.EOL, on)
		supPast, supKnown := past(c.Support, on)
		switch {
		case eolKnown && eolPast:
			st.State = "eol"
		case supKnown && supPast:
			st.State = "security-only"
		case eolKnown:
			st.State = "supported"
		}
		if t, err := time.Parse("2006-01-02", c.EOL); err == nil {
			d := int(t.Sub(on).Hours() / 24)
			st.DaysLeft = &d
		}
		return st, nil
	}
	return Status{}, fmt.Errorf("eol: product %q has no cycle %q", product, cycle)
}

// past reports whether a date-or-boolean field has passed on date on.
func past(v string, on time.Time) (isPast, known bool) {
	switch v {
	case "true":
		return true, true
	case "false":
		return false, true
	case "":
		return false, false
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return false, false
	}
	return !on.Before(t), true
}
