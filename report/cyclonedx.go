package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/assayhq/assay/scan"
	openvex "github.com/openvex/go-vex/pkg/vex"
)

// CycloneDX writes the findings as a CycloneDX 1.6 JSON BOM: the affected
// components, and one vulnerability per finding with its rating, the
// advisory source, the fixed versions and, for suppressed findings, the
// VEX analysis.
func CycloneDX(w io.Writer, res *scan.Result, toolVersion string) error {
	bom := cdx.NewBOM()
	bom.Metadata = &cdx.Metadata{
		Timestamp: time.Now().UTC().Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: "assay", Version: toolVersion,
		}}},
	}
	var comps []cdx.Component
	refs := map[string]string{}
	var vulns []cdx.Vulnerability
	for _, f := range res.Findings {
		key := f.Target + "|" + f.Component.PURL + "|" + f.Component.Name + "@" + f.Component.Version
		ref, ok := refs[key]
		if !ok {
			ref = fmt.Sprintf("component-%d", len(comps)+1)
			refs[key] = ref
			comps = append(comps, cdx.Component{
				BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: f.Component.Name,
				Version: f.Component.Version, PackageURL: f.Component.PURL,
			})
		}
		v := cdx.Vulnerability{
			BOMRef:      ref + "-" + f.ID,
			ID:          f.ID,
			Source:      &cdx.Source{Name: sourceName(f.Match.Advisory), URL: "https://osv.dev/vulnerability/" + f.ID},
			Description: f.Summary,
			Affects:     &[]cdx.Affects{{Ref: ref}},
		}
		if len(f.Aliases) > 0 {
			var rs []cdx.VulnerabilityReference
			for _, a := range f.Aliases {
				rs = append(rs, cdx.VulnerabilityReference{ID: a, Source: &cdx.Source{Name: sourceName(a)}})
			}
			v.References = &rs
		}
		if f.Severity.Level != "unknown" {
			score := f.Severity.Score
			v.Ratings = &[]cdx.VulnerabilityRating{{
				Source: &cdx.Source{Name: f.Severity.Source}, Score: &score,
				Severity: cdx.Severity(f.Severity.Level), Method: cvssMethod(f.Severity.Vector), Vector: f.Severity.Vector,
			}}
		}
		if len(f.Fixed) > 0 {
			v.Recommendation = "Upgrade to " + strings.Join(f.Fixed, " or ")
		}
		if f.Suppressed != nil {
			v.Analysis = &cdx.VulnerabilityAnalysis{State: cdx.IASNotAffected, Detail: f.Suppressed.By + ": " + f.Suppressed.Reason}
		}
		vulns = append(vulns, v)
	}
	bom.Components = &comps
	bom.Vulnerabilities = &vulns
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	return enc.EncodeVersion(bom, cdx.SpecVersion1_6)
}

func cvssMethod(vector string) cdx.ScoringMethod {
	switch {
	case strings.HasPrefix(vector, "CVSS:4.0"):
		return cdx.ScoringMethodCVSSv4
	case strings.HasPrefix(vector, "CVSS:3.1"):
		return cdx.ScoringMethodCVSSv31
	case strings.HasPrefix(vector, "CVSS:3.0"):
		return cdx.ScoringMethodCVSSv3
	case vector != "":
		return cdx.ScoringMethodCVSSv2
	}
	return cdx.ScoringMethodOther
}

// sourceName names the database an ID comes from.
func sourceName(id string) string {
	prefix, _, _ := strings.Cut(id, "-")
	switch prefix {
	case "CVE":
		return "NVD"
	case "GHSA":
		return "GitHub"
	case "GO":
		return "Go Vulnerability Database"
	case "PYSEC":
		return "PyPI Advisory Database"
	case "RUSTSEC":
		return "RustSec"
	case "DSA", "DLA":
		return "Debian Security Tracker"
	case "ALPINE":
		return "Alpine secdb"
	}
	return "OSV"
}

// OpenVEX writes one OpenVEX statement per finding: "affected" with the
// fix as action, or the status of the VEX statement that suppressed it.
func OpenVEX(w io.Writer, res *scan.Result, author string) error {
	doc := openvex.New()
	doc.Author = author
	doc.Tooling = "assay"
	for _, f := range res.Findings {
		st := openvex.Statement{
			Vulnerability: openvex.Vulnerability{Name: openvex.VulnerabilityID(f.ID)},
			Products:      []openvex.Product{{Component: openvex.Component{ID: productID(f)}}},
			Status:        openvex.StatusAffected,
		}
		for _, a := range f.Aliases {
			st.Vulnerability.Aliases = append(st.Vulnerability.Aliases, openvex.VulnerabilityID(a))
		}
		switch {
		case f.Suppressed != nil && strings.HasPrefix(f.Suppressed.By, "vex:") && strings.HasPrefix(f.Suppressed.Reason, "fixed"):
			st.Status = openvex.StatusFixed
		case f.Suppressed != nil && strings.HasPrefix(f.Suppressed.By, "vex:"):
			st.Status = openvex.StatusNotAffected
			st.Justification, st.ImpactStatement = justification(f.Suppressed.Reason)
		case len(f.Fixed) > 0:
			st.ActionStatement = "Upgrade to " + strings.Join(f.Fixed, " or ")
		default:
			st.ActionStatement = "No fixed version is known; mitigate or replace the component"
		}
		if f.Suppressed != nil && strings.HasPrefix(f.Suppressed.By, "ignore:") {
			st.StatusNotes = "risk accepted: " + f.Suppressed.Reason
		}
		doc.Statements = append(doc.Statements, st)
	}
	if _, err := doc.GenerateCanonicalID(); err != nil {
		return err
	}
	return doc.ToJSON(w)
}

func productID(f scan.Finding) string {
	if f.Component.PURL != "" {
		return f.Component.PURL
	}
	return f.Component.Name + "@" + f.Component.Version
}

// justification splits a "not_affected: <justification>: <detail>"
// suppression reason back into an OpenVEX justification and impact
// statement.
func justification(reason string) (openvex.Justification, string) {
	parts := strings.SplitN(reason, ": ", 3)
	if len(parts) >= 2 && openvex.Justification(parts[1]).Valid() {
		detail := ""
		if len(parts) == 3 {
			detail = parts[2]
		}
		return openvex.Justification(parts[1]), detail
	}
	return "", reason
}
