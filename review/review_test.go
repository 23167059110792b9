package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/calendar"
	"github.com/assayhq/assay/internal/mirrortest"
)

// memRepo is an in-memory Repo for testing the review logic alone; the
// SQLite implementation is tested in package store.
type memRepo struct {
	mu      sync.Mutex
	cases   map[string][]byte
	order   []string
	changes []Change
}

func (m *memRepo) Create(_ context.Context, c *Case, ch Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cases == nil {
		m.cases = map[string][]byte{}
	}
	c.ID = fmt.Sprintf("CR-%04d", len(m.order)+1)
	c.Version = 1
	b, _ := json.Marshal(c)
	m.cases[c.ID] = b
	m.order = append(m.order, c.ID)
	m.changes = append(m.changes, ch)
	return nil
}

func (m *memRepo) Get(_ context.Context, id string) (*Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.cases[id]
	if !ok {
		return nil, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	var c Case
	return &c, json.Unmarshal(b, &c)
}

func (m *memRepo) List(ctx context.Context) ([]*Case, error) {
	var out []*Case
	for _, id := range m.order {
		c, err := m.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (m *memRepo) Update(_ context.Context, c *Case, ch Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var old Case
	if err := json.Unmarshal(m.cases[c.ID], &old); err != nil {
		return err
	}
	if old.Version != c.Version {
		return ErrConflict
	}
	c.Version++
	b, _ := json.Marshal(c)
	m.cases[c.ID] = b
	m.changes = append(m.changes, ch)
	return nil
}

type memBlobs struct{}

func (memBlobs) Put(_ context.Context, r io.Reader) (string, int64, error) {
	b, err := io.ReadAll(r)
	return fmt.Sprintf("%064x", len(b)), int64(len(b)), err
}

// testCalendars imports the real China calendar from the shared data.
func testCalendars(t *testing.T) func(string) (*calendar.Calendar, error) {
	t.Helper()
	dir := filepath.Join(mirrortest.SupplierDir(t), "calendars")
	cn, err := calendar.Source{Mirror: dir, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}.FetchCN(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return func(name string) (*calendar.Calendar, error) {
		if name == "cn" {
			return cn, nil
		}
		return calendar.Load(t.TempDir(), name)
	}
}

func newService(t *testing.T) (*Service, *memRepo) {
	repo := &memRepo{}
	return &Service{Repo: repo, Blobs: memBlobs{}, Calendars: testCalendars(t),
		Now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }}, repo
}

func ev(date, reason string) Event { return Event{Actor: "reviewer", Reason: reason, Date: date} }

// must(f())(t) returns f's value or fails the test with its error.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func deadline(t *testing.T, s *Service, id string, st State) Deadline {
	t.Helper()
	r := must(s.Report(context.Background(), id))(t)
	if r.DeadlinesError != "" {
		t.Fatal(r.DeadlinesError)
	}
	for i := len(r.Deadlines) - 1; i >= 0; i-- {
		if r.Deadlines[i].State == st {
			return r.Deadlines[i]
		}
	}
	t.Fatalf("no deadline for %s", st)
	return Deadline{}
}

// TestMicronExOfficio replays the pattern of the 2023 Micron review: an
// ex-officio review of a vendor's portfolio opened 31 Mar 2023 (across
// Qingming and Labour Day with two make-up weekend days) and concluded
// NOT_PASSED on 21 May 2023.
func TestMicronExOfficio(t *testing.T) {
	ctx := context.Background()
	s, repo := newService(t)
	c := must(s.Create(ctx, CreateInput{Trigger: TriggerExOfficio,
		Scope: Scope{Vendor: "Micron Technology", Products: []Product{{Name: "DRAM"}, {Name: "NAND"}}},
		Event: ev("2023-03-31", "Central Commission approval")}))(t)
	if c.State != StateInitialReview || c.Scope.Kind != ScopeVendorProducts {
		t.Fatalf("ex-officio case starts in %s / %s", c.State, c.Scope.Kind)
	}
	if d := deadline(t, s, c.ID, StateInitialReview); d.Due != "2023-05-16" {
		t.Errorf("initial review due %s, want 2023-05-16 (30 WD after 31 Mar across Qingming, Labour Day and make-up days 23 Apr, 6 May)", d.Due)
	}
	must(s.Advance(ctx, c.ID, StateOpinions, ev("2023-05-10", "recommendation sent")))(t)
	if d := deadline(t, s, c.ID, StateOpinions); d.Due != "2023-05-31" {
		t.Errorf("opinions due %s, want 2023-05-31", d.Due)
	}
	c = must(s.Decide(ctx, c.ID, DecideInput{Outcome: NotPassed, Statement: "relatively serious hidden network-security problems"},
		ev("2023-05-21", "major CII supply-chain risk")))(t)
	if c.State != StateDecided || c.Decision.Restriction == nil || c.Decision.Restriction.Vendor != "Micron Technology" {
		t.Fatalf("decision: %+v", c.Decision)
	}
	r := must(s.Report(ctx, c.ID))(t)
	if r.ElapsedWorkingDays != 33 {
		t.Errorf("elapsed %d working days, want 33", r.ElapsedWorkingDays)
	}
	for _, d := range r.Deadlines {
		if d.Status != DeadlineMet {
			t.Errorf("%s: status %s, want MET", d.State, d.Status)
		}
	}
	res := must(s.Restrictions(ctx))(t)
	if len(res) != 1 || res[0].CaseID != c.ID {
		t.Errorf("restrictions = %+v", res)
	}
	// Every change was recorded with its actor.
	if len(repo.changes) != 3 {
		t.Errorf("%d changes recorded, want 3", len(repo.changes))
	}
	if _, err := s.Advance(ctx, c.ID, StateMonitoring, ev("2023-05-22", "")); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("monitoring without commitments: %v", err)
	}
	must(s.Advance(ctx, c.ID, StateClosed, ev("2023-05-22", "")))(t)
}

// TestApplicationPathWithPauseAndExtension follows an application through
// every clocked stage.
func TestApplicationPathWithPauseAndExtension(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	c := must(s.Create(ctx, CreateInput{Trigger: TriggerApplication, Scope: Scope{Operator: "Grid Co", Vendor: "Acme Networks"},
		Event: ev("2024-02-20", "")}))(t)
	if c.State != StateDraft {
		t.Fatalf("state %s", c.State)
	}
	must(s.Submit(ctx, c.ID, ev("2024-02-26", "")))(t)
	must(s.RequestMaterials(ctx, c.ID, ev("2024-02-27", "impact analysis missing")))(t)
	must(s.Accept(ctx, c.ID, ev("2024-03-01", "")))(t)
	if d := deadline(t, s, c.ID, StateScreening); d.Due != "2024-03-15" {
		t.Errorf("screening due %s, want 2024-03-15", d.Due)
	}
	must(s.Pause(ctx, c.ID, ev("2024-03-05", "contract draft requested (Art. 15)")))(t)
	d := deadline(t, s, c.ID, StateScreening)
	if d.Status != DeadlinePaused || d.Due != "" || d.Remaining != 8 {
		t.Errorf("paused deadline: status %s due %q remaining %d, want PAUSED, none, 8", d.Status, d.Due, d.Remaining)
	}
	if _, err := s.Advance(ctx, c.ID, StateInitialReview, ev("2024-03-06", "")); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("advance while paused: %v", err)
	}
	must(s.Resume(ctx, c.ID, ev("2024-03-08", "materials received")))(t)
	d = deadline(t, s, c.ID, StateScreening)
	if d.Due != "2024-03-20" || d.PausedWorkingDays != 3 {
		t.Errorf("after pause: due %s paused %d, want 2024-03-20 and 3 (6-8 Mar excluded)", d.Due, d.PausedWorkingDays)
	}
	if !strings.Contains(d.Basis, "excluding 3 paused working days") || !strings.Contains(d.Basis, "holiday-cn") {
		t.Errorf("basis %q", d.Basis)
	}
	must(s.Advance(ctx, c.ID, StateInitialReview, ev("2024-03-18", "written notice")))(t)
	must(s.Extend(ctx, c.ID, 0, ev("2024-04-01", "complex case (Art. 11)")))(t)
	if _, err := s.Extend(ctx, c.ID, 0, ev("2024-04-02", "again")); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("second extension: %v", err)
	}
	d = deadline(t, s, c.ID, StateInitialReview)
	// 45 WD after 18 Mar 2024, across Qingming (4-6 Apr, Sun 7 Apr works) and
	// Labour Day (1-5 May, Sun 28 Apr and Sat 11 May work).
	if d.TotalWorkingDays != 45 || d.Due != "2024-05-22" {
		t.Errorf("extended initial review: %d WD due %s, want 45 and 2024-05-22", d.TotalWorkingDays, d.Due)
	}
	must(s.Advance(ctx, c.ID, StateOpinions, ev("2024-05-20", "")))(t)
	if _, err := s.Advance(ctx, c.ID, StateSpecialReview, ev("2024-05-30", "")); err == nil {
		t.Error("special review without a reason accepted")
	}
	must(s.Advance(ctx, c.ID, StateSpecialReview, ev("2024-05-30", "MIIT disagrees")))(t)
	must(s.Extend(ctx, c.ID, 20, ev("2024-08-01", "re-consultation")))(t)
	if d := deadline(t, s, c.ID, StateSpecialReview); d.TotalWorkingDays != 110 {
		t.Errorf("special review %d WD, want 110", d.TotalWorkingDays)
	}
	commitments := []Commitment{{Type: "patch_sla", Text: "Fix critical vulnerabilities within 30 days", Due: "2025-12-31"}}
	c = must(s.Decide(ctx, c.ID, DecideInput{Outcome: PassedWithCommitments, Commitments: commitments}, ev("2024-09-02", "risks mitigated")))(t)
	if c.Decision.Body == "" || c.Decision.Commitments[0].ID != "C1" || c.Decision.Commitments[0].Maker != "Acme Networks" {
		t.Errorf("decision %+v", c.Decision)
	}
	if _, err := s.Advance(ctx, c.ID, StateClosed, ev("2024-09-03", "")); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("close with live commitments: %v", err)
	}
	must(s.Advance(ctx, c.ID, StateMonitoring, ev("2024-09-03", "")))(t)
	if r := must(s.Report(ctx, c.ID))(t); len(r.Commitments) != 1 || !r.Commitments[0].Overdue {
		t.Errorf("commitment due 2025-12-31 not overdue on 2026-11-23: %+v", r.Commitments)
	}
	if got := len(c.Transitions); got < 10 {
		t.Errorf("%d transitions recorded", got)
	}
}

func TestInvalidTransitions(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	c := must(s.Create(ctx, CreateInput{Trigger: TriggerApplication, Scope: Scope{Vendor: "V"}, Event: ev("2024-01-02", "")}))(t)
	tests := []struct {
		name string
		do   func() error
	}{
		{"accept a draft", func() error { _, err := s.Accept(ctx, c.ID, ev("2024-01-03", "")); return err }},
		{"advance a draft", func() error { _, err := s.Advance(ctx, c.ID, StateOpinions, ev("2024-01-03", "")); return err }},
		{"decide a draft", func() error {
			_, err := s.Decide(ctx, c.ID, DecideInput{Outcome: Passed}, ev("2024-01-03", "x"))
			return err
		}},
		{"pause a draft", func() error { _, err := s.Pause(ctx, c.ID, ev("2024-01-03", "x")); return err }},
		{"resume a draft", func() error { _, err := s.Resume(ctx, c.ID, ev("2024-01-03", "")); return err }},
		{"extend a draft", func() error { _, err := s.Extend(ctx, c.ID, 15, ev("2024-01-03", "x")); return err }},
		{"date before history", func() error { _, err := s.Submit(ctx, c.ID, ev("2023-12-01", "")); return err }},
		{"future date", func() error { _, err := s.Submit(ctx, c.ID, ev("2099-01-01", "")); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if !errors.Is(err, ErrInvalidTransition) {
				t.Fatalf("err = %v, want ErrInvalidTransition", err)
			}
			if !strings.Contains(err.Error(), c.ID) && !strings.Contains(err.Error(), "date") {
				t.Errorf("error does not name the case: %v", err)
			}
		})
	}
	must(s.Submit(ctx, c.ID, ev("2024-01-03", "")))(t)
	must(s.Accept(ctx, c.ID, ev("2024-01-04", "")))(t)
	if _, err := s.Decide(ctx, c.ID, DecideInput{Outcome: Passed}, ev("2024-01-05", "x")); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("PASSED from screening: %v", err)
	}
	c = must(s.Decide(ctx, c.ID, DecideInput{Outcome: NoReviewRequired}, ev("2024-01-05", "no national-security impact")))(t)
	if c.State != StateClosedNoReview {
		t.Errorf("state %s", c.State)
	}
	if _, err := s.Advance(ctx, c.ID, StateInitialReview, ev("2024-01-06", "")); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("advance a closed case: %v", err)
	}
	if _, _, err := s.Attach(ctx, c.ID, strings.NewReader("late"), EvidenceInput{}, ev("", "")); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("attach to a closed case: %v", err)
	}
	if _, err := s.Assess(ctx, c.ID, AssessInput{Factor: "F1", Likelihood: 1, Impact: 1, Confidence: "LOW", Rationale: "x"}, ev("", "")); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("assess a closed case: %v", err)
	}
}

func TestFactorsAndEvidence(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	c := must(s.Create(ctx, CreateInput{Trigger: TriggerExOfficio, Scope: Scope{Vendor: "V"}, Event: ev("2024-01-02", "")}))(t)
	if len(c.Factors) != 7 || c.Factors[0].ID != "F1" || c.Factors[6].ID != "F7" {
		t.Fatalf("factors %+v", c.Factors)
	}
	_, e, err := s.Attach(ctx, c.ID, strings.NewReader("sbom"), EvidenceInput{Name: "sbom.json", Type: "sbom", Factors: []string{"f1", "F3"}}, ev("", ""))
	if err != nil {
		t.Fatal(err)
	}
	if e.Confidentiality != "CONFIDENTIAL" || e.Consent != "THIS_REVIEW" || e.Type != "SBOM" {
		t.Errorf("defaults: %+v", e)
	}
	if _, _, err := s.Attach(ctx, c.ID, strings.NewReader("sbom"), EvidenceInput{}, ev("", "")); err == nil {
		t.Error("duplicate evidence accepted")
	}
	if _, _, err := s.Attach(ctx, c.ID, strings.NewReader("x"), EvidenceInput{ValidUntil: "2025-02-30"}, ev("", "")); err == nil {
		t.Error("bad valid-until date accepted")
	}
	if _, _, err := s.Attach(ctx, c.ID, strings.NewReader("x"), EvidenceInput{Confidentiality: "SECRETISH"}, ev("", "")); err == nil {
		t.Error("unknown confidentiality accepted")
	}
	if _, err := s.Assess(ctx, c.ID, AssessInput{Factor: "F1", Confirm: true, Rationale: "ok"}, ev("", "")); err == nil {
		t.Error("confirm without proposal accepted")
	}
	must(s.Propose(ctx, c.ID, "F1", Proposal{Score: Score{Likelihood: 4, Impact: 5, Confidence: "high"}, Source: "scan",
		Summary: "2 KEV vulnerabilities", Evidence: []string{e.SHA256}}, ev("", "")))(t)
	if _, err := s.Assess(ctx, c.ID, AssessInput{Factor: "F1", Confirm: true}, ev("", "")); err == nil {
		t.Error("assessment without rationale accepted")
	}
	c = must(s.Assess(ctx, c.ID, AssessInput{Factor: "F1", Confirm: true, Rationale: "verified KEV entries"}, ev("", "")))(t)
	c = must(s.Assess(ctx, c.ID, AssessInput{Factor: "F1", Likelihood: 2, Impact: 5, Confidence: "medium",
		Rationale: "vulnerable service disabled in the deployed configuration", Evidence: []string{e.SHA256}}, ev("", "")))(t)
	f := c.Factors[0]
	if f.Proposal == nil || f.Proposal.Score.Score != 20 {
		t.Errorf("proposal lost: %+v", f.Proposal)
	}
	if f.Assessment.Outcome != OutcomeOverridden || f.Assessment.Score.Score != 10 || len(f.History) != 1 || f.History[0].Outcome != OutcomeConfirmed {
		t.Errorf("assessment %+v history %+v", f.Assessment, f.History)
	}
	if len(f.Evidence) != 1 || f.Evidence[0] != e.SHA256 {
		t.Errorf("evidence links %v", f.Evidence)
	}
	if _, err := s.Assess(ctx, c.ID, AssessInput{Factor: "F9", Likelihood: 1, Impact: 1, Confidence: "low", Rationale: "x"}, ev("", "")); err == nil {
		t.Error("unknown factor accepted")
	}
	if _, err := s.Assess(ctx, c.ID, AssessInput{Factor: "F2", Likelihood: 6, Impact: 1, Confidence: "low", Rationale: "x"}, ev("", "")); err == nil {
		t.Error("likelihood 6 accepted")
	}
	if _, err := s.Assess(ctx, c.ID, AssessInput{Factor: "F2", Likelihood: 1, Impact: 1, Confidence: "low", Rationale: "x", Evidence: []string{"nope"}}, ev("", "")); err == nil {
		t.Error("unknown evidence link accepted")
	}
	r := must(s.Report(ctx, c.ID))(t)
	b, _ := json.Marshal(r)
	for _, want := range []string{`"schema":"assay.case/v1"`, `"factors":[`, `"deadlines":[`, `"id":"F7"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %s", want)
		}
	}
}

func TestOpinionsAndBreach(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	c := must(s.Create(ctx, CreateInput{Trigger: TriggerExOfficio, Scope: Scope{Vendor: "Acme"}, Event: ev("2024-01-02", "")}))(t)
	if _, err := s.Opinion(ctx, c.ID, OpinionInput{From: "MIIT", Position: "AGREE"}, ev("2024-01-03", "")); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("opinion outside OPINIONS: %v", err)
	}
	must(s.Advance(ctx, c.ID, StateOpinions, ev("2024-01-10", "")))(t)
	must(s.Opinion(ctx, c.ID, OpinionInput{From: "MIIT", Position: "agree"}, ev("2024-01-11", "")))(t)
	must(s.Opinion(ctx, c.ID, OpinionInput{From: "Energy protection department", Position: "DISAGREE", Text: "supply risk"}, ev("2024-01-12", "")))(t)
	if _, err := s.Opinion(ctx, c.ID, OpinionInput{From: "X", Position: "MAYBE"}, ev("2024-01-12", "")); err == nil {
		t.Error("unknown position accepted")
	}
	_, err := s.Decide(ctx, c.ID, DecideInput{Outcome: Passed}, ev("2024-01-15", "ok"))
	if !errors.Is(err, ErrInvalidTransition) || !strings.Contains(err.Error(), "Energy protection department") {
		t.Errorf("decide over a disagreement: %v", err)
	}
	must(s.Advance(ctx, c.ID, StateSpecialReview, ev("2024-01-15", "no consensus")))(t)
	c = must(s.Decide(ctx, c.ID, DecideInput{Outcome: PassedWithCommitments, Commitments: []Commitment{
		{Type: "SUPPLY_CONTINUITY", Text: "two years of spares"}, {Type: "PATCH_SLA", Text: "30-day fixes"}}}, ev("2024-03-01", "mitigated")))(t)
	if !strings.Contains(c.Decision.Body, "Central") {
		t.Errorf("special-procedure decision body %q", c.Decision.Body)
	}
	if _, _, err := s.ReportBreach(ctx, c.ID, "C2", ev("2024-03-02", "late patch")); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("breach before MONITORING: %v", err)
	}
	must(s.Advance(ctx, c.ID, StateMonitoring, ev("2024-03-02", "")))(t)
	if _, _, err := s.ReportBreach(ctx, c.ID, "C9", ev("2024-06-03", "x")); err == nil {
		t.Error("unknown commitment accepted")
	}
	orig, reopened, err := s.ReportBreach(ctx, c.ID, "c2", ev("2024-06-03", "CVE fix 75 days late"))
	if err != nil {
		t.Fatal(err)
	}
	cm := orig.Decision.Commitments[1]
	if cm.Status != CommitmentBreached || len(cm.Breaches) != 1 || cm.Breaches[0].ReopenedAs != reopened.ID {
		t.Errorf("commitment %+v", cm)
	}
	if reopened.Trigger != TriggerExOfficio || reopened.Reopens != c.ID || reopened.State != StateInitialReview || reopened.Stages[0].Start != "2024-06-03" {
		t.Errorf("reopened case %+v", reopened)
	}
}

func TestConflictRetry(t *testing.T) {
	ctx := context.Background()
	s, repo := newService(t)
	c := must(s.Create(ctx, CreateInput{Trigger: TriggerApplication, Scope: Scope{Vendor: "V"}, Event: ev("2024-01-02", "")}))(t)
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			_, err := s.Propose(ctx, c.ID, fmt.Sprintf("F%d", i+1), Proposal{Score: Score{Likelihood: 1, Impact: 1, Confidence: "LOW"}, Source: "t"}, ev("", ""))
			if err != nil && !errors.Is(err, ErrConflict) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := must(s.Get(ctx, c.ID))(t)
	n := 0
	for _, f := range got.Factors {
		if f.Proposal != nil {
			n++
		}
	}
	if n != got.Version-1 || len(repo.changes) != got.Version {
		t.Errorf("%d proposals, version %d, %d changes: a lost update", n, got.Version, len(repo.changes))
	}
}

func TestCreateValidation(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	for name, in := range map[string]CreateInput{
		"no vendor":        {Trigger: TriggerApplication, Event: ev("", "")},
		"no actor":         {Trigger: TriggerApplication, Scope: Scope{Vendor: "V"}},
		"bad trigger":      {Trigger: "LISTING", Scope: Scope{Vendor: "V"}, Event: ev("", "")},
		"bad scope":        {Trigger: TriggerApplication, Scope: Scope{Vendor: "V", Kind: "ALL"}, Event: ev("", "")},
		"unknown calendar": {Trigger: TriggerApplication, Calendar: "xx", Scope: Scope{Vendor: "V"}, Event: ev("", "")},
	} {
		if _, err := s.Create(ctx, in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A clock running past the calendar's data reports why it has no due date.
	c := must(s.Create(ctx, CreateInput{Trigger: TriggerExOfficio, Scope: Scope{Vendor: "V"}, Event: ev("2026-11-20", "")}))(t)
	r := must(s.Report(ctx, c.ID))(t)
	if !strings.Contains(r.DeadlinesError, "no data for 2027") {
		t.Errorf("deadlines error %q", r.DeadlinesError)
	}
}
