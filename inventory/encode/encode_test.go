package encode

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/extract/sbom"
	"github.com/assayhq/assay/inventory"
)

func sample() []*inventory.Inventory {
	return []*inventory.Inventory{{
		Target: "go.mod", Kind: inventory.KindLockfile, Format: "go.mod",
		Components: []inventory.Component{
			{ID: "app", Name: "example.com/app", Ecosystem: "Go", PURL: "pkg:golang/example.com/app", Type: "application",
				DependsOn: []string{"dep"}, Locations: []inventory.Location{{Path: "go.mod", Line: 1}}},
			{ID: "dep", Name: "github.com/pkg/errors", Version: "v0.9.1", Ecosystem: "Go", PURL: "pkg:golang/github.com/pkg/errors@v0.9.1",
				Parent: "app", Relationship: inventory.RelDependsOn, CPEs: []string{"cpe:2.3:a:pkg:errors:0.9.1:*:*:*:*:*:*:*"},
				Hashes: []inventory.Hash{{Algorithm: "SHA-256", Value: "abcd"}}, Licenses: []string{"BSD-2-Clause"},
				Locations: []inventory.Location{{Path: "go.mod", Line: 5}}, Metadata: map[string]string{"indirect": "true"}},
		},
		Unassessed: []inventory.Unassessed{{Path: "vendor.zip", Reason: "archive not unpacked"}},
	}}
}

type reader func(context.Context, io.Reader, string, limit.Limits) (*inventory.Inventory, error)

// TestRoundTrip writes each SBOM format and reads it back with the
// extract/sbom readers.
func TestRoundTrip(t *testing.T) {
	tests := []struct {
		format string
		read   reader
	}{
		{"cyclonedx", sbom.ReadCycloneDXJSON},
		{"cyclonedx-xml", sbom.ReadCycloneDXXML},
		{"spdx", sbom.ReadSPDXJSON},
		{"spdx-tv", sbom.ReadSPDXTagValue},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.format, sample()); err != nil {
				t.Fatal(err)
			}
			inv, err := tt.read(context.Background(), &buf, "out", limit.Limits{})
			if err != nil {
				t.Fatalf("%v\n%s", err, buf.String())
			}
			if len(inv.Components) != 2 {
				t.Fatalf("components: %+v", inv.Components)
			}
			dep := inv.Components[1]
			if dep.Name != "github.com/pkg/errors" || dep.Version != "v0.9.1" || dep.PURL != "pkg:golang/github.com/pkg/errors@v0.9.1" ||
				dep.Ecosystem != "Go" || len(dep.CPEs) != 1 || len(dep.Hashes) != 1 || dep.Hashes[0].Algorithm != "SHA-256" {
				t.Errorf("dep: %+v", dep)
			}
			if !strings.HasPrefix(tt.format, "cyclonedx") {
				if dep.Parent == "" {
					t.Errorf("relationship lost: %+v", dep)
				}
				return
			}
			if len(inv.Components[0].DependsOn) != 1 {
				t.Errorf("dependency lost: %+v", inv.Components[0])
			}
		})
	}
}

func TestJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "json", sample()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema      string `json:"schema"`
		Inventories []struct {
			Target     string `json:"target"`
			Components []any  `json:"components"`
			Unassessed []any  `json:"unassessed"`
		} `json:"inventories"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "assay.inventory/v1" || len(doc.Inventories) != 1 || len(doc.Inventories[0].Components) != 2 || len(doc.Inventories[0].Unassessed) != 1 {
		t.Fatalf("%s", buf.String())
	}
}

func TestTable(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "table", sample()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"go.mod (lockfile, go.mod): 2 components, 1 unassessed", "github.com/pkg/errors", "go.mod:5", "vendor.zip"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
	if err := Write(&buf, "yaml", nil); err == nil {
		t.Error("unknown format accepted")
	}
}

// TestJSONStreamedLayout checks that the streamed JSON document is byte
// for byte what encoding/json writes for the whole Document.
func TestJSONStreamedLayout(t *testing.T) {
	html := &inventory.Inventory{Target: `a<b>&"components": []`, Kind: inventory.KindSBOM,
		Components: []inventory.Component{{Name: "<x>", Locations: []inventory.Location{{Path: "p"}}}}}
	empty := &inventory.Inventory{Target: "empty", Kind: inventory.KindDirectory, Components: []inventory.Component{}}
	for _, invs := range [][]*inventory.Inventory{nil, {}, sample(), {empty}, append(sample(), html, empty)} {
		var got, want bytes.Buffer
		if err := JSON(&got, invs); err != nil {
			t.Fatal(err)
		}
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if invs == nil {
			invs = []*inventory.Inventory{}
		}
		if err := enc.Encode(Document{Schema: inventory.Schema, Inventories: invs}); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("streamed JSON differs:\n%s\nwant:\n%s", got.String(), want.String())
		}
	}
}
