package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/mirrortest"
)

func TestCaseProposeFrom(t *testing.T) {
	home := t.TempDir()
	mustReviewCLI(t, home, "calendar", "update", "--mirror", filepath.Join(mirrortest.SupplierDir(t), "calendars"))
	id := strings.TrimSpace(mustReviewCLI(t, home, "case", "create", "--trigger", "EX_OFFICIO", "--vendor", "Bramblecrest Systems Ltd.",
		"--date", "2026-10-12", "--reason", "approval"))
	td := filepath.Join("..", "..", "review", "signals", "testdata")
	scanDoc := filepath.Join(td, "scan-requirements.json")
	fw := filepath.Join(td, "scan-firmware-answers.json")
	sup := filepath.Join(td, "supplier-bramblecrest.json")
	// The scan result is already attached: it is linked, not attached twice.
	scanSHA := strings.TrimSpace(mustReviewCLI(t, home, "case", "attach", id, scanDoc, "--type", "SCAN"))

	type report struct {
		Evidence []struct {
			SHA256, Type, Name string
			Factors            []string
		} `json:"evidence"`
		Factors []struct {
			ID       string `json:"id"`
			Proposal *struct {
				Likelihood, Impact int
				Source, Summary    string
				Evidence           []string
			} `json:"proposal"`
		} `json:"factors"`
	}
	read := func() report {
		var r report
		if err := json.Unmarshal([]byte(mustReviewCLI(t, home, "case", "report", id, "--format", "json")), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	for range 2 { // a second run re-proposes without attaching again
		mustReviewCLI(t, home, "case", "propose", id, "--from", scanDoc, "--from", fw, "--from", sup, "--criticality", "5", "--actor", "assay")
	}
	r := read()
	if len(r.Evidence) != 3 {
		t.Fatalf("evidence %+v, want 3 items", r.Evidence)
	}
	types := map[string]string{}
	for _, e := range r.Evidence {
		types[e.Name] = e.Type
	}
	if types["scan-firmware-answers.json"] != "FIRMWARE_ANALYSIS" || types["supplier-bramblecrest.json"] != "SUPPLIER_PROFILE" {
		t.Errorf("evidence types %v", types)
	}
	fwSHA, supSHA := r.Evidence[1].SHA256, r.Evidence[2].SHA256
	want := map[string]struct {
		l, i int
		ev   []string
	}{
		"F1": {5, 5, []string{scanSHA, fwSHA}},
		"F2": {4, 5, []string{supSHA}},
		"F3": {4, 5, []string{supSHA}},
		"F5": {3, 5, []string{fwSHA, supSHA}},
	}
	for _, f := range r.Factors {
		w, ok := want[f.ID]
		switch {
		case !ok && f.Proposal != nil:
			t.Errorf("%s: unexpected proposal %+v", f.ID, f.Proposal)
		case ok && f.Proposal == nil:
			t.Errorf("%s: no proposal", f.ID)
		case ok && (f.Proposal.Likelihood != w.l || f.Proposal.Impact != w.i || !slices.Equal(f.Proposal.Evidence, w.ev) ||
			f.Proposal.Source != "assay vulns+firmware+supplier"):
			t.Errorf("%s: proposal %+v, want L%d I%d evidence %v", f.ID, f.Proposal, w.l, w.i, w.ev)
		}
	}

	bad := filepath.Join(t.TempDir(), "case.json")
	if err := os.WriteFile(bad, []byte(`{"schema":"assay.case/v1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--from", filepath.Join(td, "supplier-northwind.json"), "--from", bad},
		{"--from", filepath.Join(td, "missing.json")},
		{"--from", scanDoc, "--signals", scanDoc},
		{"--from", scanDoc, "--criticality", "6"},
	} {
		if _, err := reviewCLI(t, home, append([]string{"case", "propose", id}, args...)...); err == nil {
			t.Errorf("propose %v: no error", args)
		}
	}
	if got := len(read().Evidence); got != 3 {
		t.Errorf("failed proposals attached evidence: %d items", got)
	}
}
