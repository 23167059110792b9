package review

import (
	"fmt"
	"strings"
	"time"
)

// FactorTitles gives the seven review factors of Art. 10 (review-model §3).
func FactorTitles() [][2]string {
	return [][2]string{
		{"F1", "Risk that the product lets critical information infrastructure be illegally controlled, interfered with or destroyed"},
		{"F2", "Harm to business continuity if supply is interrupted"},
		{"F3", "Security, openness, transparency and diversity of sources; reliability of supply channels; political, diplomatic or trade disruption"},
		{"F4", "The provider's compliance with Chinese laws, administrative regulations and departmental rules"},
		{"F5", "Risk that core data, important data or large volumes of personal information are stolen, leaked, damaged, illegally used or sent abroad"},
		{"F6", "(Listing) risk of influence, control or malicious use by foreign governments after listing"},
		{"F7", "Other factors that may endanger CII, network or data security"},
	}
}

// Confidence levels of a score.
const (
	ConfidenceLow    = "LOW"
	ConfidenceMedium = "MEDIUM"
	ConfidenceHigh   = "HIGH"
)

// Score is likelihood × impact on 1–5 scales.
type Score struct {
	Likelihood int    `json:"likelihood"`
	Impact     int    `json:"impact"`
	Score      int    `json:"score"`
	Confidence string `json:"confidence"`
}

// NewScore validates and computes a score.
func NewScore(likelihood, impact int, confidence string) (Score, error) {
	if likelihood < 1 || likelihood > 5 || impact < 1 || impact > 5 {
		return Score{}, fmt.Errorf("likelihood %d and impact %d must be 1..5", likelihood, impact)
	}
	confidence = strings.ToUpper(confidence)
	switch confidence {
	case ConfidenceLow, ConfidenceMedium, ConfidenceHigh:
	default:
		return Score{}, fmt.Errorf("confidence %q: want LOW, MEDIUM or HIGH", confidence)
	}
	return Score{Likelihood: likelihood, Impact: impact, Score: likelihood * impact, Confidence: confidence}, nil
}

// Proposal is an automated assessment of a factor, produced from evidence.
type Proposal struct {
	Score
	// Source names the producer (e.g. "scan", "firmware", "supplier").
	Source   string    `json:"source"`
	Summary  string    `json:"summary"`
	Evidence []string  `json:"evidence,omitempty"`
	At       time.Time `json:"at"`
}

// Assessment outcomes: how a reviewer's assessment relates to the proposal.
const (
	OutcomeConfirmed  = "CONFIRMED"  // reviewer accepted the proposal
	OutcomeOverridden = "OVERRIDDEN" // reviewer replaced the proposal
	OutcomeManual     = "MANUAL"     // no proposal existed
)

// Assessment is a reviewer's scoring of a factor, with rationale.
type Assessment struct {
	Score
	Outcome   string    `json:"outcome"`
	Rationale string    `json:"rationale"`
	Evidence  []string  `json:"evidence,omitempty"`
	Actor     string    `json:"actor"`
	At        time.Time `json:"at"`
}

// Factor is one review factor of a case. The proposal and the reviewer's
// assessment are both kept; History keeps superseded assessments.
type Factor struct {
	ID         string       `json:"id"`
	Title      string       `json:"title"`
	Proposal   *Proposal    `json:"proposal,omitempty"`
	Assessment *Assessment  `json:"assessment,omitempty"`
	History    []Assessment `json:"history,omitempty"`
	// Evidence links (sha256 of evidence items) supporting this factor.
	Evidence []string `json:"evidence,omitempty"`
}

// newFactors returns F1..F7 with no scores.
func newFactors() []Factor {
	var fs []Factor
	for _, t := range FactorTitles() {
		fs = append(fs, Factor{ID: t[0], Title: t[1]})
	}
	return fs
}

// AssessInput is a reviewer's assessment of one factor. With Confirm the
// proposal's score is taken; otherwise Likelihood, Impact and Confidence
// give the reviewer's own score (an override when a proposal exists).
type AssessInput struct {
	Factor     string
	Confirm    bool
	Likelihood int
	Impact     int
	Confidence string
	Rationale  string
	Evidence   []string
}

// linkEvidence adds evidence links to f, refusing unknown digests.
func linkEvidence(c *Case, f *Factor, shas []string) error {
	for _, sha := range shas {
		if !c.hasEvidence(sha) {
			return fmt.Errorf("factor %s: case %s has no evidence %s", f.ID, c.ID, sha)
		}
		if !contains(f.Evidence, sha) {
			f.Evidence = append(f.Evidence, sha)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// assess records a reviewer assessment on c.
func assess(c *Case, in AssessInput, actor string, now time.Time) error {
	if err := checkOpen(c, "assess"); err != nil {
		return err
	}
	f, err := c.factor(strings.ToUpper(in.Factor))
	if err != nil {
		return err
	}
	if strings.TrimSpace(in.Rationale) == "" {
		return fmt.Errorf("assess %s: a written rationale is required", f.ID)
	}
	if strings.TrimSpace(actor) == "" {
		return fmt.Errorf("assess %s: an actor is required", f.ID)
	}
	a := Assessment{Rationale: in.Rationale, Actor: actor, At: now, Evidence: in.Evidence}
	switch {
	case in.Confirm && f.Proposal == nil:
		return fmt.Errorf("assess %s: no automated proposal to confirm; give --likelihood and --impact", f.ID)
	case in.Confirm:
		a.Score, a.Outcome = f.Proposal.Score, OutcomeConfirmed
	default:
		s, err := NewScore(in.Likelihood, in.Impact, in.Confidence)
		if err != nil {
			return fmt.Errorf("assess %s: %w", f.ID, err)
		}
		a.Score, a.Outcome = s, OutcomeManual
		if f.Proposal != nil {
			a.Outcome = OutcomeOverridden
		}
	}
	if err := linkEvidence(c, f, in.Evidence); err != nil {
		return err
	}
	if f.Assessment != nil {
		f.History = append(f.History, *f.Assessment)
	}
	f.Assessment = &a
	return nil
}

// propose records an automated proposal on c.
func propose(c *Case, factorID string, p Proposal) error {
	if err := checkOpen(c, "propose"); err != nil {
		return err
	}
	f, err := c.factor(strings.ToUpper(factorID))
	if err != nil {
		return err
	}
	if _, err := NewScore(p.Likelihood, p.Impact, p.Confidence); err != nil {
		return fmt.Errorf("proposal for %s: %w", f.ID, err)
	}
	p.Score.Score = p.Likelihood * p.Impact
	p.Confidence = strings.ToUpper(p.Confidence)
	if strings.TrimSpace(p.Source) == "" {
		return fmt.Errorf("proposal for %s: a source is required", f.ID)
	}
	if err := linkEvidence(c, f, p.Evidence); err != nil {
		return err
	}
	f.Proposal = &p
	return nil
}
