package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/review"
)

// fuzzCase builds a report from arbitrary strings and numbers, as a
// corrupted or hostile store could hold them.
func fuzzCase(vendor, text, date, sha string, l, i int, audience string) *review.Report {
	at := time.Date(2025, 9, 1, 9, 0, 0, 0, time.UTC)
	score := review.Score{Likelihood: l, Impact: i, Score: l * i, Confidence: text}
	c := &review.Case{ID: "CR-" + text, Title: text, Trigger: review.Trigger(text), State: review.State(text), Calendar: text, Created: at, CreatedBy: text,
		Scope: review.Scope{Kind: review.ScopeKind(text), Vendor: vendor, Operator: text, Products: []review.Product{{Name: vendor, Versions: []string{text}}},
			Deployments: []string{text}},
		Transitions: []review.Transition{{From: review.State(text), To: review.State(text), Action: text, Date: date, At: at, Actor: text, Reason: text}},
		Evidence: []review.Evidence{{SHA256: sha, Name: text, Type: "SCAN", Confidentiality: text, Consent: text, Factors: []string{text}},
			{SHA256: sha + "x", Name: vendor, Type: "SUPPLIER_PROFILE", Confidentiality: "PUBLIC", Consent: "PUBLIC"}},
		Opinions: []review.Opinion{{From: text, Received: date, Position: text, Text: vendor}},
		Decision: &review.Decision{Outcome: text, Date: date, Body: text, Rationale: vendor, Statement: text, Actor: text, At: at,
			Commitments: []review.Commitment{{ID: text, Maker: vendor, Type: text, Text: text, Due: date, Metric: text, Status: text,
				Breaches: []review.Breach{{Date: date, Actor: text, Report: text, ReopenedAs: text}}}},
			Restriction: &review.Restriction{Vendor: vendor, Effective: date}},
	}
	for _, t := range review.FactorTitles() {
		c.Factors = append(c.Factors, review.Factor{ID: t[0], Title: text + t[1], Evidence: []string{sha, text},
			Proposal:   &review.Proposal{Score: score, Source: text, Summary: vendor, Evidence: []string{sha}, At: at},
			Assessment: &review.Assessment{Score: score, Outcome: text, Rationale: vendor, Actor: text, At: at},
			History:    []review.Assessment{{Score: score, Rationale: text}}})
	}
	dl := review.Deadline{State: review.State(text), Start: date, Due: date, End: date, Status: text, Basis: vendor, WorkingDays: l, ExtensionDays: i,
		Pauses: []review.Pause{{From: date, To: text, Reason: vendor}}}
	return &review.Report{Schema: review.ReportSchema, GeneratedAt: at, Audience: audience, Case: c, Deadlines: []review.Deadline{dl, {Start: "2025-01-01", Due: date, Status: text}},
		DeadlinesError: text, Commitments: []review.CommitmentStatus{{ID: text, Due: date, Status: text, Overdue: true}}}
}

// caseSeeds are the seed inputs of the case report fuzz targets.
func caseSeeds(f *testing.F) {
	f.Add(hostileVendor, "text", "2025-03-01", strings.Repeat("ab", 32), 3, 4, "reviewer", []byte(`{"schema":"assay.scan/v1","findings":[{"id":"X"}]}`))
	f.Add("华为技术有限公司", "\x00\xff\n\t\u202e", "9999-99-99", "", 0, 9, "applicant", []byte(`{"schema":"assay.supplier-assessment/v1"}`))
	f.Add("", strings.Repeat("W", 3000), "2025-02-30", "zz", -1, 6, "public", []byte{})
	f.Add("a\U0001F600b\U00010000", "</script><!--", "0001-01-01", "../../etc/passwd", 5, 5, "member-units", []byte(`{"schema":"assay.scan/v1","problems":[{"severity":"critical"}]}`))
}

// fuzzReport builds the case report of fuzzed inputs; nil when the
// audience is (rightly) refused.
func fuzzReport(t *testing.T, vendor, text, date, sha string, l, i int, audience string, evidence []byte) *CaseReport {
	if len(vendor)+len(text) > 20000 {
		return nil
	}
	r := fuzzCase(vendor, text, date, sha, l, i, "OFFICE")
	open := func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(evidence)), nil }
	cr, err := NewCaseReport(r, audience, CaseOptions{Evidence: open, Audit: &AuditHead{Checkpoint: text, Root: vendor}})
	if err != nil {
		if _, perr := ParseAudience(audience); perr == nil {
			t.Fatalf("valid audience %q refused: %v", audience, err)
		}
		return nil
	}
	return cr
}

// FuzzCaseReport renders reports of cases built from fuzzed strings as
// HTML, JSON and text: never a panic, never a script element, always
// valid JSON.
func FuzzCaseReport(f *testing.F) {
	caseSeeds(f)
	f.Fuzz(func(t *testing.T, vendor, text, date, sha string, l, i int, audience string, evidence []byte) {
		cr := fuzzReport(t, vendor, text, date, sha, l, i, audience, evidence)
		if cr == nil {
			return
		}
		for name, fn := range map[string]func(io.Writer, *CaseReport) error{"html": CaseHTML, "json": CaseJSON, "text": CaseText} {
			var b bytes.Buffer
			if err := fn(&b, cr); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if name == "html" && strings.Contains(b.String(), "<script") {
				t.Fatalf("html contains a script element")
			}
			if name == "json" && !json.Valid(b.Bytes()) {
				t.Fatalf("invalid json")
			}
		}
	})
}

// FuzzCasePDF renders the same reports as PDF. It is slow under the
// fuzzer (fpdf parses and subsets the embedded fonts for every document:
// a few executions per second with coverage instrumentation).
func FuzzCasePDF(f *testing.F) {
	caseSeeds(f)
	f.Fuzz(func(t *testing.T, vendor, text, date, sha string, l, i int, audience string, evidence []byte) {
		cr := fuzzReport(t, vendor, text, date, sha, l, i, audience, evidence)
		if cr == nil {
			return
		}
		var b bytes.Buffer
		if err := CasePDF(&b, cr); err != nil {
			t.Fatalf("pdf: %v", err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
			t.Fatalf("not a PDF")
		}
	})
}

func FuzzParseFindings(f *testing.F) {
	f.Add([]byte(`{"schema":"assay.scan/v1","targets":[{"components":-3,"unassessed":[1]}],"findings":[{"id":"X","severity":{"level":"HIGH"},"kev":{},"suppressed":null}],"problems":[{"severity":"bogus"}]}`))
	f.Add([]byte(`{"schema":"assay.supplier-assessment/v1","screenings":[{"decision":"listed","matches":[{},{}]}],"factors":[{"factor":"F3"}]}`))
	f.Add([]byte(`  {"schema": 5}`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		schema, s, d, err := ParseFindings(data)
		if err == nil && s != nil && (s.Findings < 0 || len(s.Top) > TopFindings || s.Components < 0) {
			t.Fatalf("bad summary %+v", s)
		}
		if err == nil && d != nil && len(d.Flagged) > TopFindings {
			t.Fatalf("bad digest %+v", d)
		}
		_ = schema
	})
}
