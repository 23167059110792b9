package report

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/assayhq/assay/review"
)

// MaxEvidenceParseBytes bounds an evidence document read back for the
// findings tables; larger items are listed as not summarised.
const MaxEvidenceParseBytes = 64 << 20

// TopFindings is how many findings of each document the report lists.
const TopFindings = 15

// Document schemas the findings tables understand.
const (
	scanSchema     = "assay.scan/v1"
	supplierSchema = "assay.supplier-assessment/v1"
)

// findingsType reports whether evidence of this type may hold a findings
// document worth reading back.
func findingsType(t string) bool {
	return t == "SCAN" || t == "FIRMWARE_ANALYSIS" || t == "SUPPLIER_PROFILE"
}

// EvidenceFindings summarises one findings document attached as evidence.
type EvidenceFindings struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Schema string `json:"schema,omitempty"`
	// Verified is true when the content read back hashed to SHA256.
	Verified bool `json:"verified"`
	// Error says why the item could not be summarised.
	Error    string          `json:"error,omitempty"`
	Scan     *ScanSummary    `json:"scan,omitempty"`
	Supplier *SupplierDigest `json:"supplier,omitempty"`
}

// Count is a number of items at one severity or decision.
type Count struct {
	Level string `json:"level"`
	Count int    `json:"count"`
}

// ScanSummary digests an assay.scan/v1 document (a scan, or a firmware
// analysis with its hidden problems).
type ScanSummary struct {
	Targets     int          `json:"targets"`
	Components  int          `json:"components"`
	Unassessed  int          `json:"unassessed"`
	Findings    int          `json:"findings"`
	Suppressed  int          `json:"suppressed"`
	KEV         int          `json:"kev"`
	BySeverity  []Count      `json:"by_severity"`
	Top         []TopFinding `json:"top,omitempty"`
	Problems    int          `json:"problems"`
	ProblemsBy  []Count      `json:"problems_by_severity,omitempty"`
	TopProblems []Problem    `json:"top_problems,omitempty"`
}

// TopFinding is one vulnerability finding listed in the report.
type TopFinding struct {
	ID        string  `json:"id"`
	Severity  string  `json:"severity"`
	Score     float64 `json:"score"`
	KEV       bool    `json:"kev"`
	Component string  `json:"component"`
	Version   string  `json:"version"`
	Fixed     string  `json:"fixed,omitempty"`
	Summary   string  `json:"summary,omitempty"`
}

// Problem is one hidden problem of a firmware analysis.
type Problem struct {
	Category   string `json:"category"`
	Severity   string `json:"severity"`
	Confidence string `json:"confidence,omitempty"`
	Path       string `json:"path,omitempty"`
	Detail     string `json:"detail,omitempty"`
}

// SupplierDigest digests an assay.supplier-assessment/v1 document.
type SupplierDigest struct {
	Vendor     string        `json:"vendor"`
	Decision   string        `json:"decision"`
	Screenings []Count       `json:"screenings_by_decision"`
	Flagged    []FlaggedFact `json:"flagged,omitempty"`
	Factors    []FactorLevel `json:"factors,omitempty"`
	Export     int           `json:"export_control_findings"`
	EOL        int           `json:"end_of_life_entries"`
}

// FlaggedFact is a screened party that did not come out clear.
type FlaggedFact struct {
	Role     string `json:"role"`
	Subject  string `json:"subject"`
	Decision string `json:"decision"`
	Matches  int    `json:"matches"`
}

// FactorLevel is the supplier assessment's level for one review factor.
type FactorLevel struct {
	Factor   string   `json:"factor"`
	Level    string   `json:"level"`
	Evidence []string `json:"evidence,omitempty"`
}

// Headline is a one-line summary of the document.
func (ef EvidenceFindings) Headline() string {
	switch {
	case ef.Error != "":
		return "not summarised: " + ef.Error
	case ef.Scan != nil:
		s := ef.Scan
		var parts []string
		for _, c := range s.BySeverity {
			if c.Count > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", c.Count, c.Level))
			}
		}
		h := fmt.Sprintf("%d findings (%s), %d KEV, %d suppressed; %d of %d components not assessed",
			s.Findings, strings.Join(parts, ", "), s.KEV, s.Suppressed, s.Unassessed, s.Components)
		if s.Problems > 0 {
			h += fmt.Sprintf("; %d firmware problems", s.Problems)
		}
		return h
	case ef.Supplier != nil:
		return fmt.Sprintf("supplier %s: %s, %d flagged parties, %d export-control findings", ef.Supplier.Vendor,
			ef.Supplier.Decision, len(ef.Supplier.Flagged), ef.Supplier.Export)
	}
	return "no findings document"
}

// readFindings reads one evidence item back, checks its digest and
// summarises it when it is a findings document.
func readFindings(e review.Evidence, open func(string) (io.ReadCloser, error)) EvidenceFindings {
	ef := EvidenceFindings{SHA256: e.SHA256, Name: e.Name, Type: e.Type}
	if e.Size > MaxEvidenceParseBytes {
		ef.Error = fmt.Sprintf("%d bytes exceeds the %d-byte limit for summaries", e.Size, MaxEvidenceParseBytes)
		return ef
	}
	rc, err := open(e.SHA256)
	if err != nil {
		ef.Error = fmt.Sprintf("open: %v", err)
		return ef
	}
	defer rc.Close()
	h := sha256.New()
	data, err := io.ReadAll(io.TeeReader(io.LimitReader(rc, MaxEvidenceParseBytes+1), h))
	if err != nil {
		ef.Error = fmt.Sprintf("read: %v", err)
		return ef
	}
	if len(data) > MaxEvidenceParseBytes {
		ef.Error = fmt.Sprintf("content exceeds the %d-byte limit for summaries", MaxEvidenceParseBytes)
		return ef
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != e.SHA256 {
		ef.Error = fmt.Sprintf("content hashes to %s, not its recorded sha256 (run assay audit verify)", got)
		return ef
	}
	ef.Verified = true
	ef.Schema, ef.Scan, ef.Supplier, err = ParseFindings(data)
	if err != nil {
		ef.Error = err.Error()
	}
	return ef
}

// ParseFindings summarises a findings document: an assay.scan/v1 document
// (a scan or a firmware analysis) or an assay.supplier-assessment/v1
// document. Other JSON documents and non-JSON content return the schema
// found (if any) and nil summaries; malformed findings documents return
// an error naming the problem.
func ParseFindings(data []byte) (schema string, s *ScanSummary, d *SupplierDigest, err error) {
	if len(data) > MaxEvidenceParseBytes {
		return "", nil, nil, fmt.Errorf("%d bytes exceeds the limit %d", len(data), MaxEvidenceParseBytes)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return "", nil, nil, nil
	}
	var head struct {
		Schema string `json:"schema"`
	}
	if json.Unmarshal(trimmed, &head) != nil {
		return "", nil, nil, nil
	}
	switch head.Schema {
	case scanSchema:
		s, err = parseScan(trimmed)
		if err != nil {
			return head.Schema, nil, nil, fmt.Errorf("%s document: %w", scanSchema, err)
		}
	case supplierSchema:
		d, err = parseSupplier(trimmed)
		if err != nil {
			return head.Schema, nil, nil, fmt.Errorf("%s document: %w", supplierSchema, err)
		}
	}
	return head.Schema, s, d, nil
}

// scanDoc is the part of assay.scan/v1 the report reads; firmware
// analyses add "problems".
type scanDoc struct {
	Targets []struct {
		Components int               `json:"components"`
		Unassessed []json.RawMessage `json:"unassessed"`
	} `json:"targets"`
	Findings []struct {
		ID        string `json:"id"`
		Summary   string `json:"summary"`
		Component struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"component"`
		Severity struct {
			Level string  `json:"level"`
			Score float64 `json:"score"`
		} `json:"severity"`
		KEV        json.RawMessage `json:"kev"`
		Fixed      []string        `json:"fixed"`
		Suppressed json.RawMessage `json:"suppressed"`
	} `json:"findings"`
	Problems []Problem `json:"problems"`
}

func present(m json.RawMessage) bool {
	t := bytes.TrimSpace(m)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

func normLevel(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if severityRank(l) == len(severities) {
		return "unknown"
	}
	return l
}

func parseScan(data []byte) (*ScanSummary, error) {
	var doc scanDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	s := &ScanSummary{Targets: len(doc.Targets)}
	for _, t := range doc.Targets {
		s.Components += max(0, t.Components)
		s.Unassessed += len(t.Unassessed)
	}
	sev := map[string]int{}
	var top []TopFinding
	for _, f := range doc.Findings {
		if present(f.Suppressed) {
			s.Suppressed++
			continue
		}
		s.Findings++
		lvl := normLevel(f.Severity.Level)
		sev[lvl]++
		kev := present(f.KEV)
		if kev {
			s.KEV++
		}
		top = append(top, TopFinding{ID: f.ID, Severity: lvl, Score: f.Severity.Score, KEV: kev, Component: f.Component.Name,
			Version: f.Component.Version, Fixed: strings.Join(f.Fixed, ", "), Summary: f.Summary})
	}
	// Known exploited first, then by severity and score.
	slices.SortStableFunc(top, func(a, b TopFinding) int {
		if a.KEV != b.KEV {
			if a.KEV {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)), cmp.Compare(b.Score, a.Score), cmp.Compare(a.ID, b.ID))
	})
	s.Top = top[:min(TopFindings, len(top))]
	s.BySeverity = counts(sev, []string{"critical", "high", "medium", "low", "none", "unknown"})
	psev := map[string]int{}
	probs := make([]Problem, 0, len(doc.Problems))
	for _, p := range doc.Problems {
		p.Severity = normLevel(p.Severity)
		psev[p.Severity]++
		probs = append(probs, p)
	}
	s.Problems = len(probs)
	if s.Problems > 0 {
		s.ProblemsBy = counts(psev, []string{"critical", "high", "medium", "low", "info"})
		sortBySeverity(probs, func(p Problem) string { return p.Severity }, func(p Problem) string { return p.Category + " " + p.Path })
		s.TopProblems = probs[:min(TopFindings, len(probs))]
	}
	return s, nil
}

// counts lists the levels in order, then any other level seen.
func counts(m map[string]int, order []string) []Count {
	out := make([]Count, 0, len(order))
	for _, l := range order {
		out = append(out, Count{l, m[l]})
		delete(m, l)
	}
	for _, l := range severities {
		if n, ok := m[l]; ok {
			out = append(out, Count{l, n})
		}
	}
	return out
}

// supplierDoc is the part of assay.supplier-assessment/v1 the report reads.
type supplierDoc struct {
	Vendor     string `json:"vendor"`
	Decision   string `json:"decision"`
	Screenings []struct {
		Role     string            `json:"role"`
		Subject  string            `json:"subject"`
		Decision string            `json:"decision"`
		Matches  []json.RawMessage `json:"matches"`
	} `json:"screenings"`
	Factors []FactorLevel     `json:"factors"`
	Export  []json.RawMessage `json:"export_control"`
	EOL     []json.RawMessage `json:"end_of_life"`
}

func parseSupplier(data []byte) (*SupplierDigest, error) {
	var doc supplierDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	d := &SupplierDigest{Vendor: doc.Vendor, Decision: doc.Decision, Factors: doc.Factors, Export: len(doc.Export), EOL: len(doc.EOL)}
	by := map[string]int{}
	for _, s := range doc.Screenings {
		by[s.Decision]++
		if s.Decision != "clear" {
			d.Flagged = append(d.Flagged, FlaggedFact{Role: s.Role, Subject: s.Subject, Decision: s.Decision, Matches: len(s.Matches)})
		}
	}
	d.Screenings = []Count{{"listed", by["listed"]}, {"review", by["review"]}, {"clear", by["clear"]}}
	d.Flagged = d.Flagged[:min(TopFindings, len(d.Flagged))]
	return d, nil
}
