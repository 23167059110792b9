package review

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/assayhq/assay/calendar"
)

// ErrInvalidTransition is wrapped by every refused state change.
var ErrInvalidTransition = errors.New("invalid transition")

// edge is one allowed state change.
type edge struct {
	action string
	from   []State
	to     State
	// needReason requires a written reason.
	needReason bool
}

// edges returns the state machine of review-model §4 (decisions are handled by
// Decide, pauses by Pause/Resume, extensions by Extend).
func edges() []edge {
	return []edge{
		{action: "submit", from: []State{StateDraft}, to: StateSubmitted},
		{action: "request-materials", from: []State{StateSubmitted}, to: StateAwaitingMaterials, needReason: true},
		{action: "accept", from: []State{StateSubmitted, StateAwaitingMaterials}, to: StateScreening},
		{action: "advance", from: []State{StateScreening}, to: StateInitialReview},
		{action: "advance", from: []State{StateInitialReview}, to: StateOpinions},
		{action: "advance", from: []State{StateOpinions}, to: StateSpecialReview, needReason: true},
		{action: "advance", from: []State{StateDecided}, to: StateMonitoring},
		{action: "advance", from: []State{StateDecided, StateMonitoring}, to: StateClosed},
	}
}

// allowedFrom lists the actions and targets possible from s, for errors.
func allowedFrom(s State) string {
	var out []string
	for _, e := range edges() {
		for _, f := range e.from {
			if f == s {
				out = append(out, fmt.Sprintf("%s -> %s", e.action, e.to))
			}
		}
	}
	switch s {
	case StateScreening:
		out = append(out, "decide NO_REVIEW_REQUIRED -> CLOSED_NO_REVIEW")
	case StateOpinions, StateSpecialReview:
		out = append(out, "decide -> DECIDED")
	}
	if _, ok := clockDays(s); ok {
		out = append(out, "pause")
	}
	if len(out) == 0 {
		return "none (final state)"
	}
	return strings.Join(out, "; ")
}

// findEdge returns the edge for action from c's state to `to`.
func findEdge(c *Case, action string, to State) (edge, error) {
	for _, e := range edges() {
		if e.action != action || e.to != to {
			continue
		}
		for _, f := range e.from {
			if f == c.State {
				return e, nil
			}
		}
	}
	return edge{}, fmt.Errorf("%w: case %s is %s; cannot %s to %s (allowed: %s)",
		ErrInvalidTransition, c.ID, c.State, action, to, allowedFrom(c.State))
}

// Event carries who does a change, when and why.
type Event struct {
	Actor  string
	Reason string
	// Date is the effective date (YYYY-MM-DD) that becomes the clock basis;
	// empty means today.
	Date string
}

// effectiveDate validates ev.Date against the case history and today.
func effectiveDate(c *Case, ev Event, now time.Time) (string, error) {
	today := calendar.Day(now).Format(calendar.DateLayout)
	// Dates are civil dates of the actor; UTC+14 is the furthest ahead.
	latest := calendar.Day(now.Add(14 * time.Hour)).Format(calendar.DateLayout)
	d := ev.Date
	if d == "" {
		d = today
	}
	t, err := calendar.ParseDate(d)
	if err != nil {
		return "", err
	}
	d = t.Format(calendar.DateLayout)
	if d > latest {
		return "", fmt.Errorf("%w: date %s is in the future", ErrInvalidTransition, d)
	}
	if last := c.lastDate(); d < last {
		return "", fmt.Errorf("%w: date %s is before the previous transition (%s)", ErrInvalidTransition, d, last)
	}
	return d, nil
}

func checkEvent(ev Event, needReason bool, what string) error {
	if strings.TrimSpace(ev.Actor) == "" {
		return fmt.Errorf("%s: an actor is required", what)
	}
	if needReason && strings.TrimSpace(ev.Reason) == "" {
		return fmt.Errorf("%s: a written reason is required", what)
	}
	return nil
}

// transition moves c to state `to`, closing the running stage and opening
// a new clocked stage when `to` has a statutory clock.
func transition(c *Case, action string, to State, date string, at time.Time, ev Event, calVersion string) {
	if s := c.stage(); s != nil {
		s.End = date
	}
	c.Transitions = append(c.Transitions, Transition{
		From: c.State, To: to, Action: action, Date: date, At: at, Actor: ev.Actor, Reason: ev.Reason,
	})
	c.State = to
	if days, ok := clockDays(to); ok {
		c.Stages = append(c.Stages, Stage{State: to, Start: date, WorkingDays: days, CalendarVersion: calVersion})
	}
}

// apply performs a state-machine action on c.
func apply(c *Case, action string, to State, ev Event, now time.Time, calVersion string) error {
	e, err := findEdge(c, action, to)
	if err != nil {
		return err
	}
	if err := checkEvent(ev, e.needReason, action); err != nil {
		return err
	}
	if c.Paused() {
		return fmt.Errorf("%w: case %s clock is paused; resume it first", ErrInvalidTransition, c.ID)
	}
	if to == StateMonitoring && (c.Decision == nil || len(c.Decision.Commitments) == 0) {
		return fmt.Errorf("%w: case %s has no commitments to monitor", ErrInvalidTransition, c.ID)
	}
	if to == StateClosed && c.State == StateDecided && c.Decision != nil && len(c.Decision.Commitments) > 0 {
		return fmt.Errorf("%w: case %s has commitments; advance to MONITORING", ErrInvalidTransition, c.ID)
	}
	date, err := effectiveDate(c, ev, now)
	if err != nil {
		return err
	}
	transition(c, action, to, date, now, ev, calVersion)
	return nil
}

// pause stops the running stage's clock.
func pause(c *Case, ev Event, now time.Time) error {
	s := c.stage()
	if s == nil {
		return fmt.Errorf("%w: case %s is %s, which has no running clock", ErrInvalidTransition, c.ID, c.State)
	}
	if s.openPause() != nil {
		return fmt.Errorf("%w: case %s clock is already paused", ErrInvalidTransition, c.ID)
	}
	if err := checkEvent(ev, true, "pause"); err != nil {
		return err
	}
	date, err := effectiveDate(c, ev, now)
	if err != nil {
		return err
	}
	s.Pauses = append(s.Pauses, Pause{From: date, Actor: ev.Actor, Reason: ev.Reason, At: now})
	c.Transitions = append(c.Transitions, Transition{From: c.State, To: c.State, Action: "pause", Date: date, At: now, Actor: ev.Actor, Reason: ev.Reason})
	return nil
}

// resume restarts a paused clock.
func resume(c *Case, ev Event, now time.Time) error {
	s := c.stage()
	var p *Pause
	if s != nil {
		p = s.openPause()
	}
	if p == nil {
		return fmt.Errorf("%w: case %s clock is not paused", ErrInvalidTransition, c.ID)
	}
	if err := checkEvent(ev, false, "resume"); err != nil {
		return err
	}
	date, err := effectiveDate(c, ev, now)
	if err != nil {
		return err
	}
	p.To, p.ResumedBy = date, ev.Actor
	c.Transitions = append(c.Transitions, Transition{From: c.State, To: c.State, Action: "resume", Date: date, At: now, Actor: ev.Actor, Reason: ev.Reason})
	return nil
}

// extend lengthens the running stage: the initial review once by 15
// working days (Art. 11); the special review by any number of working days
// (Art. 14).
func extend(c *Case, days int, ev Event, now time.Time) error {
	s := c.stage()
	if s == nil {
		return fmt.Errorf("%w: case %s is %s, which has no running clock", ErrInvalidTransition, c.ID, c.State)
	}
	switch s.State {
	case StateInitialReview:
		if len(s.Extensions) > 0 {
			return fmt.Errorf("%w: case %s initial review is already extended (Art. 11 allows one 15-day extension)", ErrInvalidTransition, c.ID)
		}
		if days == 0 {
			days = InitialExtensionDays
		}
		if days != InitialExtensionDays {
			return fmt.Errorf("%w: the initial review extends by %d working days, not %d", ErrInvalidTransition, InitialExtensionDays, days)
		}
	case StateSpecialReview:
		if days <= 0 || days > calendar.MaxWorkingDays/10 {
			return fmt.Errorf("%w: special review extension needs --days between 1 and %d", ErrInvalidTransition, calendar.MaxWorkingDays/10)
		}
	default:
		return fmt.Errorf("%w: %s has no extension (only INITIAL_REVIEW and SPECIAL_REVIEW)", ErrInvalidTransition, s.State)
	}
	if err := checkEvent(ev, true, "extend"); err != nil {
		return err
	}
	date, err := effectiveDate(c, ev, now)
	if err != nil {
		return err
	}
	s.Extensions = append(s.Extensions, Extension{Days: days, Date: date, At: now, Actor: ev.Actor, Reason: ev.Reason})
	c.Transitions = append(c.Transitions, Transition{From: c.State, To: c.State, Action: "extend", Date: date, At: now, Actor: ev.Actor, Reason: ev.Reason})
	return nil
}
