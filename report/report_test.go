package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/assayhq/assay/inventory"
	"github.com/assayhq/assay/match"
	"github.com/assayhq/assay/scan"
	"github.com/assayhq/assay/vulndb"
	openvex "github.com/openvex/go-vex/pkg/vex"
)

func sample() *scan.Result {
	return &scan.Result{
		Schema: scan.Schema,
		DB:     scan.DBInfo{Snapshot: "s1", BuiltAt: "2026-11-23T00:00:00Z", Advisories: 10},
		Targets: []scan.Target{{Path: "go.mod", Kind: "lockfile", Components: 3, Assessed: 2,
			Unassessed: nil}},
		Findings: []scan.Finding{
			{ID: "GO-2023-1988", Aliases: []string{"CVE-2023-3978", "GHSA-2wrh-6pvc-2jm9"}, Summary: "Improper rendering of text nodes in golang.org/x/net/html",
				Component: scan.Component{Name: "golang.org/x/net", Version: "v0.7.0", Ecosystem: "Go", PURL: "pkg:golang/golang.org/x/net@v0.7.0", Locations: []string{"go.mod"}},
				Target:    "go.mod", Severity: scan.Severity{Level: "medium", Score: 6.1, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", Source: "nvd@nist.gov"},
				EPSS: &vulndb.EPSSScore{CVE: "CVE-2023-3978", Score: 0.01}, Fixed: []string{"0.13.0"},
				Match: match.Evidence{By: "purl", Identifier: "pkg:golang/golang.org/x/net@v0.7.0", Advisory: "GO-2023-1988", Rule: "introduced 0, fixed 0.13.0"}},
			{ID: "GO-2022-1059", Aliases: []string{"CVE-2022-32149"}, Component: scan.Component{Name: "golang.org/x/text", Version: "v0.3.7", Ecosystem: "Go", PURL: "pkg:golang/golang.org/x/text@v0.3.7"},
				Target: "go.mod", Severity: scan.Severity{Level: "unknown"}, KEV: &vulndb.KEVEntry{CVE: "CVE-2022-32149", DateAdded: "2025-01-01"}, Fixed: []string{"0.3.8"},
				Match:      match.Evidence{By: "purl", Rule: "introduced 0, fixed 0.3.8"},
				Suppressed: &scan.Suppression{By: "vex:vendor.json", Reason: "not_affected: vulnerable_code_not_in_execute_path: never parses tags"}},
		},
	}
}

func TestSARIFValidates(t *testing.T) {
	var buf bytes.Buffer
	if err := SARIF(&buf, sample(), "test"); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID       string            `json:"ruleId"`
				Level        string            `json:"level"`
				Suppressions []json.RawMessage `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs[0].Results) != 2 || doc.Runs[0].Results[0].Level != "warning" || len(doc.Runs[0].Results[1].Suppressions) != 1 {
		t.Errorf("SARIF %s", buf.String())
	}
}

func TestCycloneDXRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := CycloneDX(&buf, sample(), "test"); err != nil {
		t.Fatal(err)
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(&buf, cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	if bom.SpecVersion != cdx.SpecVersion1_6 || len(*bom.Vulnerabilities) != 2 || len(*bom.Components) != 2 {
		t.Fatalf("BOM %+v", bom)
	}
	v := (*bom.Vulnerabilities)[0]
	if (*v.Ratings)[0].Method != cdx.ScoringMethodCVSSv31 || (*v.Affects)[0].Ref != (*bom.Components)[0].BOMRef {
		t.Errorf("vulnerability %+v", v)
	}
	if (*bom.Vulnerabilities)[1].Analysis == nil {
		t.Error("suppressed finding has no analysis")
	}
}

func TestOpenVEXParsesBack(t *testing.T) {
	var buf bytes.Buffer
	if err := OpenVEX(&buf, sample(), "assay-test"); err != nil {
		t.Fatal(err)
	}
	doc, err := openvex.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Statements) != 2 {
		t.Fatalf("%d statements", len(doc.Statements))
	}
	for _, st := range doc.Statements {
		if err := st.Validate(); err != nil {
			t.Errorf("statement %s: %v", st.Vulnerability.Name, err)
		}
	}
	for _, st := range doc.Statements {
		if st.Vulnerability.Name == "GO-2022-1059" && (st.Status != openvex.StatusNotAffected || st.Justification != openvex.VulnerableCodeNotInExecutePath) {
			t.Errorf("suppressed statement %+v", st)
		}
	}
}

func TestTableNeverHidesUnassessed(t *testing.T) {
	res := sample()
	res.Findings = nil
	res.Targets[0].Unassessed = append(res.Targets[0].Unassessed, inventory.Unassessed{Path: "go.mod", Reason: "component x: no version"})
	var buf bytes.Buffer
	Table(&buf, res, false)
	out := buf.String()
	if !strings.Contains(out, "NOT ASSESSED (1)") || strings.Contains(strings.ToLower(out), "no vulnerabilities") {
		t.Errorf("table output:\n%s", out)
	}
}

func TestJSONStreamsValidDocument(t *testing.T) {
	for _, res := range []*scan.Result{sample(), {Schema: scan.Schema, Targets: []scan.Target{}, Findings: []scan.Finding{}}} {
		var buf bytes.Buffer
		if err := JSON(&buf, res); err != nil {
			t.Fatal(err)
		}
		var back scan.Result
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatalf("invalid JSON: %v\n%s", err, buf.String())
		}
		if back.Schema != scan.Schema || len(back.Findings) != len(res.Findings) || back.Findings == nil {
			t.Errorf("round trip: %+v", back)
		}
	}
}

func TestHTMLSelfContained(t *testing.T) {
	res := sample()
	res.Targets[0].Unassessed = []inventory.Unassessed{{Path: "x", Reason: "component <script>: no version"}}
	var buf bytes.Buffer
	if err := HTML(&buf, res); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"<svg", "GO-2023-1988", "Not assessed", "&lt;script&gt;", "Suppressed"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "http://", "https://cdn", "<link"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML is not self-contained or not escaped: contains %q", bad)
		}
	}
}
