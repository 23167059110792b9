package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/mirrortest"
)

func TestCaseReportCLI(t *testing.T) {
	home := t.TempDir()
	mustReviewCLI(t, home, "calendar", "update", "--mirror", filepath.Join(mirrortest.SupplierDir(t), "calendars"))
	id := strings.TrimSpace(mustReviewCLI(t, home, "case", "create", "--trigger", "EX_OFFICIO", "--vendor", "Example <Storage> Co",
		"--product", "Vault@7.4", "--date", "2025-03-03", "--reason", "Central Commission approval"))
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	scanDoc := `{"schema":"assay.scan/v1","targets":[{"path":"sbom.json","kind":"sbom","components":10,"assessed":10,"unassessed":[]}],
"findings":[{"id":"CVE-2023-4966","severity":{"level":"critical","score":9.4},"kev":{"cve":"CVE-2023-4966"},"component":{"name":"netscaler","version":"13.1"},"suppressed":null}]}`
	mustReviewCLI(t, home, "case", "attach", id, write("scan.json", scanDoc), "--type", "SCAN", "--confidentiality", "INTERNAL", "--factor", "F1")
	secret := strings.Replace(scanDoc, "CVE-2023-4966", "CVE-2099-7777", 1)
	mustReviewCLI(t, home, "case", "attach", id, write("secret-scan.json", secret), "--type", "SCAN", "--confidentiality", "TRADE_SECRET")

	htmlPath := filepath.Join(dir, "r.html")
	mustReviewCLI(t, home, "case", "report", id, "-o", htmlPath)
	page, err := os.ReadFile(htmlPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(page), "<!DOCTYPE html>") || !strings.Contains(string(page), "CVE-2099-7777") ||
		!strings.Contains(string(page), "Example &lt;Storage&gt; Co") || !strings.Contains(string(page), "assay.audit/v1") {
		t.Errorf("html report: %.300s", page)
	}
	if fi, err := os.Stat(htmlPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("confidential report mode %v, %v", fi.Mode(), err)
	}
	pdfPath := filepath.Join(dir, "r.pdf")
	mustReviewCLI(t, home, "case", "report", id, "--format", "pdf", "--output", pdfPath, "--audience", "applicant")
	if b, err := os.ReadFile(pdfPath); err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Errorf("pdf report: %v", err)
	}
	// PDF to standard output is fine when it is not a terminal.
	if out := mustReviewCLI(t, home, "case", "report", id, "--format", "pdf"); !strings.HasPrefix(out, "%PDF-") {
		t.Errorf("pdf to stdout: %.20q", out)
	}
	var doc struct {
		Schema   string `json:"schema"`
		Audience string `json:"audience"`
		Marking  struct{ Label string }
		Findings []struct {
			Name     string `json:"name"`
			Verified bool   `json:"verified"`
			Scan     struct{ KEV int }
		} `json:"evidence_findings"`
	}
	out := mustReviewCLI(t, home, "case", "report", id, "--audience", "applicant")
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "assay.case/v1" || doc.Audience != "OPERATOR" || len(doc.Findings) != 1 || !doc.Findings[0].Verified ||
		doc.Findings[0].Scan.KEV != 1 || strings.Contains(out, "CVE-2099-7777") || strings.Contains(out, "secret-scan.json") {
		t.Errorf("applicant json: %s", out)
	}
	if out := mustReviewCLI(t, home, "case", "report", id, "--format", "text"); !strings.Contains(out, "CONFIDENTIAL") || !strings.Contains(out, "1 KEV") {
		t.Errorf("text: %s", out)
	}
	for _, args := range [][]string{{"--format", "docx"}, {"--audience", "vendor"}} {
		if _, err := reviewCLI(t, home, append([]string{"case", "report", id}, args...)...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
