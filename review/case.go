// Package review holds review cases: their trigger and scope, the state
// machine with the statutory working-day clocks, evidence, the seven review
// factors, decisions and commitments (see docs/review-model.md).
//
// The package knows nothing about storage: a Repo persists cases and
// records every change in the audit log; a Blobs stores evidence content.
package review

import (
	"fmt"
	"slices"
	"time"
)

// Trigger says why a case exists.
type Trigger string

// Triggers (review-model §2).
const (
	// TriggerApplication is an operator's application for a procurement (Art. 5).
	TriggerApplication Trigger = "APPLICATION"
	// TriggerExOfficio is a review started by the member units after Central
	// Commission approval (Art. 16), e.g. a vendor's whole portfolio.
	TriggerExOfficio Trigger = "EX_OFFICIO"
)

// ScopeKind says what a case covers.
type ScopeKind string

// Scope kinds.
const (
	ScopeProcurement    ScopeKind = "PROCUREMENT"
	ScopeVendorProducts ScopeKind = "VENDOR_PRODUCTS"
)

// State is a case state (review-model §4).
type State string

// Case states.
const (
	StateDraft             State = "DRAFT"
	StateSubmitted         State = "SUBMITTED"
	StateAwaitingMaterials State = "AWAITING_MATERIALS"
	StateScreening         State = "SCREENING"
	StateInitialReview     State = "INITIAL_REVIEW"
	StateOpinions          State = "OPINIONS"
	StateSpecialReview     State = "SPECIAL_REVIEW"
	StateDecided           State = "DECIDED"
	StateMonitoring        State = "MONITORING"
	StateClosedNoReview    State = "CLOSED_NO_REVIEW"
	StateClosed            State = "CLOSED"
)

// Statutory clocks in working days (Arts. 9, 11, 12, 14).
const (
	ScreeningDays        = 10
	InitialReviewDays    = 30
	InitialExtensionDays = 15
	OpinionsDays         = 15
	SpecialReviewDays    = 90
)

// clockDays gives the working-day limit of each clocked state.
func clockDays(s State) (int, bool) {
	switch s {
	case StateScreening:
		return ScreeningDays, true
	case StateInitialReview:
		return InitialReviewDays, true
	case StateOpinions:
		return OpinionsDays, true
	case StateSpecialReview:
		return SpecialReviewDays, true
	}
	return 0, false
}

// Product is one product in a case's scope, with the versions reviewed.
type Product struct {
	Name     string   `json:"name"`
	Versions []string `json:"versions,omitempty"`
}

// Scope is what a case covers.
type Scope struct {
	Kind ScopeKind `json:"kind"`
	// Operator is the applicant (CII operator); empty for ex-officio cases.
	Operator    string    `json:"operator,omitempty"`
	Vendor      string    `json:"vendor"`
	Products    []Product `json:"products,omitempty"`
	Deployments []string  `json:"deployments,omitempty"`
}

// Transition records one state change.
type Transition struct {
	From   State  `json:"from,omitempty"`
	To     State  `json:"to"`
	Action string `json:"action"`
	// Date is the effective date (the clock basis), YYYY-MM-DD.
	Date   string    `json:"date"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Reason string    `json:"reason,omitempty"`
}

// Extension lengthens a stage's clock.
type Extension struct {
	Days   int       `json:"working_days"`
	Date   string    `json:"date"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Reason string    `json:"reason"`
}

// Pause stops a stage's clock while requested materials are outstanding
// (Art. 15). Working days after From up to and including To do not count.
type Pause struct {
	From      string    `json:"from"`
	To        string    `json:"to,omitempty"`
	Actor     string    `json:"actor"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
	ResumedBy string    `json:"resumed_by,omitempty"`
}

// Stage is one clocked period of a case.
type Stage struct {
	State State `json:"state"`
	// Start is the clock basis: the limit ends on the N-th working day
	// after Start.
	Start           string      `json:"start"`
	WorkingDays     int         `json:"working_days"`
	CalendarVersion string      `json:"calendar_version"`
	Extensions      []Extension `json:"extensions,omitempty"`
	Pauses          []Pause     `json:"pauses,omitempty"`
	// End is the date the stage was left, empty while it runs.
	End string `json:"end,omitempty"`
}

// openPause returns the stage's running pause, if any.
func (s *Stage) openPause() *Pause {
	if n := len(s.Pauses); n > 0 && s.Pauses[n-1].To == "" {
		return &s.Pauses[n-1]
	}
	return nil
}

// Case is a review case.
type Case struct {
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Trigger Trigger `json:"trigger"`
	Scope   Scope   `json:"scope"`
	State   State   `json:"state"`
	// Calendar names the working-day calendar of the clocks (cn by default).
	Calendar    string       `json:"calendar"`
	Created     time.Time    `json:"created"`
	CreatedBy   string       `json:"created_by,omitempty"`
	Transitions []Transition `json:"transitions"`
	Stages      []Stage      `json:"stages,omitempty"`
	Evidence    []Evidence   `json:"evidence,omitempty"`
	Factors     []Factor     `json:"factors"`
	Opinions    []Opinion    `json:"opinions,omitempty"`
	Decision    *Decision    `json:"decision,omitempty"`
	// Reopens names the earlier case whose commitment breach opened this one.
	Reopens string `json:"reopens,omitempty"`
	// Version counts saved changes; repositories use it to refuse lost
	// updates.
	Version int `json:"version"`
}

// stage returns the running stage, if the case is in a clocked state.
func (c *Case) stage() *Stage {
	if n := len(c.Stages); n > 0 && c.Stages[n-1].End == "" && c.Stages[n-1].State == c.State {
		return &c.Stages[n-1]
	}
	return nil
}

// Paused reports whether the clock is paused.
func (c *Case) Paused() bool {
	if s := c.stage(); s != nil {
		return s.openPause() != nil
	}
	return false
}

// lastDate is the effective date of the latest transition.
func (c *Case) lastDate() string {
	if n := len(c.Transitions); n > 0 {
		return c.Transitions[n-1].Date
	}
	return ""
}

// factor returns the factor with the given id.
func (c *Case) factor(id string) (*Factor, error) {
	for i := range c.Factors {
		if c.Factors[i].ID == id {
			return &c.Factors[i], nil
		}
	}
	return nil, fmt.Errorf("unknown factor %q (want F1..F7)", id)
}

// hasEvidence reports whether the case holds evidence with this digest.
func (c *Case) hasEvidence(sha string) bool {
	return slices.ContainsFunc(c.Evidence, func(e Evidence) bool { return e.SHA256 == sha })
}

// checkOpen refuses changes to the record of a closed case.
func checkOpen(c *Case, what string) error {
	if c.State == StateClosed || c.State == StateClosedNoReview {
		return fmt.Errorf("%w: case %s is %s; cannot %s", ErrInvalidTransition, c.ID, c.State, what)
	}
	return nil
}
