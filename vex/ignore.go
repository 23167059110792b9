package vex

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	openvex "github.com/openvex/go-vex/pkg/vex"
	"go.yaml.in/yaml/v3"
)

// IgnoreFileName is the ignore file read from the working directory when
// no other is given.
const IgnoreFileName = ".assay.yaml"

// MaxIgnoreFileBytes bounds an ignore file.
const MaxIgnoreFileBytes = 4 << 20

// IgnoreRule suppresses one vulnerability, optionally only in one
// component, until it expires.
type IgnoreRule struct {
	ID        string `yaml:"id"`        // vulnerability ID or any alias
	Component string `yaml:"component"` // purl (version optional) or name; empty means every component
	Reason    string `yaml:"reason"`    // required: why it is accepted
	Expires   string `yaml:"expires"`   // YYYY-MM-DD; empty means never
	expires   time.Time
}

// ignoreFile is the document layout of .assay.yaml.
type ignoreFile struct {
	Ignore []IgnoreRule `yaml:"ignore"`
}

// LoadIgnore reads an ignore file. Every rule needs an id and a reason;
// a malformed file is an error naming it.
func LoadIgnore(path string) ([]IgnoreRule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxIgnoreFileBytes {
		return nil, fmt.Errorf("%s: over the %d byte limit", path, MaxIgnoreFileBytes)
	}
	var f ignoreFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i := range f.Ignore {
		r := &f.Ignore[i]
		if r.ID == "" || strings.TrimSpace(r.Reason) == "" {
			return nil, fmt.Errorf("%s: ignore rule %d needs an id and a reason", path, i+1)
		}
		if r.Expires != "" {
			t, err := time.Parse("2006-01-02", r.Expires)
			if err != nil {
				return nil, fmt.Errorf("%s: ignore rule %d (%s): expires %q is not YYYY-MM-DD", path, i+1, r.ID, r.Expires)
			}
			r.expires = t
		}
	}
	return f.Ignore, nil
}

// Expired reports whether the rule no longer applies on day now.
func (r IgnoreRule) Expired(now time.Time) bool {
	return !r.expires.IsZero() && !now.Before(r.expires.AddDate(0, 0, 1))
}

// Matches reports whether the rule covers a finding with the given IDs in
// the given component.
func (r IgnoreRule) Matches(ids []string, purl, name string) bool {
	named := false
	for _, id := range ids {
		if strings.EqualFold(id, r.ID) {
			named = true
		}
	}
	if !named {
		return false
	}
	switch {
	case r.Component == "":
		return true
	case strings.HasPrefix(r.Component, "pkg:"):
		return purl != "" && openvex.PurlMatches(r.Component, purl)
	default:
		return r.Component == name
	}
}
