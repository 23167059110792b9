package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var keepReports = flag.String("case-report-dir", "", "write the rendered case reports to this directory (to look at them)")

func TestCaseRenderKeep(t *testing.T) {
	if *keepReports == "" {
		t.Skip("no -case-report-dir")
	}
	fx := newFixture(t)
	for _, aud := range []string{"reviewer", "applicant", "public"} {
		cr := fx.report(t, aud)
		for ext, render := range map[string]func(*bytes.Buffer, *CaseReport) error{
			"html": func(b *bytes.Buffer, cr *CaseReport) error { return CaseHTML(b, cr) },
			"pdf":  func(b *bytes.Buffer, cr *CaseReport) error { return CasePDF(b, cr) },
			"json": func(b *bytes.Buffer, cr *CaseReport) error { return CaseJSON(b, cr) },
		} {
			var b bytes.Buffer
			if err := render(&b, cr); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(*keepReports, aud+"."+ext), b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
