package report

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/calendar"
	"github.com/assayhq/assay/internal/mirrortest"
	"github.com/assayhq/assay/match"
	"github.com/assayhq/assay/review"
	"github.com/assayhq/assay/scan"
	"github.com/assayhq/assay/store"
	"github.com/assayhq/assay/supplier"
	"github.com/assayhq/assay/supplier/screen"
	"github.com/assayhq/assay/vulndb"
)

// fixture is a case built through review.Service on a temporary SQLite
// store, with its evidence files, as the CLI would leave it.
type fixture struct {
	svc    *review.Service
	st     *store.Store
	blobs  store.Blobs
	id     string
	secret string // name of a confidential evidence item
}

// names used by the fixture, for assertions.
const (
	hostileVendor  = `Acme <script>alert("x")</script> & Söhne 华为`
	secretCVE      = "CVE-2099-0001"
	secretDocName  = "pentest-trade-secret.json"
	publicScanName = "scan-edge-router.json"
)

// scanDocJSON is a realistic assay.scan/v1 document (a firmware analysis
// when problems are given).
func scanDocJSON(t testing.TB, ids []string, problems []Problem) []byte {
	t.Helper()
	res := scan.Result{Schema: scan.Schema, DB: scan.DBInfo{Snapshot: "s1", BuiltAt: "2026-11-01T00:00:00Z", Advisories: 1200},
		Targets: []scan.Target{{Path: "edge-router.cdx.json", Kind: "sbom", Format: "cyclonedx", Components: 120, Assessed: 117}}}
	levels := []string{"critical", "high", "high", "medium", "low", "unknown"}
	for i, id := range ids {
		f := scan.Finding{ID: id, Aliases: []string{}, Summary: "Buffer overflow in " + id,
			Component: scan.Component{Name: fmt.Sprintf("libexample%d", i), Version: "1.2." + fmt.Sprint(i)},
			Target:    "edge-router.cdx.json", Severity: scan.Severity{Level: levels[i%len(levels)], Score: 9.8 - float64(i)},
			Fixed: []string{"1.3.0"}, Match: match.Evidence{By: "purl"}}
		if i == 1 {
			f.KEV = &vulndb.KEVEntry{CVE: id, DateAdded: "2025-01-01"}
		}
		if i == 4 {
			f.Suppressed = &scan.Suppression{By: "vex", Reason: "not_affected"}
		}
		res.Findings = append(res.Findings, f)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if problems == nil {
		return b
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	doc["problems"] = problems
	b, err = json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func supplierDocJSON(t testing.TB) []byte {
	t.Helper()
	a := supplier.Assessment{Schema: supplier.AssessmentSchema, Vendor: hostileVendor, Decision: "review",
		Screenings: []supplier.Screening{
			{Role: "vendor", Subject: hostileVendor, Decision: "clear", Matches: []screen.Match{}},
			{Role: "owner", Subject: "Example State Holdings", Decision: "review", Matches: []screen.Match{{Name: "Example State Holdings", List: "ofac-sdn", Score: 0.91}}},
		},
		Factors: []supplier.FactorEvidence{{Factor: "F3", Title: "openness", Level: "medium", Evidence: []string{"owner under review: Example State Holdings"}}},
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newFixture builds an application case that passes through every
// clocked state: submitted, materials requested, screening, initial
// review (paused, resumed and extended), opinions with a disagreement,
// special review, a decision with commitments, monitoring and a breach.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	home := t.TempDir()
	st, err := store.Open(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cn, err := calendar.Source{Mirror: filepath.Join(mirrortest.SupplierDir(t), "calendars"),
		Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}.FetchCN(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{st: st, blobs: store.Blobs{Dir: store.EvidenceDir(home)}, secret: secretDocName}
	fx.svc = &review.Service{Repo: st, Blobs: fx.blobs,
		Calendars: func(string) (*calendar.Calendar, error) { return cn, nil },
		Now:       func() time.Time { return time.Date(2025, 9, 1, 9, 0, 0, 0, time.UTC) }}
	s := fx.svc
	ev := func(actor, date, reason string) review.Event {
		return review.Event{Actor: actor, Date: date, Reason: reason}
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Create(ctx, review.CreateInput{Trigger: review.TriggerApplication, Calendar: "cn",
		Scope: review.Scope{Vendor: hostileVendor, Operator: "Grid Co <b>North</b>",
			Products:    []review.Product{{Name: "EdgeRouter X", Versions: []string{"2.1.0", "2.2.3"}}, {Name: "StoreVault 9000", Versions: []string{"7.4"}}},
			Deployments: []string{"Northern grid dispatch centre", "Backup data centre"}},
		Event: ev("operator", "2025-02-05", "procurement of core routers")})
	if err != nil {
		t.Fatal(err)
	}
	fx.id = c.ID
	id := c.ID
	must(s.Submit(ctx, id, ev("operator", "2025-02-06", "")))
	must(s.RequestMaterials(ctx, id, ev("office", "2025-02-10", "national-security impact analysis missing")))
	must(s.Accept(ctx, id, ev("office", "2025-02-17", "materials complete")))
	must(s.Advance(ctx, id, review.StateInitialReview, ev("office", "2025-02-26", "review required")))

	attach := func(name, typ, class, consent string, content []byte, factors ...string) string {
		t.Helper()
		_, e, err := s.Attach(ctx, id, bytes.NewReader(content), review.EvidenceInput{Name: name, Type: typ, Issuer: "Assay", Date: "2025-02-27",
			Confidentiality: class, Consent: consent, Factors: factors}, ev("reviewer", "", ""))
		if err != nil {
			t.Fatal(err)
		}
		return e.SHA256
	}
	scanSHA := attach(publicScanName, "SCAN", "INTERNAL", "THIS_REVIEW",
		scanDocJSON(t, []string{"CVE-2024-3094", "CVE-2023-4966", "CVE-2024-6387", "CVE-2023-44487", "CVE-2022-0778", "CVE-2021-44228"}, nil), "F1")
	fwSHA := attach("firmware-analysis.json", "FIRMWARE_ANALYSIS", "CONFIDENTIAL", "MEMBER_UNITS",
		scanDocJSON(t, []string{"CVE-2019-11477"}, []Problem{
			{Category: "backdoor-account", Severity: "critical", Confidence: "high", Path: "/etc/shadow", Detail: "uid 0 account 'support' with an empty password"},
			{Category: "outbound-endpoint", Severity: "medium", Confidence: "medium", Path: "/usr/bin/telemetryd", Detail: "https://telemetry.example.net/upload"},
			{Category: "remote-access-service", Severity: "high", Confidence: "high", Path: "/etc/inittab", Detail: "telnetd started at boot"},
		}), "F1", "F5")
	secretSHA := attach(secretDocName, "SCAN", "TRADE_SECRET", "THIS_REVIEW", scanDocJSON(t, []string{secretCVE}, nil), "F1")
	supSHA := attach("supplier-assessment.json", "SUPPLIER_PROFILE", "PUBLIC", "PUBLIC", supplierDocJSON(t), "F2", "F3")
	attach("cc-certificate.pdf", "CERTIFICATE", "PUBLIC", "PUBLIC", []byte("%PDF-1.4 certificate"), "F7")

	must(s.ApplySignals(ctx, id, "scan", review.Signals{VulnsAssessed: true, KEV: 1, Critical: 1, High: 2, ComponentsTotal: 120, ComponentsUnknown: 3,
		FirmwareAssessed: true, Backdoor: 1, Endpoints: 2, ForeignEndpoints: 1, SupplierAssessed: true, SingleSource: true,
		Evidence: []string{scanSHA, fwSHA, supSHA}}, ev("assay", "", "")))
	must(s.Pause(ctx, id, ev("office", "2025-03-10", "source-code escrow terms requested")))
	must(s.Resume(ctx, id, ev("office", "2025-03-20", "escrow terms received")))
	must(s.Extend(ctx, id, 15, ev("office", "2025-04-01", "complex case: two product lines")))
	for _, a := range []review.AssessInput{
		{Factor: "F1", Confirm: true, Rationale: "KEV entry CVE-2023-4966 verified on the deployed build; backdoor account present", Evidence: []string{secretSHA}},
		{Factor: "F2", Likelihood: 3, Impact: 4, Confidence: "MEDIUM", Rationale: "second source qualified for StoreVault; <script>alert(1)</script>"},
		{Factor: "F3", Confirm: true, Rationale: "owner screening needs follow-up"},
		{Factor: "F4", Likelihood: 2, Impact: 3, Confidence: "LOW", Rationale: "no compliance history found"},
		{Factor: "F5", Likelihood: 4, Impact: 5, Confidence: "HIGH", Rationale: "telemetry endpoint abroad uploads configuration"},
		{Factor: "F6", Likelihood: 1, Impact: 3, Confidence: "MEDIUM", Rationale: "not a listing case"},
	} {
		must(s.Assess(ctx, id, a, ev("reviewer-li", "", "")))
	}
	must(s.Assess(ctx, id, review.AssessInput{Factor: "F5", Likelihood: 3, Impact: 5, Confidence: "HIGH",
		Rationale: "endpoint can be disabled by configuration; remains a risk"}, ev("reviewer-wang", "", "")))
	must(s.Advance(ctx, id, review.StateOpinions, ev("office", "2025-05-12", "recommended conclusion: pass with commitments")))
	must(s.Opinion(ctx, id, review.OpinionInput{From: "MIIT", Position: "AGREE", Text: "agrees"}, ev("office", "2025-05-20", "")))
	must(s.Opinion(ctx, id, review.OpinionInput{From: "Ministry of State Security", Position: "DISAGREE", Text: "telemetry risk not mitigated"}, ev("office", "2025-05-22", "")))
	must(s.Advance(ctx, id, review.StateSpecialReview, ev("office", "2025-05-26", "a member unit disagrees (Art. 13)")))
	must(s.Extend(ctx, id, 20, ev("office", "2025-07-01", "awaiting vendor mitigation plan")))
	must(s.Decide(ctx, id, review.DecideInput{Outcome: review.PassedWithCommitments, Statement: "Passed on condition of the commitments below.",
		Commitments: []review.Commitment{
			{Type: "PATCH_SLA", Due: "2025-08-15", Text: "Fix critical vulnerabilities within 30 days", Metric: "days from advisory to fix"},
			{Type: "NO_ILLEGAL_DATA_ACCESS", Due: "2025-12-31", Text: "Disable telemetry upload by default"},
			{Type: "SOURCE_ESCROW", Text: "Deposit the router source code in escrow"},
		}}, ev("commission", "2025-08-04", "risks mitigated by commitments")))
	must(s.Advance(ctx, id, review.StateMonitoring, ev("office", "2025-08-05", "")))
	_, _, err = s.ReportBreach(ctx, id, "C1", ev("office", "2025-08-29", "critical fix shipped 30 days late"))
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

// options returns the report options as the CLI builds them.
func (fx *fixture) options(t testing.TB) CaseOptions {
	t.Helper()
	ctx := context.Background()
	signed, err := fx.st.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := audit.OpenCheckpoint(signed, fx.st.Keys().Verifier)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := fx.st.Records(ctx, fx.id)
	if err != nil {
		t.Fatal(err)
	}
	last := recs[len(recs)-1]
	return CaseOptions{
		Audit: &AuditHead{LogSize: cp.Size, Root: base64.StdEncoding.EncodeToString(cp.Root), Checkpoint: string(signed),
			VerifierKey: fx.st.Keys().VerifierKey, CaseRecords: len(recs), CaseLastSeq: last.Seq, CaseStateSHA256: last.StateSHA256},
		Evidence: func(sha string) (io.ReadCloser, error) { return os.Open(fx.blobs.Path(sha)) },
	}
}

// report builds the case report for the audience.
func (fx *fixture) report(t testing.TB, audience string) *CaseReport {
	t.Helper()
	r, err := fx.svc.Report(context.Background(), fx.id)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := NewCaseReport(r, audience, fx.options(t))
	if err != nil {
		t.Fatal(err)
	}
	return cr
}
