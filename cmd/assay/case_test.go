package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/mirrortest"
)

// reviewCLI runs assay with args against home and returns stdout.
func reviewCLI(t *testing.T, home string, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"--home", home}, args...))
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func mustReviewCLI(t *testing.T, home string, args ...string) string {
	t.Helper()
	out, err := reviewCLI(t, home, args...)
	if err != nil {
		t.Fatalf("assay %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func TestCalendarCLI(t *testing.T) {
	url := mirrortest.Serve(t, filepath.Join(mirrortest.SupplierDir(t), "calendars"))
	home := t.TempDir()
	mustReviewCLI(t, home, "calendar", "update", "--mirror", url)
	if got := mustReviewCLI(t, home, "calendar", "add", "2023-09-28", "1", "--calendar", "cn"); got != "2023-10-07\n" {
		t.Errorf("add = %q", got)
	}
	if got := mustReviewCLI(t, home, "calendar", "between", "2023-03-31", "2023-05-21", "--calendar", "cn"); got != "33\n" {
		t.Errorf("between = %q", got)
	}
	if got := mustReviewCLI(t, home, "calendar", "add", "2021-06-17", "1", "--calendar", "us"); got != "2021-06-21\n" {
		t.Errorf("us add = %q", got)
	}
	if _, err := reviewCLI(t, home, "calendar", "add", "2023-13-01", "1"); err == nil {
		t.Error("bad date accepted")
	}
}

func TestCaseCLI(t *testing.T) {
	dir := filepath.Join(mirrortest.SupplierDir(t), "calendars")
	home := t.TempDir()
	mustReviewCLI(t, home, "calendar", "update", "--mirror", dir)
	id := strings.TrimSpace(mustReviewCLI(t, home, "case", "create", "--trigger", "APPLICATION", "--vendor", "Acme Networks",
		"--operator", "Grid Co", "--product", "EdgeRouter@2.1,2.2", "--date", "2024-02-20", "--actor", "op"))
	if id != "CR-0001" {
		t.Fatalf("id %q", id)
	}
	evidence := filepath.Join(t.TempDir(), "questionnaire.txt")
	if err := os.WriteFile(evidence, []byte("SR-6 questionnaire answers"), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := [][]string{
		{"case", "submit", id, "--date", "2024-02-26"},
		{"case", "accept", id, "--date", "2024-03-01"},
		{"case", "pause", id, "--date", "2024-03-05", "--reason", "contract requested"},
		{"case", "resume", id, "--date", "2024-03-08"},
		{"case", "advance", id, "--to", "INITIAL_REVIEW", "--date", "2024-03-18"},
		{"case", "advance", id, "--extend", "--date", "2024-04-01", "--reason", "complex"},
		{"case", "propose", id, "--factor", "F2", "--likelihood", "3", "--impact", "4", "--source", "supplier"},
		{"case", "assess", id, "--factor", "F2", "--likelihood", "2", "--impact", "4", "--confidence", "HIGH", "--rationale", "second source qualified"},
		{"case", "advance", id, "--to", "OPINIONS", "--date", "2024-05-20"},
		{"case", "opinion", id, "--from", "MIIT", "--position", "AGREE", "--date", "2024-05-27"},
		{"case", "decide", id, "--outcome", "PASSED_WITH_COMMITMENTS", "--date", "2024-06-03", "--reason", "mitigated",
			"--commitment", "PATCH_SLA:2025-12-31:Fix critical vulnerabilities within 30 days"},
		{"case", "advance", id, "--to", "MONITORING", "--date", "2024-06-04"},
	}
	sha := strings.TrimSpace(mustReviewCLI(t, home, "case", "attach", id, evidence, "--type", "QUESTIONNAIRE", "--factor", "F3"))
	if len(sha) != 64 {
		t.Fatalf("attach printed %q", sha)
	}
	signals := filepath.Join(t.TempDir(), "signals.json")
	if err := os.WriteFile(signals, []byte(`{"vulns_assessed":true,"kev":1,"components_total":4}`), 0o644); err != nil {
		t.Fatal(err)
	}
	steps = append([][]string{{"case", "propose", id, "--signals", signals, "--source", "scan"}}, steps...)
	for _, s := range steps {
		mustReviewCLI(t, home, s...)
	}
	if _, err := reviewCLI(t, home, "case", "advance", id, "--to", "OPINIONS"); err == nil || !strings.Contains(err.Error(), "invalid transition") {
		t.Errorf("invalid transition: %v", err)
	}
	var r struct {
		Schema  string `json:"schema"`
		Factors []struct {
			ID         string          `json:"id"`
			Proposal   json.RawMessage `json:"proposal"`
			Assessment struct {
				Outcome string `json:"outcome"`
			} `json:"assessment"`
			Evidence []string `json:"evidence"`
		} `json:"factors"`
		Decision struct {
			Outcome string `json:"outcome"`
		} `json:"decision"`
		Deadlines []struct {
			State, Due, Status string
		} `json:"deadlines"`
	}
	if err := json.Unmarshal([]byte(mustReviewCLI(t, home, "case", "report", id, "--format", "json")), &r); err != nil {
		t.Fatal(err)
	}
	if r.Schema != "assay.case/v1" || len(r.Factors) != 7 || r.Decision.Outcome != "PASSED_WITH_COMMITMENTS" {
		t.Errorf("report: %+v", r)
	}
	if r.Factors[1].Assessment.Outcome != "OVERRIDDEN" || len(r.Factors[1].Proposal) == 0 || len(r.Factors[2].Evidence) != 1 {
		t.Errorf("factors: %+v", r.Factors[:3])
	}
	if len(r.Factors[0].Proposal) == 0 {
		t.Error("F1 proposal from signals missing")
	}
	if len(r.Deadlines) != 3 || r.Deadlines[0].Due != "2024-03-20" || r.Deadlines[1].Due != "2024-05-22" {
		t.Errorf("deadlines: %+v", r.Deadlines)
	}
	if out := mustReviewCLI(t, home, "case", "report", id, "--format", "json", "--audience", "public"); strings.Contains(out, "questionnaire") || !strings.Contains(out, `"audience": "PUBLIC"`) {
		t.Errorf("public report: %s", out)
	}
	if out := mustReviewCLI(t, home, "case", "list"); !strings.Contains(out, "MONITORING") {
		t.Errorf("list: %s", out)
	}
	if out := mustReviewCLI(t, home, "audit", "verify"); !strings.Contains(out, "15 records") {
		t.Errorf("verify: %s", out)
	}
	if got := strings.TrimSpace(mustReviewCLI(t, home, "case", "breach", id, "--commitment", "C1", "--reason", "late fix", "--date", "2024-07-01")); got != "CR-0002" {
		t.Errorf("breach reopened as %q", got)
	}
	cp := filepath.Join(t.TempDir(), "ckpt")
	if err := os.WriteFile(cp, []byte(mustReviewCLI(t, home, "audit", "checkpoint")), 0o644); err != nil {
		t.Fatal(err)
	}
	mustReviewCLI(t, home, "audit", "verify", "--checkpoint", cp)
	if out := mustReviewCLI(t, home, "case", "restrictions", "--format", "json"); !strings.Contains(out, `"schema": "assay.restrictions/v1"`) {
		t.Errorf("restrictions: %s", out)
	}
	// Changing an evidence file behind the store's back fails verification.
	blob := filepath.Join(home, "evidence", "sha256", sha[:2], sha)
	if err := os.Chmod(blob, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blob, []byte("forged answers"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := reviewCLI(t, home, "audit", "verify"); !errors.As(err, new(*policyError)) {
		t.Errorf("tampered evidence: err = %v, want a policy failure", err)
	}
	other := t.TempDir()
	mustReviewCLI(t, other, "case", "create", "--trigger", "APPLICATION", "--vendor", "X")
	_, err := reviewCLI(t, other, "audit", "verify", "--checkpoint", cp)
	var pe *policyError
	if !errors.As(err, &pe) {
		t.Errorf("foreign checkpoint: err = %v, want a policy failure (exit 1)", err)
	}
}
