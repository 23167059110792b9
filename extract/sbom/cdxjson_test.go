package sbom

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"unicode/utf8"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
)

// readCycloneDXReference reads a CycloneDX JSON document the simple way:
// the whole BOM decoded by cyclonedx-go, then the same conversion. The
// streaming reader must give the same inventory.
func readCycloneDXReference(data []byte, name string, lim limit.Limits) (*inventory.Inventory, error) {
	lim = lim.WithDefaults()
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		return nil, err
	}
	conv := newCDXConverter(name, lim)
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		if err := conv.subject(*bom.Metadata.Component); err != nil {
			return nil, err
		}
	}
	if bom.Components != nil {
		for _, c := range *bom.Components {
			if err := conv.component(c, "", "", 0); err != nil {
				return nil, err
			}
		}
	}
	if bom.Dependencies != nil {
		conv.dependencies(*bom.Dependencies)
	}
	conv.inv.Format = "cyclonedx-json " + bom.SpecVersion.String()
	return conv.inv, nil
}

// TestCycloneDXJSONMatchesLibrary compares the streaming reader with a
// whole-document cyclonedx-go decode on every CycloneDX JSON document of
// the shared corpus and the test data.
func TestCycloneDXJSONMatchesLibrary(t *testing.T) {
	n := 0
	for _, d := range corpusJSON(t, "testdata/*.cdx.json", `"bomFormat"`) {
		p, data := d.path, d.data
		if raceEnabled && len(data) > 1<<20 {
			continue
		}
		n++
		want, err := readCycloneDXReference(data, p, limit.Limits{})
		if err != nil {
			t.Errorf("%s: cyclonedx-go: %v", p, err)
			continue
		}
		got, err := ReadCycloneDXJSON(context.Background(), bytes.NewReader(data), p, limit.Limits{})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		compareInventories(t, p, got, want)
	}
	if n < 50 && !raceEnabled {
		t.Errorf("compared only %d documents", n)
	}
}

func compareInventories(t *testing.T, name string, got, want *inventory.Inventory) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		if len(got.Components) != len(want.Components) {
			t.Errorf("%s: %d components, cyclonedx-go %d", name, len(got.Components), len(want.Components))
			return
		}
		for i := range got.Components {
			if !reflect.DeepEqual(got.Components[i], want.Components[i]) {
				t.Errorf("%s: component %d:\n got %+v\nwant %+v", name, i, got.Components[i], want.Components[i])
				return
			}
		}
		t.Errorf("%s: format %q / %q, unassessed %v / %v", name, got.Format, want.Format, got.Unassessed, want.Unassessed)
	}
}

// FuzzCycloneDXJSONMatchesLibrary checks that whenever both the streaming
// reader and cyclonedx-go accept a document, they give the same
// inventory, and that the streaming reader refuses only what it must.
func FuzzCycloneDXJSONMatchesLibrary(f *testing.F) {
	addSeeds(f, "nested.cdx.json")
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"component":{"name":"m","bom-ref":"m"}},"components":[null,{"NAME":"a","Version":"1","bom-ref":"a","pedigree":{"variants":[{"name":"v"}]}}],"dependencies":[{"ref":"m","dependsOn":["a"]}]}`))
	f.Add([]byte(`{"bomFormat":"CycloneDX","components":[{"name":"x","hashes":[{"alg":"SHA-1","content":"AB"}],"licenses":[{"license":{"id":"MIT"}},{"expression":"A OR B"}],"supplier":{"name":"s"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadCycloneDXJSON(context.Background(), bytes.NewReader(data), "fuzz", fuzzLimits)
		want, rerr := readCycloneDXReference(data, "fuzz", fuzzLimits)
		if err != nil || rerr != nil || !utf8.Valid(data) || bytes.Contains(data, []byte(`\u`)) {
			// Either refused (the reader also checks UTF-8, trailing data
			// and limits; the library also types fields the reader skips),
			// or escapes that decode to invalid UTF-8 may differ.
			return
		}
		got.Format = want.Format
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("streaming reader and cyclonedx-go differ:\n got %+v\nwant %+v", got, want)
		}
	})
}
