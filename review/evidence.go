package review

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/assayhq/assay/calendar"
)

// EvidenceTypes lists the evidence types (review-model §6).
func EvidenceTypes() []string {
	return []string{"SBOM", "VEX", "SCAN", "FIRMWARE_ANALYSIS", "SUPPLIER_PROFILE", "QUESTIONNAIRE",
		"CERTIFICATE", "TEST_REPORT", "PENTEST", "SOURCE_AUDIT", "OWNERSHIP", "APPLICATION", "OTHER"}
}

// ConfidentialityClasses lists the confidentiality classes (Art. 17: trade
// secrets, personal information and unpublished submitted materials stay
// confidential).
func ConfidentialityClasses() []string {
	return []string{"PUBLIC", "INTERNAL", "CONFIDENTIAL", "TRADE_SECRET", "PERSONAL_INFORMATION"}
}

// ConsentScopes lists the uses a supplier can consent to (Art. 17: no use
// outside the review without the supplier's consent).
func ConsentScopes() []string {
	return []string{"THIS_REVIEW", "REVIEW_AND_MONITORING", "MEMBER_UNITS", "PUBLIC"}
}

// Evidence is one content-addressed evidence item of a case.
type Evidence struct {
	SHA256          string    `json:"sha256"`
	Size            int64     `json:"size"`
	Name            string    `json:"name"`
	Type            string    `json:"type"`
	Issuer          string    `json:"issuer,omitempty"`
	Supplier        string    `json:"supplier,omitempty"`
	Date            string    `json:"date,omitempty"`
	ValidUntil      string    `json:"valid_until,omitempty"`
	Confidentiality string    `json:"confidentiality"`
	Consent         string    `json:"consent"`
	Factors         []string  `json:"factors,omitempty"`
	AddedBy         string    `json:"added_by,omitempty"`
	AddedAt         time.Time `json:"added_at,omitzero"`
	// Redacted is set in reports for an audience that may not see the
	// item's details (see Report.Redact).
	Redacted bool `json:"redacted,omitempty"`
}

// EvidenceInput describes an item to attach; the content comes separately.
type EvidenceInput struct {
	Name            string
	Type            string
	Issuer          string
	Supplier        string
	Date            string
	ValidUntil      string
	Confidentiality string
	Consent         string
	Factors         []string
}

func oneOf(what, v string, allowed []string) (string, error) {
	v = strings.ToUpper(strings.TrimSpace(v))
	if !slices.Contains(allowed, v) {
		return "", fmt.Errorf("%s %q: want one of %s", what, v, strings.Join(allowed, ", "))
	}
	return v, nil
}

// newEvidence validates in and builds the evidence record.
func newEvidence(in EvidenceInput, sha string, size int64, actor string, now time.Time) (Evidence, error) {
	e := Evidence{SHA256: sha, Size: size, Name: in.Name, Issuer: in.Issuer, Supplier: in.Supplier, Date: in.Date,
		ValidUntil: in.ValidUntil, AddedBy: actor, AddedAt: now}
	for what, d := range map[string]string{"evidence date": in.Date, "valid-until date": in.ValidUntil} {
		if d != "" {
			if _, err := calendar.ParseDate(d); err != nil {
				return e, fmt.Errorf("%s: %w", what, err)
			}
		}
	}
	var err error
	if in.Type == "" {
		in.Type = "OTHER"
	}
	if in.Confidentiality == "" {
		in.Confidentiality = "CONFIDENTIAL"
	}
	if in.Consent == "" {
		in.Consent = "THIS_REVIEW"
	}
	if e.Type, err = oneOf("evidence type", in.Type, EvidenceTypes()); err != nil {
		return e, err
	}
	if e.Confidentiality, err = oneOf("confidentiality", in.Confidentiality, ConfidentialityClasses()); err != nil {
		return e, err
	}
	if e.Consent, err = oneOf("consent scope", in.Consent, ConsentScopes()); err != nil {
		return e, err
	}
	for _, f := range in.Factors {
		e.Factors = append(e.Factors, strings.ToUpper(f))
	}
	return e, nil
}

// attach adds e to c and links it to its factors.
func attach(c *Case, e Evidence) error {
	if err := checkOpen(c, "attach evidence"); err != nil {
		return err
	}
	if c.hasEvidence(e.SHA256) {
		return fmt.Errorf("case %s already holds evidence %s", c.ID, e.SHA256)
	}
	for _, id := range e.Factors {
		if _, err := c.factor(id); err != nil {
			return err
		}
	}
	c.Evidence = append(c.Evidence, e)
	for _, id := range e.Factors {
		f, _ := c.factor(id)
		if err := linkEvidence(c, f, []string{e.SHA256}); err != nil {
			return err
		}
	}
	return nil
}
