package review

import (
	"fmt"
	"strings"
	"time"

	"github.com/assayhq/assay/calendar"
)

// Decision outcomes (review-model §5).
const (
	NoReviewRequired      = "NO_REVIEW_REQUIRED"
	Passed                = "PASSED"
	PassedWithCommitments = "PASSED_WITH_COMMITMENTS"
	NotPassed             = "NOT_PASSED"
)

// CommitmentTypes are the kinds of vendor commitment (Art. 6 and §2).
func CommitmentTypes() []string {
	return []string{"NO_ILLEGAL_DATA_ACCESS", "NO_DEVICE_CONTROL", "SUPPLY_CONTINUITY", "SUPPORT_CONTINUITY",
		"SOURCE_ESCROW", "PATCH_SLA", "OTHER"}
}

// Commitment is an obligation monitored after the decision.
type Commitment struct {
	ID    string `json:"id"`
	Maker string `json:"maker"`
	Type  string `json:"type"`
	Text  string `json:"text"`
	// Due is the deadline (YYYY-MM-DD); Metric how fulfilment is measured.
	Due    string `json:"due,omitempty"`
	Metric string `json:"metric,omitempty"`
	Status string `json:"status"`
}

// Restriction is the restricted-party entry a NOT_PASSED decision creates,
// for later screenings to find (review-model §5, §7).
type Restriction struct {
	Source    string    `json:"source"`
	CaseID    string    `json:"case_id"`
	Vendor    string    `json:"vendor"`
	Products  []Product `json:"products,omitempty"`
	ScopeKind ScopeKind `json:"scope"`
	Effective string    `json:"effective"`
	Statement string    `json:"statement,omitempty"`
}

// Decision is a case's conclusion.
type Decision struct {
	Outcome     string       `json:"outcome"`
	Date        string       `json:"date"`
	Body        string       `json:"body"`
	Rationale   string       `json:"rationale"`
	Statement   string       `json:"statement,omitempty"`
	Actor       string       `json:"actor"`
	At          time.Time    `json:"at"`
	Commitments []Commitment `json:"commitments,omitempty"`
	Restriction *Restriction `json:"restriction,omitempty"`
}

// DecideInput is a decision to record.
type DecideInput struct {
	Outcome     string
	Statement   string
	Commitments []Commitment
}

// decide records the decision and moves the case on: NO_REVIEW_REQUIRED
// closes a case in screening; other outcomes conclude OPINIONS (all agreed)
// or SPECIAL_REVIEW.
func decide(c *Case, in DecideInput, ev Event, now time.Time, calVersion string) error {
	outcome := strings.ToUpper(in.Outcome)
	var to State
	body := "Cybersecurity Review Office"
	switch {
	case outcome == NoReviewRequired && c.State == StateScreening:
		to = StateClosedNoReview
	case (outcome == Passed || outcome == PassedWithCommitments || outcome == NotPassed) &&
		(c.State == StateOpinions || c.State == StateSpecialReview):
		to = StateDecided
		if c.State == StateSpecialReview {
			body = "Central Cyberspace Affairs Commission (special procedure, Art. 13)"
		}
	default:
		return fmt.Errorf("%w: case %s is %s; cannot decide %q (NO_REVIEW_REQUIRED from SCREENING; PASSED, PASSED_WITH_COMMITMENTS or NOT_PASSED from OPINIONS or SPECIAL_REVIEW)",
			ErrInvalidTransition, c.ID, c.State, in.Outcome)
	}
	if err := checkEvent(ev, true, "decide"); err != nil {
		return err
	}
	if c.Paused() {
		return fmt.Errorf("%w: case %s clock is paused; resume it first", ErrInvalidTransition, c.ID)
	}
	if outcome == PassedWithCommitments && len(in.Commitments) == 0 {
		return fmt.Errorf("decide %s: at least one commitment is required", outcome)
	}
	if outcome != PassedWithCommitments && len(in.Commitments) > 0 {
		return fmt.Errorf("decide %s: commitments belong to PASSED_WITH_COMMITMENTS", outcome)
	}
	commitments, err := checkCommitments(c, in.Commitments)
	if err != nil {
		return err
	}
	date, err := effectiveDate(c, ev, now)
	if err != nil {
		return err
	}
	d := &Decision{Outcome: outcome, Date: date, Body: body, Rationale: ev.Reason, Statement: in.Statement,
		Actor: ev.Actor, At: now, Commitments: commitments}
	if outcome == NotPassed {
		d.Restriction = &Restriction{Source: "assay cybersecurity review", CaseID: c.ID, Vendor: c.Scope.Vendor,
			Products: c.Scope.Products, ScopeKind: c.Scope.Kind, Effective: date, Statement: in.Statement}
	}
	c.Decision = d
	transition(c, "decide", to, date, now, ev, calVersion)
	return nil
}

func checkCommitments(c *Case, in []Commitment) ([]Commitment, error) {
	out := make([]Commitment, 0, len(in))
	for i, cm := range in {
		t, err := oneOf("commitment type", cm.Type, CommitmentTypes())
		if err != nil {
			return nil, err
		}
		cm.Type = t
		if strings.TrimSpace(cm.Text) == "" {
			return nil, fmt.Errorf("commitment %d: text is required", i+1)
		}
		if cm.Due != "" {
			if _, err := calendar.ParseDate(cm.Due); err != nil {
				return nil, fmt.Errorf("commitment %d due: %w", i+1, err)
			}
		}
		if cm.Maker == "" {
			cm.Maker = c.Scope.Vendor
		}
		cm.ID = fmt.Sprintf("C%d", i+1)
		cm.Status = "OPEN"
		out = append(out, cm)
	}
	return out, nil
}
