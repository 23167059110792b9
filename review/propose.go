package review

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Signals are the facts evidence producers extract for automated factor
// proposals (review-model §3). Producers fill what they know: the scanner
// the vulnerability counts, the firmware analyser the backdoor-like
// findings and endpoints, the supplier assessment the supply and
// trade-control facts. Zero values mean "nothing found", so Assessed
// flags say which families were actually examined.
type Signals struct {
	// Criticality of the product to the operator's CII, 1..5 (0 means 4:
	// a covered Art. 21 product). It is the impact of F1, F2 and F3.
	Criticality int `json:"criticality,omitempty"`

	// Vulnerability evidence (F1).
	VulnsAssessed     bool `json:"vulns_assessed,omitempty"`
	KEV               int  `json:"kev,omitempty"`                // findings listed in CISA KEV
	Critical          int  `json:"critical,omitempty"`           // findings of CVSS severity critical
	High              int  `json:"high,omitempty"`               // findings of CVSS severity high
	ComponentsTotal   int  `json:"components_total,omitempty"`   // components in the inventory
	ComponentsUnknown int  `json:"components_unknown,omitempty"` // components that could not be assessed

	// Firmware evidence (F1, F5).
	FirmwareAssessed bool `json:"firmware_assessed,omitempty"`
	Backdoor         int  `json:"backdoor,omitempty"`          // hidden accounts, hard-coded credentials, debug/telnet services, unsigned update paths
	Endpoints        int  `json:"endpoints,omitempty"`         // outbound ("phone-home") endpoints found
	ForeignEndpoints int  `json:"foreign_endpoints,omitempty"` // of which outside the operator's jurisdiction

	// Supplier evidence (F2, F3, F5).
	SupplierAssessed bool `json:"supplier_assessed,omitempty"`
	SingleSource     bool `json:"single_source,omitempty"`     // no qualified alternative supplier
	EndOfSupport     bool `json:"end_of_support,omitempty"`    // product or major component past end of support
	RestrictedHits   int  `json:"restricted_hits,omitempty"`   // restricted-party screening matches (vendor or sub-tiers)
	ExportControlled bool `json:"export_controlled,omitempty"` // product or its production tools under export control
	ForeignState     bool `json:"foreign_state,omitempty"`     // foreign-government ownership or control
	RemoteAccess     bool `json:"remote_access,omitempty"`     // vendor has remote access to deployed products
	SBOMIncomplete   bool `json:"sbom_incomplete,omitempty"`   // NTIA minimum elements missing

	// Evidence (SHA-256 of attached items) behind these signals.
	Evidence []string `json:"evidence,omitempty"`
}

// FactorProposal is one automated proposal for a factor.
type FactorProposal struct {
	Factor string
	Proposal
}

// rule raises the likelihood to its level when its condition holds.
type rule struct {
	when       bool
	likelihood int
	reason     string
}

// evaluate returns the highest likelihood of the rules that hold (at least
// 1) and their reasons.
func evaluate(rules []rule) (int, []string) {
	l := 1
	var why []string
	for _, r := range rules {
		if r.when {
			l = max(l, r.likelihood)
			why = append(why, r.reason)
		}
	}
	return l, why
}

// ProposeFactors applies the documented proposal rules (docs/review.md) to
// the signals. Factors whose evidence family was not assessed get no
// proposal; F4, F6 and F7 are always left to the reviewer.
func ProposeFactors(s Signals, source string, now time.Time) []FactorProposal {
	impact := s.Criticality
	if impact < 1 || impact > 5 {
		impact = 4
	}
	var out []FactorProposal
	add := func(id string, l, i int, conf string, why []string) {
		summary := "no adverse signals"
		if len(why) > 0 {
			summary = strings.Join(why, "; ")
		}
		out = append(out, FactorProposal{Factor: id, Proposal: Proposal{
			Score:  Score{Likelihood: l, Impact: i, Score: l * i, Confidence: conf},
			Source: source, Summary: summary, Evidence: s.Evidence, At: now,
		}})
	}
	if s.VulnsAssessed || s.FirmwareAssessed {
		l, why := evaluate([]rule{
			{s.KEV > 0, 5, fmt.Sprintf("%d known-exploited (KEV) vulnerabilities", s.KEV)},
			{s.Backdoor > 0, 5, fmt.Sprintf("%d backdoor-like firmware findings", s.Backdoor)},
			{s.Critical > 0, 4, fmt.Sprintf("%d critical vulnerabilities", s.Critical)},
			{s.High > 0, 3, fmt.Sprintf("%d high vulnerabilities", s.High)},
		})
		add("F1", l, impact, coverage(s), why)
	}
	if s.SupplierAssessed {
		l, why := evaluate([]rule{
			{s.RestrictedHits > 0, 5, fmt.Sprintf("%d restricted-party matches: supply may be cut", s.RestrictedHits)},
			{s.SingleSource, 4, "single source"},
			{s.EndOfSupport, 4, "past end of support"},
		})
		add("F2", l, impact, ConfidenceMedium, why)
		l, why = evaluate([]rule{
			{s.RestrictedHits > 0, 5, fmt.Sprintf("%d restricted-party matches", s.RestrictedHits)},
			{s.ExportControlled, 4, "export-control exposure"},
			{s.ForeignState, 4, "foreign-government ownership or control"},
			{s.SBOMIncomplete, 3, "SBOM lacks NTIA minimum elements"},
		})
		add("F3", l, impact, ConfidenceMedium, why)
	}
	if s.FirmwareAssessed || s.SupplierAssessed {
		l, why := evaluate([]rule{
			{s.ForeignEndpoints > 0, 4, fmt.Sprintf("%d outbound endpoints abroad", s.ForeignEndpoints)},
			{s.RemoteAccess, 4, "vendor remote access"},
			{s.Endpoints > 0, 3, fmt.Sprintf("%d outbound endpoints", s.Endpoints)},
		})
		conf := ConfidenceMedium
		if s.FirmwareAssessed && s.SupplierAssessed {
			conf = ConfidenceHigh
		}
		add("F5", l, max(impact, 4), conf, why)
	}
	return out
}

// coverage rates confidence in F1 by the share of components assessed.
func coverage(s Signals) string {
	switch {
	case !s.VulnsAssessed:
		return ConfidenceLow
	case s.ComponentsTotal == 0 || s.ComponentsUnknown*2 > s.ComponentsTotal:
		return ConfidenceLow
	case s.ComponentsUnknown > 0:
		return ConfidenceMedium
	}
	return ConfidenceHigh
}

// ApplySignals records the automated proposals for the signals in one
// change. Reviewer assessments are untouched.
func (s *Service) ApplySignals(ctx context.Context, id, source string, sig Signals, ev Event) (*Case, error) {
	return s.mutate(ctx, id, "case.propose", ev, func(c *Case, now time.Time) (any, error) {
		props := ProposeFactors(sig, source, now)
		ids := make([]string, 0, len(props))
		for _, p := range props {
			if err := propose(c, p.Factor, p.Proposal); err != nil {
				return nil, err
			}
			ids = append(ids, p.Factor)
		}
		return map[string]any{"source": source, "factors": ids, "signals": sig}, nil
	})
}

// MaxSignalsBytes bounds a signals file read by ParseSignals.
const MaxSignalsBytes = 1 << 20

// ParseSignals reads a signals JSON document (the fields of Signals in
// snake_case; unknown fields are refused). name is used in errors.
func ParseSignals(name string, data []byte) (Signals, error) {
	if len(data) > MaxSignalsBytes {
		return Signals{}, fmt.Errorf("%s: %d bytes exceeds limit %d", name, len(data), MaxSignalsBytes)
	}
	var sig Signals
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sig); err != nil {
		return Signals{}, fmt.Errorf("%s: parse signals: %w", name, err)
	}
	if sig.Criticality < 0 || sig.Criticality > 5 {
		return Signals{}, fmt.Errorf("%s: criticality %d out of range 0..5", name, sig.Criticality)
	}
	for _, n := range []int{sig.KEV, sig.Critical, sig.High, sig.ComponentsTotal, sig.ComponentsUnknown, sig.Backdoor, sig.Endpoints, sig.ForeignEndpoints, sig.RestrictedHits} {
		if n < 0 {
			return Signals{}, fmt.Errorf("%s: negative count", name)
		}
	}
	return sig, nil
}
