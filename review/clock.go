package review

import (
	"fmt"
	"strings"
	"time"

	"github.com/assayhq/assay/calendar"
)

// Deadline statuses.
const (
	DeadlineRunning = "RUNNING" // clock running, due date not passed
	DeadlinePaused  = "PAUSED"  // clock stopped; due date unknown until resumed
	DeadlineOverdue = "OVERDUE" // clock running past its due date
	DeadlineMet     = "MET"     // stage left on or before the due date
	DeadlineMissed  = "MISSED"  // stage left after the due date
)

// Deadline is a derived statutory limit with the basis it was computed
// from. It is never stored: it is recomputed from the stage record and the
// calendar, so the basis can always be checked.
type Deadline struct {
	State State `json:"state"`
	// Start is the basis date: the limit is the N-th working day after it.
	Start string `json:"start"`
	// WorkingDays is the statutory limit; ExtensionDays the sum of
	// extensions; TotalWorkingDays their sum.
	WorkingDays      int `json:"working_days"`
	ExtensionDays    int `json:"extension_days"`
	TotalWorkingDays int `json:"total_working_days"`
	// PausedWorkingDays counts working days excluded by pauses (so far).
	PausedWorkingDays int         `json:"paused_working_days"`
	Pauses            []Pause     `json:"pauses,omitempty"`
	Extensions        []Extension `json:"extensions,omitempty"`
	Calendar          string      `json:"calendar"`
	CalendarVersion   string      `json:"calendar_version"`
	// StartCalendarVersion is the calendar version when the stage began,
	// when it differs from the version used now.
	StartCalendarVersion string `json:"start_calendar_version,omitempty"`
	// Due is the last day of the limit; empty while the clock is paused.
	Due string `json:"due,omitempty"`
	// Elapsed counts working days used so far (to End, or to today).
	Elapsed   int    `json:"elapsed_working_days"`
	Remaining int    `json:"remaining_working_days"`
	End       string `json:"end,omitempty"`
	Status    string `json:"status"`
	// Basis explains the computation in one sentence.
	Basis string `json:"basis"`
}

// pausedOn reports whether day d falls in a pause: after its From, up to
// and including its To (for an open pause, any later day).
func pausedOn(pauses []Pause, d string) bool {
	for _, p := range pauses {
		to := p.To
		if to == "" {
			to = "9999-12-31"
		}
		if d > p.From && d <= to {
			return true
		}
	}
	return false
}

// countWorking counts working days in (a, b] that are not paused.
func countWorking(cal *calendar.Calendar, a, b time.Time, pauses []Pause) (paused, counted int, err error) {
	for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
		ok, err := cal.IsWorkingDay(d)
		if err != nil {
			return 0, 0, err
		}
		if !ok {
			continue
		}
		if pausedOn(pauses, d.Format(calendar.DateLayout)) {
			paused++
		} else {
			counted++
		}
	}
	return paused, counted, nil
}

// StageDeadline derives the deadline of one stage on the given day.
func StageDeadline(cal *calendar.Calendar, s Stage, today time.Time) (Deadline, error) {
	dl := Deadline{
		State: s.State, Start: s.Start, WorkingDays: s.WorkingDays, Pauses: s.Pauses, Extensions: s.Extensions,
		Calendar: cal.Name, CalendarVersion: cal.Version, End: s.End,
	}
	if s.CalendarVersion != cal.Version {
		dl.StartCalendarVersion = s.CalendarVersion
	}
	for _, e := range s.Extensions {
		dl.ExtensionDays += e.Days
	}
	dl.TotalWorkingDays = dl.WorkingDays + dl.ExtensionDays
	start, err := calendar.ParseDate(s.Start)
	if err != nil {
		return dl, fmt.Errorf("stage %s start: %w", s.State, err)
	}
	todayS := calendar.Day(today).Format(calendar.DateLayout)
	until := calendar.Day(today)
	if s.End != "" {
		if until, err = calendar.ParseDate(s.End); err != nil {
			return dl, fmt.Errorf("stage %s end: %w", s.State, err)
		}
	}
	if cal.LastYear != 0 {
		// Count a running clock only as far as the calendar has data.
		if last := time.Date(cal.LastYear, time.December, 31, 0, 0, 0, 0, time.UTC); until.After(last) {
			until = last
		}
	}
	if dl.PausedWorkingDays, dl.Elapsed, err = countWorking(cal, start, until, s.Pauses); err != nil {
		return dl, err
	}
	dl.Remaining = max(0, dl.TotalWorkingDays-dl.Elapsed)
	open := len(s.Pauses) > 0 && s.Pauses[len(s.Pauses)-1].To == "" && s.End == ""
	if open {
		dl.Status = DeadlinePaused
		dl.Basis = basis(dl, "")
		return dl, nil
	}
	due, err := cal.AddSkipping(start, dl.TotalWorkingDays, func(d time.Time) bool {
		return pausedOn(s.Pauses, d.Format(calendar.DateLayout))
	})
	if err != nil {
		return dl, fmt.Errorf("stage %s deadline: %w", s.State, err)
	}
	dl.Due = due.Format(calendar.DateLayout)
	switch {
	case s.End != "" && s.End <= dl.Due:
		dl.Status = DeadlineMet
	case s.End != "":
		dl.Status = DeadlineMissed
	case todayS > dl.Due:
		dl.Status = DeadlineOverdue
	default:
		dl.Status = DeadlineRunning
	}
	dl.Basis = basis(dl, dl.Due)
	return dl, nil
}

func basis(dl Deadline, due string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d working days after %s", dl.WorkingDays, dl.Start)
	if dl.ExtensionDays > 0 {
		fmt.Fprintf(&b, " + %d extension", dl.ExtensionDays)
	}
	if len(dl.Pauses) > 0 {
		fmt.Fprintf(&b, ", excluding %d paused working days in %d pause(s)", dl.PausedWorkingDays, len(dl.Pauses))
	}
	fmt.Fprintf(&b, ", calendar %s (%s)", dl.Calendar, dl.CalendarVersion)
	if due == "" {
		fmt.Fprintf(&b, "; clock paused with %d working days remaining", dl.Remaining)
	} else {
		fmt.Fprintf(&b, " = %s", due)
	}
	return b.String()
}

// Deadlines derives the deadline of every stage of c on the given day.
func Deadlines(cal *calendar.Calendar, c *Case, today time.Time) ([]Deadline, error) {
	out := make([]Deadline, 0, len(c.Stages))
	for _, s := range c.Stages {
		dl, err := StageDeadline(cal, s, today)
		if err != nil {
			return out, fmt.Errorf("case %s: %w", c.ID, err)
		}
		out = append(out, dl)
	}
	return out, nil
}
