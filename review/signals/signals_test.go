package signals

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/vulndbtest"
	"github.com/assayhq/assay/report"
	"github.com/assayhq/assay/review"
	"github.com/assayhq/assay/scan"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParse(t *testing.T) {
	tests := []struct {
		file     string
		opt      Options
		families []string
		evType   string
		want     review.Signals
	}{
		{"scan-requirements.json", Options{}, []string{FamilyVulns}, "SCAN",
			review.Signals{VulnsAssessed: true, KEV: 4, Critical: 1, High: 26, ComponentsTotal: 15}},
		{"scan-cargo-lock.json", Options{}, []string{FamilyVulns}, "SCAN",
			review.Signals{VulnsAssessed: true, Critical: 2, High: 3, ComponentsTotal: 32}},
		// npm has no advisory data in the mirror: inventoried, none assessed.
		{"scan-package-lock.json", Options{}, []string{FamilyVulns}, "SCAN",
			review.Signals{VulnsAssessed: true, ComponentsTotal: 45, ComponentsUnknown: 45}},
		// Six backdoor-like findings; three distinct endpoints (one found
		// twice); the decoys at severity info do not count.
		{"scan-firmware-answers.json", Options{}, []string{FamilyVulns, FamilyFirmware}, "FIRMWARE_ANALYSIS",
			review.Signals{VulnsAssessed: true, ComponentsTotal: 15, ComponentsUnknown: 3, FirmwareAssessed: true, Backdoor: 6, Endpoints: 3}},
		// 28 % effective US state ownership, EOL base systems, single
		// source for mass storage, 4A090 to CN.
		{"supplier-bramblecrest.json", Options{}, []string{FamilySupplier}, "SUPPLIER_PROFILE",
			review.Signals{SupplierAssessed: true, SingleSource: true, EndOfSupport: true, ExportControlled: true, ForeignState: true}},
		{"supplier-bramblecrest.json", Options{StateShare: 30}, []string{FamilySupplier}, "SUPPLIER_PROFILE",
			review.Signals{SupplierAssessed: true, SingleSource: true, EndOfSupport: true, ExportControlled: true}},
		// The reviewing state's own government is not foreign.
		{"supplier-bramblecrest.json", Options{Jurisdiction: "us"}, []string{FamilySupplier}, "SUPPLIER_PROFILE",
			review.Signals{SupplierAssessed: true, SingleSource: true, EndOfSupport: true, ExportControlled: true}},
		// Three parties at alert level, two entities listed through the
		// 50 % rule; 15 % Chinese state ownership.
		{"supplier-northwind.json", Options{}, []string{FamilySupplier}, "SUPPLIER_PROFILE",
			review.Signals{SupplierAssessed: true, RestrictedHits: 5, EndOfSupport: true}},
		{"supplier-northwind.json", Options{Jurisdiction: "US", StateShare: 10}, []string{FamilySupplier}, "SUPPLIER_PROFILE",
			review.Signals{SupplierAssessed: true, RestrictedHits: 5, EndOfSupport: true, ForeignState: true}},
		{"supplier-northwind.json", Options{Jurisdiction: "CN", StateShare: 10}, []string{FamilySupplier}, "SUPPLIER_PROFILE",
			review.Signals{SupplierAssessed: true, RestrictedHits: 5, EndOfSupport: true}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d, err := Parse(tt.file, readTestdata(t, tt.file), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(d.Signals, tt.want) {
				t.Errorf("signals\n got %+v\nwant %+v", d.Signals, tt.want)
			}
			if !slices.Equal(d.Families, tt.families) {
				t.Errorf("families %v, want %v", d.Families, tt.families)
			}
			if got := d.EvidenceType(); got != tt.evType {
				t.Errorf("evidence type %s, want %s", got, tt.evType)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"not json", `{"schema":`, "not a JSON evidence document"},
		{"no schema", `{"targets":[]}`, `no "schema" field`},
		{"other schema", `{"schema":"assay.case/v1"}`, `schema "assay.case/v1"`},
		{"bad scan field", `{"schema":"assay.scan/v1","targets":[{"components":"many"}]}`, "parse assay.scan/v1"},
		{"bad problems", `{"schema":"assay.scan/v1","problems":{}}`, "parse assay.scan/v1"},
		{"bad supplier field", `{"schema":"assay.supplier-assessment/v1","ownership":[{"state_share":"all"}]}`, "parse assay.supplier-assessment/v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("doc.json", []byte(tt.data), Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "doc.json: ") {
				t.Fatalf("err = %v, want doc.json: ...%s", err, tt.want)
			}
		})
	}
	big := make([]byte, MaxDocumentBytes+1)
	if _, err := Parse("big.json", big, Options{}); err == nil || !strings.Contains(err.Error(), "exceeds the limit") {
		t.Errorf("oversized document: %v", err)
	}
}

func TestProposals(t *testing.T) {
	var docs []*Document
	for i, f := range []string{"scan-requirements.json", "scan-firmware-answers.json", "supplier-bramblecrest.json"} {
		d, err := Parse(f, readTestdata(t, f), Options{})
		if err != nil {
			t.Fatal(err)
		}
		d.SHA256 = strings.Repeat(string(rune('a'+i)), 64)
		docs = append(docs, d)
	}
	scanSHA, fwSHA, supSHA := docs[0].SHA256, docs[1].SHA256, docs[2].SHA256
	type want struct {
		likelihood, impact int
		confidence         string
		evidence           []string
		summary            string
	}
	wants := map[string]want{
		"F1": {5, 5, review.ConfidenceMedium, []string{scanSHA, fwSHA}, "4 known-exploited (KEV) vulnerabilities; 6 backdoor-like firmware findings; 1 critical vulnerabilities; 26 high vulnerabilities"},
		"F2": {4, 5, review.ConfidenceMedium, []string{supSHA}, "single source; past end of support"},
		"F3": {4, 5, review.ConfidenceMedium, []string{supSHA}, "export-control exposure; foreign-government ownership or control"},
		"F5": {3, 5, review.ConfidenceHigh, []string{fwSHA, supSHA}, "3 outbound endpoints"},
	}
	now := time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)
	props := Proposals(docs, 5, "test", now)
	if len(props) != len(wants) {
		t.Fatalf("%d proposals, want %d: %+v", len(props), len(wants), props)
	}
	for _, p := range props {
		w, ok := wants[p.Factor]
		if !ok {
			t.Errorf("unexpected proposal %s", p.Factor)
			continue
		}
		got := want{p.Likelihood, p.Impact, p.Confidence, p.Evidence, p.Summary}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s\n got %+v\nwant %+v", p.Factor, got, w)
		}
	}
	// Without documents nothing is proposed.
	if got := Proposals(nil, 0, "test", now); len(got) != 0 {
		t.Errorf("no documents: %+v", got)
	}
}

func TestMerge(t *testing.T) {
	a := review.Signals{VulnsAssessed: true, KEV: 1, High: 2, ComponentsTotal: 10, ComponentsUnknown: 1, Evidence: []string{"x"}, Criticality: 3}
	b := review.Signals{FirmwareAssessed: true, Backdoor: 2, Endpoints: 1, High: 1, ComponentsTotal: 5, Evidence: []string{"x", "y"}}
	c := review.Signals{SupplierAssessed: true, SingleSource: true, RestrictedHits: 1, Criticality: 5}
	want := review.Signals{Criticality: 5, VulnsAssessed: true, KEV: 1, High: 3, ComponentsTotal: 15, ComponentsUnknown: 1,
		FirmwareAssessed: true, Backdoor: 2, Endpoints: 1, SupplierAssessed: true, SingleSource: true, RestrictedHits: 1,
		Evidence: []string{"x", "y"}}
	if got := Merge(a, b, c); !reflect.DeepEqual(got, want) {
		t.Errorf("Merge\n got %+v\nwant %+v", got, want)
	}
}

// TestExamplePortfolio scans the demo portfolio's Go module and SBOMs
// against the shared test database (Go OSV, KEV, the NVD subset) and
// reads the signals from the real assay.scan/v1 output.
func TestExamplePortfolio(t *testing.T) {
	ctx := context.Background()
	s, err := scan.New(ctx, vulndbtest.Open(t), scan.Options{Now: time.Date(2026, 10, 14, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	ex := filepath.Join("..", "..", "examples", "bramblecrest")
	tests := []struct {
		path string
		want review.Signals
	}{
		// zlib CVE-2023-45853 is critical; busybox, lighttpd, dnsmasq,
		// dropbear, libupnp, u-boot and sqlite high (NVD CPE matches);
		// the product itself has neither purl type nor CPE.
		{"sbom/bx-vault-os-7.3.1.cdx.json", review.Signals{VulnsAssessed: true, Critical: 1, High: 7, ComponentsTotal: 13, ComponentsUnknown: 1}},
		// Go advisories carry no CVSS: findings, but none rated.
		{"sbom/bx-cloudlink-2.8.0.spdx.json", review.Signals{VulnsAssessed: true, ComponentsTotal: 9}},
		// The main module has no version.
		{"bx-agent/go.mod", review.Signals{VulnsAssessed: true, ComponentsTotal: 8, ComponentsUnknown: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, err := s.Scan(ctx, []string{filepath.Join(ex, tt.path)})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Findings) == 0 {
				t.Fatal("no findings: the portfolio pins vulnerable versions on purpose")
			}
			var buf bytes.Buffer
			if err := report.JSON(&buf, res); err != nil {
				t.Fatal(err)
			}
			d, err := Parse(tt.path, buf.Bytes(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(d.Signals, tt.want) {
				t.Errorf("signals\n got %+v\nwant %+v", d.Signals, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"scan-package-lock.json", "scan-firmware-answers.json", "supplier-northwind.json"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(`{"schema":"assay.scan/v1","problems":[{"category":"outbound-endpoint","severity":"low"}]}`))
	f.Add([]byte(`{"schema":"assay.supplier-assessment/v1","ownership":[{"path":"vendor","state_share":100,"governments":["RU"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse("fuzz.json", data, Options{})
		if err != nil {
			return
		}
		s := d.Signals
		for _, n := range []int{s.KEV, s.Critical, s.High, s.ComponentsTotal, s.Backdoor, s.Endpoints, s.RestrictedHits} {
			if n < 0 {
				t.Fatalf("negative count in %+v", s)
			}
		}
		if s.KEV+s.Critical+s.High > 0 && !strings.Contains(string(data), "findings") {
			t.Fatalf("counts without findings: %+v", s)
		}
		_ = d.Factors()
	})
}

func TestEndpointsOf(t *testing.T) {
	tests := []struct {
		detail, evidence string
		want             []string
	}{
		{"contacts 2 outbound endpoint(s): https://a.example/x, http://b.example:8080/y.", "line 3", []string{"https://a.example/x", "http://b.example:8080/y"}},
		{"contacts 2 outbound endpoint(s): ntp.vendor.example, 203.0.113.9", "offset 0x1f0", []string{"ntp.vendor.example", "203.0.113.9"}},
		{"contacts 11 outbound endpoint(s): a.example, b.example, …", "", []string{"a.example", "b.example"}},
		{"reports home", "wget https://t.example/in", []string{"https://t.example/in"}},
		{"reports home", "", []string{"/p\x00reports home\x00"}},
	}
	for _, tt := range tests {
		if got := endpointsOf("/p", tt.detail, tt.evidence); !slices.Equal(got, tt.want) {
			t.Errorf("endpointsOf(%q, %q) = %q, want %q", tt.detail, tt.evidence, got, tt.want)
		}
	}
}

func TestFirmwareWithoutProblems(t *testing.T) {
	// A firmware target with no problems: the key may be omitted, and the
	// image still counts as analysed.
	doc := `{"schema":"assay.scan/v1","targets":[{"kind":"firmware","components":4,"assessed":4}],"findings":[]}`
	d, err := Parse("fw.json", []byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := review.Signals{VulnsAssessed: true, ComponentsTotal: 4, FirmwareAssessed: true}
	if !reflect.DeepEqual(d.Signals, want) || d.EvidenceType() != "FIRMWARE_ANALYSIS" || !slices.Equal(d.Factors(), []string{"F1", "F5"}) {
		t.Errorf("got %+v %s %v", d.Signals, d.EvidenceType(), d.Factors())
	}
}
