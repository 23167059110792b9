package review

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Audiences of a report (Art. 17: non-public material submitted by the
// supplier goes to nobody outside the review without its consent).
const (
	// AudienceOffice is the review office: everything.
	AudienceOffice = "OFFICE"
	// AudienceMemberUnits are the member units and protection departments
	// consulted for opinions.
	AudienceMemberUnits = "MEMBER_UNITS"
	// AudienceOperator is the applicant CII operator.
	AudienceOperator = "OPERATOR"
	// AudiencePublic gets the conclusion only, as published.
	AudiencePublic = "PUBLIC"
)

// Audiences lists the report audiences.
func Audiences() []string {
	return []string{AudienceOffice, AudienceMemberUnits, AudienceOperator, AudiencePublic}
}

// visibleTo reports whether the details of evidence e may be shown to the
// audience: always to the office; to others when the item is not
// confidential (PUBLIC or INTERNAL class) or the supplier consented. The
// applicant operator always sees the items it issued itself: Art. 17
// protects the supplier's material, not the applicant's own.
func visibleTo(e Evidence, audience, operator string) bool {
	if audience == AudienceOffice || e.Consent == "PUBLIC" {
		return true
	}
	if audience == AudienceOperator && operator != "" && strings.EqualFold(strings.TrimSpace(e.Issuer), strings.TrimSpace(operator)) {
		return true
	}
	if audience == AudiencePublic {
		return e.Confidentiality == "PUBLIC"
	}
	if e.Confidentiality == "PUBLIC" || e.Confidentiality == "INTERNAL" {
		return true
	}
	return audience == AudienceMemberUnits && e.Consent == "MEMBER_UNITS"
}

// Redact returns a copy of the report for the audience. Evidence the
// audience may not see keeps only its digest, type and classes
// (redacted: true); the public copy keeps the conclusion only: scope,
// state, decision and restriction, without factors, evidence, opinions,
// transitions or deadlines.
func (r *Report) Redact(audience string) (*Report, error) {
	audience = strings.ToUpper(strings.ReplaceAll(audience, "-", "_"))
	if !slices.Contains(Audiences(), audience) {
		return nil, fmt.Errorf("audience %q: want one of %s", audience, strings.Join(Audiences(), ", "))
	}
	b, err := json.Marshal(r.Case)
	if err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	var c Case
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	out := *r
	out.Case, out.Audience = &c, audience
	for i, e := range c.Evidence {
		if !visibleTo(e, audience, c.Scope.Operator) {
			c.Evidence[i] = Evidence{SHA256: e.SHA256, Size: e.Size, Type: e.Type, Confidentiality: e.Confidentiality,
				Consent: e.Consent, Factors: e.Factors, Redacted: true}
			out.RedactedEvidence++
		}
	}
	if audience == AudiencePublic {
		c.Factors, c.Evidence, c.Opinions, c.Transitions, c.Stages = []Factor{}, nil, nil, []Transition{}, nil
		c.CreatedBy = ""
		if c.Decision != nil {
			c.Decision.Rationale, c.Decision.Actor = "", ""
		}
		out.Deadlines, out.RedactedEvidence = []Deadline{}, len(r.Case.Evidence)
		out.ElapsedWorkingDays, out.DeadlinesError = 0, ""
	}
	return &out, nil
}
