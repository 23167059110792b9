package supplier

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/mirrortest"
	"github.com/assayhq/assay/supplier/lists"
	"github.com/assayhq/assay/supplier/screen"
)

func TestParseProfileErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "empty document"},
		{"name: X\nnmae: typo\n", "nmae"},
		{"aliases: [a]\n", `missing "name"`},
		{"name: X\nowners:\n  - name: A\n    share: 120\n", "outside 0-100"},
		{"name: X\nowners:\n  - {name: A, share: 60}\n  - {name: B, share: 60}\n", "add up"},
		{"name: X\nfacilities:\n  - {name: F, country: CN, function: spa}\n", "function"},
		{"schema: assay.vendor/v9\nname: X\n", "schema"},
		{`{"name": "X", "owners": [{"name": "A", "share": 10}]}`, ""},
	}
	for _, tt := range tests {
		_, err := ParseProfile([]byte(tt.in))
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("ParseProfile(%q) error %v, want %q", tt.in, err, tt.want)
		}
	}
	deep := "name: X\n"
	indent := ""
	for range MaxOwnershipDepth + 1 {
		deep += indent + "owners:\n" + indent + "  - name: O\n" + indent + "    share: 100\n"
		indent += "    "
	}
	if _, err := ParseProfile([]byte(deep)); err == nil || !strings.Contains(err.Error(), "deeper") {
		t.Errorf("deep chain: %v", err)
	}
}

func TestAssessExample(t *testing.T) {
	dir := mirrortest.SupplierDir(t)
	home := t.TempDir()
	if _, err := lists.Update(context.Background(), ListsDir(home), lists.Options{Mirror: mirrortest.Serve(t, dir),
		// The lists naming the example's listed owners and sub-supplier;
		// every list is covered by the lists and screen tests.
		Lists: []string{"us-dod-1260h", "us-ndaa-889", "us-ndaa-5949", "us-ofac-cons"}}); err != nil {
		t.Fatal(err)
	}
	root, err := mirrortest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadProfile(filepath.Join(root, "examples", "vendor.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, snap, err := OpenScreener(home, screen.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Assess(context.Background(), s, snap, p, AssessOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Decision != "listed" {
		t.Errorf("decision %s, want listed (50%% rule)", a.Decision)
	}
	var vendor *OwnershipFinding
	for i := range a.Ownership {
		if a.Ownership[i].Path == "vendor" {
			vendor = &a.Ownership[i]
		}
	}
	if vendor == nil || !vendor.ByOwnership || vendor.ListedShare != 60 || vendor.StateShare != 15 {
		t.Errorf("vendor ownership %+v", vendor)
	}
	if len(a.Factors) != 3 || a.Factors[2].Factor != "F6" || a.Factors[2].Level != "high" {
		t.Errorf("factors %+v", a.Factors)
	}
}

func FuzzParseProfile(f *testing.F) {
	for _, s := range []string{"name: X\n", "name: X\nowners: [{name: A, share: 50, owners: [{name: B, share: 100}]}]\n", "{", "- a", "name: &a [*a]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseProfile(b)
	})
}
