package review

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	c := must(s.Create(ctx, CreateInput{Trigger: TriggerExOfficio, Scope: Scope{Vendor: "V"}, Event: ev("2024-01-02", "")}))(t)
	items := []EvidenceInput{
		{Name: "public-cert.pdf", Confidentiality: "PUBLIC"},
		{Name: "design.pdf", Confidentiality: "TRADE_SECRET"},
		{Name: "pentest.pdf", Confidentiality: "CONFIDENTIAL", Consent: "MEMBER_UNITS"},
		{Name: "questionnaire.txt", Confidentiality: "INTERNAL"},
	}
	for i, in := range items {
		if _, _, err := s.Attach(ctx, c.ID, strings.NewReader(in.Name), in, ev("", "")); err != nil {
			t.Fatalf("item %d: %v", i, err)
		}
	}
	must(s.Advance(ctx, c.ID, StateOpinions, ev("2024-02-01", "")))(t)
	must(s.Decide(ctx, c.ID, DecideInput{Outcome: NotPassed, Statement: "serious hidden risks"}, ev("2024-02-05", "internal rationale")))(t)
	r := must(s.Report(ctx, c.ID))(t)
	tests := []struct {
		audience string
		visible  []string
	}{
		{"office", []string{"public-cert.pdf", "design.pdf", "pentest.pdf", "questionnaire.txt"}},
		{"member-units", []string{"public-cert.pdf", "pentest.pdf", "questionnaire.txt"}},
		{"operator", []string{"public-cert.pdf", "questionnaire.txt"}},
		{"public", nil},
	}
	for _, tt := range tests {
		t.Run(tt.audience, func(t *testing.T) {
			red, err := r.Redact(tt.audience)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(red)
			for _, in := range items {
				want := false
				for _, v := range tt.visible {
					want = want || v == in.Name
				}
				if got := strings.Contains(string(b), in.Name); got != want {
					t.Errorf("%s visible = %v, want %v", in.Name, got, want)
				}
			}
			if red.RedactedEvidence != len(items)-len(tt.visible) {
				t.Errorf("redacted %d", red.RedactedEvidence)
			}
			if tt.audience == "public" {
				if strings.Contains(string(b), "internal rationale") || len(red.Factors) != 0 || red.Decision.Statement != "serious hidden risks" {
					t.Errorf("public report: %s", b)
				}
			}
		})
	}
	if len(r.Case.Evidence[1].Name) == 0 {
		t.Error("redaction changed the original report")
	}
	if _, err := r.Redact("press"); err == nil {
		t.Error("unknown audience accepted")
	}
}

// TestRedactOperatorOwnEvidence checks that the applicant operator sees
// the confidential items it issued itself, and only those.
func TestRedactOperatorOwnEvidence(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	c := must(s.Create(ctx, CreateInput{Trigger: TriggerApplication, Scope: Scope{Operator: "Grid Co", Vendor: "Acme Networks"},
		Event: ev("2024-01-02", "")}))(t)
	items := []EvidenceInput{
		{Name: "procurement-plan.pdf", Issuer: " grid co", Confidentiality: "CONFIDENTIAL"},
		{Name: "acme-design.pdf", Issuer: "Acme Networks", Confidentiality: "TRADE_SECRET"},
		{Name: "unsigned.pdf", Confidentiality: "CONFIDENTIAL"},
	}
	for i, in := range items {
		if _, _, err := s.Attach(ctx, c.ID, strings.NewReader(in.Name), in, ev("", "")); err != nil {
			t.Fatalf("item %d: %v", i, err)
		}
	}
	r := must(s.Report(ctx, c.ID))(t)
	for aud, want := range map[string][]bool{"operator": {true, false, false}, "member-units": {false, false, false}} {
		red, err := r.Redact(aud)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(red)
		for i, in := range items {
			if got := strings.Contains(string(b), in.Name); got != want[i] {
				t.Errorf("%s: %s visible = %v, want %v", aud, in.Name, got, want[i])
			}
		}
	}
}
