package review

import (
	"context"
	"time"
)

// ReportSchema is the schema of the case JSON report.
const ReportSchema = "assay.case/v1"

// Report is the whole case with its derived deadlines, as printed by
// `assay case report ID --format json`. Fields are only ever added within
// a schema version.
type Report struct {
	Schema      string    `json:"schema"`
	GeneratedAt time.Time `json:"generated_at"`
	*Case
	Paused    bool       `json:"paused"`
	Deadlines []Deadline `json:"deadlines"`
	// DeadlinesError explains why deadlines could not be derived (for
	// example a calendar not imported), instead of failing the report.
	DeadlinesError string `json:"deadlines_error,omitempty"`
	// ElapsedWorkingDays sums the working days the clocked stages used.
	ElapsedWorkingDays int `json:"elapsed_working_days"`
}

// Report builds the report of a case as of now.
func (s *Service) Report(ctx context.Context, id string) (*Report, error) {
	c, err := s.Repo.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := &Report{Schema: ReportSchema, GeneratedAt: now, Case: c, Paused: c.Paused(), Deadlines: []Deadline{}}
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
