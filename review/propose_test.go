package review

import (
	"context"
	"testing"
	"time"
)

func TestProposeFactors(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	type want struct {
		likelihood, impact int
		confidence         string
	}
	tests := []struct {
		name string
		sig  Signals
		want map[string]want
	}{
		{"nothing assessed", Signals{}, map[string]want{}},
		{"clean scan, full coverage", Signals{VulnsAssessed: true, ComponentsTotal: 10},
			map[string]want{"F1": {1, 4, ConfidenceHigh}}},
		{"KEV in a core router", Signals{VulnsAssessed: true, KEV: 2, Critical: 5, ComponentsTotal: 10, ComponentsUnknown: 2, Criticality: 5},
			map[string]want{"F1": {5, 5, ConfidenceMedium}}},
		{"critical only, mostly unassessed", Signals{VulnsAssessed: true, Critical: 1, ComponentsTotal: 10, ComponentsUnknown: 6},
			map[string]want{"F1": {4, 4, ConfidenceLow}}},
		{"firmware backdoor and phone-home", Signals{FirmwareAssessed: true, Backdoor: 1, Endpoints: 2},
			map[string]want{"F1": {5, 4, ConfidenceLow}, "F5": {3, 4, ConfidenceMedium}}},
		{"restricted single-source vendor", Signals{SupplierAssessed: true, RestrictedHits: 1, SingleSource: true, RemoteAccess: true},
			map[string]want{"F2": {5, 4, ConfidenceMedium}, "F3": {5, 4, ConfidenceMedium}, "F5": {4, 4, ConfidenceMedium}}},
		{"export control only", Signals{SupplierAssessed: true, ExportControlled: true, Criticality: 3},
			map[string]want{"F2": {1, 3, ConfidenceMedium}, "F3": {4, 3, ConfidenceMedium}, "F5": {1, 4, ConfidenceMedium}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]want{}
			for _, p := range ProposeFactors(tt.sig, "test", now) {
				got[p.Factor] = want{p.Likelihood, p.Impact, p.Confidence}
				if p.Score.Score != p.Likelihood*p.Impact || p.Summary == "" {
					t.Errorf("%s: %+v", p.Factor, p.Proposal)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for id, w := range tt.want {
				if got[id] != w {
					t.Errorf("%s = %+v, want %+v", id, got[id], w)
				}
			}
		})
	}
}

func TestApplySignals(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	c := must(s.Create(ctx, CreateInput{Trigger: TriggerExOfficio, Scope: Scope{Vendor: "V"}, Event: ev("2024-01-02", "")}))(t)
	must(s.Assess(ctx, c.ID, AssessInput{Factor: "F1", Likelihood: 2, Impact: 2, Confidence: "LOW", Rationale: "early view"}, ev("", "")))(t)
	sig, err := ParseSignals("sig.json", []byte(`{"vulns_assessed":true,"kev":1,"components_total":3}`))
	if err != nil {
		t.Fatal(err)
	}
	c = must(s.ApplySignals(ctx, c.ID, "scan", sig, ev("", "")))(t)
	f := c.Factors[0]
	if f.Proposal == nil || f.Proposal.Likelihood != 5 || f.Proposal.Source != "scan" || f.Assessment.Likelihood != 2 {
		t.Errorf("F1 %+v / %+v", f.Proposal, f.Assessment)
	}
	for _, bad := range []string{`{"kev":-1}`, `{"criticality":9}`, `{"unknown":1}`, `[`} {
		if _, err := ParseSignals("bad.json", []byte(bad)); err == nil {
			t.Errorf("ParseSignals(%s) accepted", bad)
		}
	}
}

func FuzzParseSignals(f *testing.F) {
	f.Add([]byte(`{"vulns_assessed":true,"kev":1,"critical":2,"components_total":3,"evidence":["ab"]}`))
	f.Add([]byte(`{"supplier_assessed":true,"restricted_hits":1,"single_source":true,"criticality":5}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sig, err := ParseSignals("fuzz.json", data)
		if err != nil {
			return
		}
		for _, p := range ProposeFactors(sig, "fuzz", time.Time{}) {
			if _, err := NewScore(p.Likelihood, p.Impact, p.Confidence); err != nil {
				t.Fatalf("invalid proposal %+v: %v", p, err)
			}
		}
	})
}
