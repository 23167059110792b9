package identify

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/firmware"
	"github.com/assayhq/assay/internal/firmwaretest"
	"github.com/assayhq/assay/inventory"
)

// TestPublicSample scores Identify against the answer key of the public
// sample: every listed component with its exact upstream version at its
// path, with a CPE and a purl.
func TestPublicSample(t *testing.T) {
	img, keyPath := firmwaretest.Sample(t)
	var key struct {
		Components []struct {
			Path, Name      string
			UpstreamVersion string `json:"upstream_version"`
			Container       []string
		}
	}
	b, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &key); err != nil {
		t.Fatal(err)
	}
	if len(key.Components) == 0 {
		t.Fatal("answer key lists no components")
	}
	res, err := firmware.Unpack(context.Background(), img, firmware.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	comps, unassessed, err := Identify(context.Background(), res, Options{Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(unassessed) > 0 {
		t.Errorf("unassessed: %v", unassessed)
	}
	for _, want := range key.Components {
		c := findAt(comps, want.Name, want.Path)
		if c == nil {
			t.Errorf("%s at %s not identified", want.Name, want.Path)
			continue
		}
		if c.Version != want.UpstreamVersion {
			t.Errorf("%s at %s: version %q, want %q", want.Name, want.Path, c.Version, want.UpstreamVersion)
		}
		if len(c.CPEs) == 0 || c.PURL == "" || c.Metadata[inventory.MetaEvidence] == "" {
			t.Errorf("%s: cpes %v purl %q evidence %q", want.Name, c.CPEs, c.PURL, c.Metadata[inventory.MetaEvidence])
		}
		if l := c.Locations[0]; len(l.Container)+len(want.Container) > 0 && !slices.Equal(l.Container, want.Container) {
			t.Errorf("%s: container %v, want %v", want.Name, l.Container, want.Container)
		}
	}
	for _, c := range comps {
		t.Logf("%s %s %v %s", c.Name, c.Version, c.Locations, c.Metadata[inventory.MetaEvidence])
	}
}

// findAt returns the component named name with a location at path p.
func findAt(comps []inventory.Component, name, p string) *inventory.Component {
	for i := range comps {
		if comps[i].Name != name {
			continue
		}
		for _, l := range comps[i].Locations {
			if l.Path == p || strings.HasSuffix(l.Path, "!"+p) {
				return &comps[i]
			}
		}
	}
	return nil
}
