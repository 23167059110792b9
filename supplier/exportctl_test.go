package supplier

import (
	"testing"
	"time"
)

func TestExportRules(t *testing.T) {
	rs, err := DefaultExportRules()
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		class, dest, on string
		wantRules       []string
	}{
		{"3A090", "CN", "2022-12-01", []string{"us-ear-2022-advanced-computing"}},
		{"3A090", "CN", "2024-01-01", []string{"us-ear-2023-advanced-computing"}},
		{"3A090", "CN", "2022-01-01", nil},
		{"3A090", "DE", "2024-01-01", nil},
		{"3B001.f", "CN", "2024-01-01", []string{"us-ear-2023-sme"}},
		{"JP-SME-2023", "CN", "2023-08-01", []string{"jp-meti-2023-sme"}},
		{"JP-SME-2023", "DE", "2023-08-01", nil},
		{"NL-ASME-2023", "DE", "2024-01-01", nil},
		{"nl-asme-2023", "US", "2024-01-01", []string{"nl-2023-duv"}},
	}
	for _, tt := range tests {
		fs := rs.Evaluate("item", []string{tt.class}, tt.dest, day(tt.on))
		var got []string
		for _, f := range fs {
			got = append(got, f.Rule)
		}
		if len(got) != len(tt.wantRules) {
			t.Errorf("%s to %s on %s: rules %v, want %v", tt.class, tt.dest, tt.on, got, tt.wantRules)
			continue
		}
		for i := range got {
			if got[i] != tt.wantRules[i] {
				t.Errorf("%s to %s on %s: rules %v, want %v", tt.class, tt.dest, tt.on, got, tt.wantRules)
			}
		}
	}
}

func TestParseExportRulesErrors(t *testing.T) {
	for _, in := range []string{
		"schema: x\n",
		"schema: assay.export-rules/v1\nrules:\n  - {id: a, classifications: [X]}\n",
		"schema: assay.export-rules/v1\nrules:\n  - {id: a, classifications: [X], destinations: [CN], effective_from: 2023-13-01}\n",
		"schema: assay.export-rules/v1\nrules:\n  - {id: a, classifications: [X], destinations: [CN], except: [DE]}\n",
	} {
		if _, err := ParseExportRules([]byte(in)); err == nil {
			t.Errorf("ParseExportRules(%q): want an error", in)
		}
	}
}

func TestDependence(t *testing.T) {
	ib, err := ParseInstalledBase([]byte(`
categories:
  - name: routers
    qualified: [A, B, C]
    deployments: [{vendor: A, units: 50}, {vendor: B, units: 50}]
  - name: relays
    deployments: [{vendor: A, units: 10}]
`))
	if err != nil {
		t.Fatal(err)
	}
	cs := Dependence(ib)
	if len(cs) != 2 {
		t.Fatalf("%d categories", len(cs))
	}
	if c := cs[0]; c.HHI != 5000 || c.Level != "high" || c.SingleSource || len(c.Alternatives) != 1 || c.Alternatives[0] != "C" {
		t.Errorf("routers %+v", c)
	}
	if c := cs[1]; c.HHI != 10000 || !c.SingleSource {
		t.Errorf("relays %+v", c)
	}
	if _, err := ParseInstalledBase([]byte("categories: [{name: x, deployments: [{vendor: A, units: -1}]}]")); err == nil {
		t.Error("negative units: want an error")
	}
}

func FuzzParseExportRules(f *testing.F) {
	f.Add(defaultExportRules)
	f.Add([]byte("schema: assay.export-rules/v1\nrules: [{}]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if rs, err := ParseExportRules(b); err == nil {
			rs.Evaluate("x", []string{"3A090"}, "CN", time.Now())
		}
	})
}

func FuzzParseInstalledBase(f *testing.F) {
	f.Add([]byte("categories: [{name: x, deployments: [{vendor: A, units: 1}]}]"))
	f.Add([]byte("categories: [{name: x, deployments: [{vendor: A, units: .nan}]}]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if ib, err := ParseInstalledBase(b); err == nil {
			Dependence(ib)
		}
	})
}
