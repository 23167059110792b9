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
	// Status is OPEN or BREACHED.
	Status   string   `json:"status"`
	Breaches []Breach `json:"breaches,omitempty"`
}

// Commitment statuses.
const (
	CommitmentOpen     = "OPEN"
	CommitmentBreached = "BREACHED"
)

// Breach is a reported breach of a commitment; it reopens the matter as a
// new ex-officio case (review-model §4, MONITORING).
type Breach struct {
	Date       string    `json:"date"`
	Actor      string    `json:"actor"`
	Report     string    `json:"report"`
	ReopenedAs string    `json:"reopened_as"`
	At         time.Time `json:"at"`
}

// findCommitment returns the commitment of a monitored case.
func findCommitment(c *Case, id string) (*Commitment, error) {
	if c.State != StateMonitoring || c.Decision == nil {
		return nil, fmt.Errorf("%w: case %s is %s; breaches are reported on MONITORING cases", ErrInvalidTransition, c.ID, c.State)
	}
	for i := range c.Decision.Commitments {
		if strings.EqualFold(c.Decision.Commitments[i].ID, id) {
			return &c.Decision.Commitments[i], nil
		}
	}
	return nil, fmt.Errorf("case %s has no commitment %q", c.ID, id)
}

// Opinion positions (Art. 12).
const (
	OpinionAgree      = "AGREE"
	OpinionDisagree   = "DISAGREE"
	OpinionConditions = "CONDITIONS"
)

// Opinion is a member unit's or CII protection department's written reply
// to the recommended conclusion.
type Opinion struct {
	From     string    `json:"from"`
	Received string    `json:"received"`
	Position string    `json:"position"`
	Text     string    `json:"text,omitempty"`
	Actor    string    `json:"actor"`
	At       time.Time `json:"at"`
}

// OpinionInput is an opinion to record.
type OpinionInput struct {
	From     string
	Position string
	Text     string
}

func addOpinion(c *Case, in OpinionInput, ev Event, now time.Time) (Opinion, error) {
	if c.State != StateOpinions {
		return Opinion{}, fmt.Errorf("%w: case %s is %s; opinions are recorded in OPINIONS", ErrInvalidTransition, c.ID, c.State)
	}
	if err := checkEvent(ev, false, "opinion"); err != nil {
		return Opinion{}, err
	}
	if strings.TrimSpace(in.From) == "" {
		return Opinion{}, fmt.Errorf("opinion: --from (member unit or protection department) is required")
	}
	pos, err := oneOf("opinion position", in.Position, []string{OpinionAgree, OpinionDisagree, OpinionConditions})
	if err != nil {
		return Opinion{}, err
	}
	date, err := effectiveDate(c, ev, now)
	if err != nil {
		return Opinion{}, err
	}
	o := Opinion{From: in.From, Received: date, Position: pos, Text: in.Text, Actor: ev.Actor, At: now}
	c.Opinions = append(c.Opinions, o)
	return o, nil
}

// disagreement returns the first disagreeing opinion, if any.
func disagreement(c *Case) *Opinion {
	for i := range c.Opinions {
		if c.Opinions[i].Position == OpinionDisagree {
			return &c.Opinions[i]
		}
	}
	return nil
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
	if d := disagreement(c); d != nil && c.State == StateOpinions {
		return fmt.Errorf("%w: case %s has a disagreeing opinion from %s; advance to SPECIAL_REVIEW (Art. 13)", ErrInvalidTransition, c.ID, d.From)
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
		cm.Status = CommitmentOpen
		out = append(out, cm)
	}
	return out, nil
}
