package review

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/assayhq/assay/calendar"
)

// ReportSchema is the schema of the case JSON report.
const ReportSchema = "assay.case/v1"

// Report is the whole case with its derived deadlines, as printed by
// `assay case report ID --format json`. Fields are only ever added within
// a schema version.
type Report struct {
	Schema      string    `json:"schema"`
	GeneratedAt time.Time `json:"generated_at"`
	// Audience is who the report is for (see Redact); OFFICE by default.
	Audience string `json:"audience"`
	// RedactedEvidence counts evidence items whose details were withheld.
	RedactedEvidence int `json:"redacted_evidence,omitempty"`
	*Case
	Paused    bool       `json:"paused"`
	Deadlines []Deadline `json:"deadlines"`
	// DeadlinesError explains why deadlines could not be derived (for
	// example a calendar not imported), instead of failing the report.
	DeadlinesError string `json:"deadlines_error,omitempty"`
	// ElapsedWorkingDays sums the working days the clocked stages used.
	ElapsedWorkingDays int `json:"elapsed_working_days"`
	// Commitments is the monitoring view of the decision's commitments.
	Commitments []CommitmentStatus `json:"commitments,omitempty"`
}

// CommitmentStatus is a derived monitoring status of one commitment.
type CommitmentStatus struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Due    string `json:"due,omitempty"`
	Status string `json:"status"`
	// Overdue is true for an OPEN commitment whose due date has passed.
	Overdue bool `json:"overdue"`
}

// commitmentStatuses derives the monitoring view on the given day.
func commitmentStatuses(c *Case, today string) []CommitmentStatus {
	if c.Decision == nil {
		return nil
	}
	var out []CommitmentStatus
	for _, cm := range c.Decision.Commitments {
		out = append(out, CommitmentStatus{ID: cm.ID, Type: cm.Type, Due: cm.Due, Status: cm.Status,
			Overdue: cm.Status == CommitmentOpen && cm.Due != "" && cm.Due < today})
	}
	return out
}

// Report builds the report of a case as of now.
func (s *Service) Report(ctx context.Context, id string) (*Report, error) {
	c, err := s.Repo.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := &Report{Schema: ReportSchema, GeneratedAt: now, Audience: AudienceOffice, Case: c, Paused: c.Paused(), Deadlines: []Deadline{},
		Commitments: commitmentStatuses(c, calendar.Day(now).Format(calendar.DateLayout))}
	if len(c.Stages) == 0 {
		return r, nil
	}
	cal, err := s.Calendars(c.Calendar)
	if err == nil {
		r.Deadlines, err = Deadlines(cal, c, now)
	}
	if err != nil {
		r.DeadlinesError = err.Error()
	}
	for _, d := range r.Deadlines {
		r.ElapsedWorkingDays += d.Elapsed
	}
	return r, nil
}

// WriteText prints a human-readable summary of the report.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	c := r.Case
	ew.printf("%s  %s\n", c.ID, c.Title)
	ew.printf("  trigger %s, scope %s, vendor %s", c.Trigger, c.Scope.Kind, c.Scope.Vendor)
	if c.Scope.Operator != "" {
		ew.printf(", operator %s", c.Scope.Operator)
	}
	ew.printf("\n")
	for _, p := range c.Scope.Products {
		ew.printf("  product %s %s\n", p.Name, strings.Join(p.Versions, ", "))
	}
	state := string(c.State)
	if r.Paused {
		state += " (clock paused)"
	}
	ew.printf("  state %s, calendar %s\n", state, c.Calendar)
	if c.Reopens != "" {
		ew.printf("  reopens %s (commitment breach)\n", c.Reopens)
	}
	if len(r.Deadlines) > 0 || r.DeadlinesError != "" {
		ew.printf("Deadlines (elapsed %d working days):\n", r.ElapsedWorkingDays)
	}
	for _, d := range r.Deadlines {
		due := d.Due
		if due == "" {
			due = "-"
		}
		ew.printf("  %-15s due %-10s %-8s %s\n", d.State, due, d.Status, d.Basis)
	}
	if r.DeadlinesError != "" {
		ew.printf("  (deadlines unavailable: %s)\n", r.DeadlinesError)
	}
	ew.printf("Factors:\n")
	for _, f := range c.Factors {
		ew.printf("  %s  proposal %-22s assessment %s\n", f.ID, proposalText(f.Proposal), assessmentText(f.Assessment))
	}
	if len(c.Evidence) > 0 {
		ew.printf("Evidence:\n")
	}
	for _, e := range c.Evidence {
		name := e.Name
		if e.Redacted {
			name = "(redacted)"
		}
		ew.printf("  %s  %-17s %-12s %-12s %s\n", e.SHA256[:min(12, len(e.SHA256))], e.Type, e.Confidentiality, e.Consent, name)
	}
	for _, o := range c.Opinions {
		ew.printf("Opinion: %s %s on %s %s\n", o.From, o.Position, o.Received, o.Text)
	}
	if d := c.Decision; d != nil {
		ew.printf("Decision: %s on %s by %s (%s): %s\n", d.Outcome, d.Date, d.Body, d.Actor, d.Rationale)
		for _, cm := range d.Commitments {
			ew.printf("  %s %s %s due %s: %s\n", cm.ID, cm.Status, cm.Type, orDash(cm.Due), cm.Text)
			for _, b := range cm.Breaches {
				ew.printf("    breach %s reopened as %s: %s\n", b.Date, b.ReopenedAs, b.Report)
			}
		}
	}
	ew.printf("Transitions:\n")
	for _, t := range c.Transitions {
		ew.printf("  %s  %-17s %s -> %s  by %s", t.Date, t.Action, orDash(string(t.From)), t.To, t.Actor)
		if t.Reason != "" {
			ew.printf(": %s", t.Reason)
		}
		ew.printf("\n")
	}
	return ew.err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func proposalText(p *Proposal) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%d×%d=%d %s (%s)", p.Likelihood, p.Impact, p.Score.Score, p.Confidence, p.Source)
}

func assessmentText(a *Assessment) string {
	if a == nil {
		return "-"
	}
	return fmt.Sprintf("%d×%d=%d %s %s by %s: %s", a.Likelihood, a.Impact, a.Score.Score, a.Confidence, a.Outcome, a.Actor, a.Rationale)
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
