package report

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/assayhq/assay/scan"
	"github.com/owenrumney/go-sarif/v3/pkg/report"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// SARIF writes the findings as a SARIF 2.1.0 log, validated against the
// SARIF schema before it is written: one rule per vulnerability, one
// result per affected component, located at the file the component was
// found in. Suppressed findings carry a SARIF suppression with the
// reason. The security-severity property (CVSS score) lets code-scanning
// tools rank results.
func SARIF(w io.Writer, res *scan.Result, toolVersion string) error {
	rep := report.NewV210Report()
	run := sarif.NewRunWithInformationURI("assay", "https://github.com/assayhq/assay")
	run.Tool.Driver.WithVersion(toolVersion)
	for _, f := range res.Findings {
		rule := run.AddRule(f.ID).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(orText(f.Summary, f.ID))).
			WithHelpURI("https://osv.dev/vulnerability/" + f.ID)
		props := sarif.NewPropertyBag().Add("security-severity", fmt.Sprintf("%.1f", f.Severity.Score))
		props.AddTag("security").AddTag("vulnerability")
		rule.WithProperties(props)

		loc := f.Target
		if len(f.Component.Locations) > 0 && f.Component.Locations[0] != "" {
			loc = f.Component.Locations[0]
		}
		msg := fmt.Sprintf("%s %s is affected by %s (%s severity%s). Fixed in: %s. Matched by %s: %s.",
			f.Component.Name, f.Component.Version, f.ID, f.Severity.Level, aliasText(f.Aliases),
			orText(strings.Join(f.Fixed, ", "), "no fix"), f.Match.By, f.Match.Rule)
		r := run.CreateResultForRule(f.ID).
			WithLevel(sarifLevel(f.Severity.Level)).
			WithMessage(sarif.NewTextMessage(msg)).
			AddLocation(sarif.NewLocationWithPhysicalLocation(
				sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(loc)),
			))
		rp := sarif.NewPropertyBag().Add("purl", f.Component.PURL).Add("target", f.Target)
		if f.KEV != nil {
			rp.Add("kev_date_added", f.KEV.DateAdded)
		}
		if f.EPSS != nil {
			rp.Add("epss", f.EPSS.Score)
		}
		r.WithProperties(rp)
		r.WithPartialFingerprints(map[string]string{"assay/v1": f.ID + "|" + f.Component.PURL + "|" + f.Component.Name + "@" + f.Component.Version})
		if f.Suppressed != nil {
			r.AddSuppression(sarif.NewSuppression().WithKind("external").WithJustification(f.Suppressed.By + ": " + f.Suppressed.Reason))
		}
	}
	sarifProblems(run, res.Problems)
	rep.AddRun(run)
	if err := rep.Validate(); err != nil {
		return fmt.Errorf("SARIF output does not validate: %w", err)
	}
	return rep.PrettyWrite(w)
}

func sarifLevel(level string) string {
	switch level {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	default:
		return "note"
	}
}

func aliasText(aliases []string) string {
	if len(aliases) == 0 {
		return ""
	}
	return "; also " + strings.Join(aliases, ", ")
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// sarifProblems adds the hidden problems of firmware images: one rule per
// category, one result per problem, located at the path inside the image.
func sarifProblems(run *sarif.Run, ps []scan.Problem) {
	for _, p := range ps {
		ruleID := "firmware/" + p.Category
		rule := run.AddRule(ruleID).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText("Firmware: " + p.Category))
		rule.WithProperties(sarif.NewPropertyBag().AddTag("security").AddTag("firmware"))
		loc := (&url.URL{Path: strings.Join(append(slices.Clone(p.Container), strings.TrimPrefix(p.Path, "/")), "/")}).String()
		r := run.CreateResultForRule(ruleID).
			WithLevel(sarifLevel(p.Severity)).
			WithMessage(sarif.NewTextMessage(p.Detail)).
			AddLocation(sarif.NewLocationWithPhysicalLocation(
				sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(loc)),
			))
		r.WithProperties(sarif.NewPropertyBag().Add("target", p.Target).Add("confidence", p.Confidence).Add("evidence", p.Evidence))
		r.WithPartialFingerprints(map[string]string{"assay/v1": ruleID + "|" + p.Target + "|" + loc + "|" + p.Detail})
	}
}
