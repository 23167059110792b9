package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/assayhq/assay/review"
)

// CaseOptions supply what a case report needs beyond the case record.
type CaseOptions struct {
	// Evidence opens the stored content of an evidence item by its
	// SHA-256. Nil skips the findings tables.
	Evidence func(sha256 string) (io.ReadCloser, error)
	// Audit is the audit log head when the report was made; nil when the
	// store has none to give.
	Audit *AuditHead
}

// AuditHead lets a reader of a report check it against the audit log: the
// signed checkpoint of the whole log and the case's latest record.
type AuditHead struct {
	// LogSize is the number of records in the whole log.
	LogSize uint64 `json:"log_size"`
	// Root is the base64 RFC 6962 root hash of the log (as in Checkpoint).
	Root string `json:"root"`
	// Checkpoint is the signed checkpoint note, to save and pass to
	// `assay audit verify --checkpoint FILE`.
	Checkpoint string `json:"checkpoint"`
	// VerifierKey is the public key that verifies Checkpoint.
	VerifierKey string `json:"verifier_key,omitempty"`
	// CaseRecords counts the case's records; CaseLastSeq is the position
	// of its latest one and CaseStateSHA256 the state that record bound.
	CaseRecords     int    `json:"case_records"`
	CaseLastSeq     uint64 `json:"case_last_seq"`
	CaseStateSHA256 string `json:"case_state_sha256,omitempty"`
}

// CaseReport is a case report for one audience: the redacted case with
// its deadlines, the audit head, and the findings read back from the
// evidence the audience may see.
type CaseReport struct {
	*review.Report
	// Audit is the audit log head (omitted when unknown).
	Audit *AuditHead `json:"audit,omitempty"`
	// EvidenceFindings summarises the findings documents attached as
	// evidence (scan, firmware and supplier assessments).
	EvidenceFindings []EvidenceFindings `json:"evidence_findings,omitempty"`
	// Marking is the confidentiality marking of the whole report.
	Marking Marking `json:"marking"`
}

// Marking is the confidentiality marking printed on every page.
type Marking struct {
	Label string `json:"label"`
	Note  string `json:"note"`
}

// Audience aliases accepted by ParseAudience besides review's own names.
var audienceAliases = map[string]string{
	"REVIEWER":  review.AudienceOffice,
	"APPLICANT": review.AudienceOperator,
}

// ParseAudience maps an audience name (reviewer, applicant, public, or
// one of review.Audiences in any case) to review's audience.
func ParseAudience(s string) (string, error) {
	a := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", "_"))
	if alias, ok := audienceAliases[a]; ok {
		return alias, nil
	}
	if slices.Contains(review.Audiences(), a) {
		return a, nil
	}
	return "", fmt.Errorf("audience %q: want reviewer, applicant or public (or %s)", s,
		strings.ToLower(strings.Join(review.Audiences(), ", ")))
}

// NewCaseReport redacts r for the audience and reads the findings of the
// evidence the audience may see. Evidence that cannot be read is listed
// with the reason; it never fails the report.
func NewCaseReport(r *review.Report, audience string, opts CaseOptions) (*CaseReport, error) {
	aud, err := ParseAudience(audience)
	if err != nil {
		return nil, err
	}
	red, err := r.Redact(aud)
	if err != nil {
		return nil, err
	}
	cr := &CaseReport{Report: red, Audit: opts.Audit, Marking: marking(red)}
	if opts.Evidence != nil {
		for _, e := range red.Evidence {
			if e.Redacted || !findingsType(e.Type) {
				continue
			}
			cr.EvidenceFindings = append(cr.EvidenceFindings, readFindings(e, opts.Evidence))
		}
	}
	return cr, nil
}

func marking(r *review.Report) Marking {
	switch r.Audience {
	case review.AudienceOffice:
		return Marking{"CONFIDENTIAL — REVIEW OFFICE", "Contains trade secrets, personal information and unpublished supplier materials; no use outside the review without the supplier's consent (Art. 17)."}
	case review.AudienceMemberUnits:
		return Marking{"CONFIDENTIAL — MEMBER UNITS", fmt.Sprintf("For the member units consulted (Art. 12). %d evidence item(s) withheld without the supplier's consent (Art. 17).", r.RedactedEvidence)}
	case review.AudienceOperator:
		who := "the applicant"
		if r.Scope.Operator != "" {
			who = r.Scope.Operator
		}
		return Marking{"RESTRICTED — APPLICANT", fmt.Sprintf("For %s only. %d confidential evidence item(s) of the supplier withheld (Art. 17).", who, r.RedactedEvidence)}
	}
	return Marking{"PUBLIC", "The conclusion as published; factors, evidence, opinions and the timeline are withheld."}
}

// Public reports whether the report is the public (conclusion-only) copy.
func (cr *CaseReport) Public() bool { return cr.Audience == review.AudiencePublic }

// CaseJSON writes the report as the assay.case/v1 document with the audit
// head, the marking and the evidence findings added.
func CaseJSON(w io.Writer, cr *CaseReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(cr); err != nil {
		return fmt.Errorf("case %s: json: %w", cr.ID, err)
	}
	return nil
}

// CaseText writes the plain-text summary with the marking, the evidence
// findings and the audit head.
func CaseText(w io.Writer, cr *CaseReport) error {
	if _, err := fmt.Fprintf(w, "[%s] %s\n", cr.Marking.Label, cr.Marking.Note); err != nil {
		return err
	}
	if err := cr.Report.WriteText(w); err != nil {
		return err
	}
	for _, ef := range cr.EvidenceFindings {
		if _, err := fmt.Fprintf(w, "Findings in %s (%s): %s\n", ef.Name, short(ef.SHA256), ef.Headline()); err != nil {
			return err
		}
	}
	if a := cr.Audit; a != nil {
		_, err := fmt.Fprintf(w, "Audit: log of %d records, root %s; case %s latest record %d of %d, state sha256 %s\n",
			a.LogSize, a.Root, cr.ID, a.CaseLastSeq, a.CaseRecords, a.CaseStateSHA256)
		return err
	}
	return nil
}

// Cell is one cell of the likelihood × impact matrix with the factors
// whose proposal or assessment falls in it.
type Cell struct {
	Likelihood, Impact int
	Assessed           []string
	Proposed           []string
}

// Score is the cell's likelihood × impact.
func (c Cell) Score() int { return c.Likelihood * c.Impact }

// RiskMatrix returns the 5×5 matrix, rows from likelihood 5 down to 1,
// columns impact 1 to 5. A factor appears as assessed where its reviewer
// assessment puts it, and as proposed where its automated proposal does.
func (cr *CaseReport) RiskMatrix() [5][5]Cell {
	var m [5][5]Cell
	for r := range 5 {
		for c := range 5 {
			m[r][c] = Cell{Likelihood: 5 - r, Impact: c + 1}
		}
	}
	in := func(s review.Score) *Cell {
		if s.Likelihood < 1 || s.Likelihood > 5 || s.Impact < 1 || s.Impact > 5 {
			return nil
		}
		return &m[5-s.Likelihood][s.Impact-1]
	}
	for _, f := range cr.Factors {
		if f.Assessment != nil {
			if c := in(f.Assessment.Score); c != nil {
				c.Assessed = append(c.Assessed, f.ID)
			}
		}
		if f.Proposal != nil {
			if c := in(f.Proposal.Score); c != nil {
				c.Proposed = append(c.Proposed, f.ID)
			}
		}
	}
	return m
}

// Band names the risk band of a likelihood × impact score.
func Band(score int) string {
	switch {
	case score >= 15:
		return "high"
	case score >= 8:
		return "medium"
	case score >= 4:
		return "low"
	}
	return "minimal"
}

// Summary is the report's headline: the state and the decision in words.
func (cr *CaseReport) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s of %s", strings.ToLower(string(cr.Trigger)), cr.Scope.Vendor)
	if cr.Scope.Operator != "" {
		fmt.Fprintf(&b, " for %s", cr.Scope.Operator)
	}
	fmt.Fprintf(&b, "; state %s", cr.State)
	if cr.Paused {
		b.WriteString(" (clock paused)")
	}
	if d := cr.Decision; d != nil {
		fmt.Fprintf(&b, "; decision %s on %s by %s", d.Outcome, d.Date, d.Body)
	} else {
		b.WriteString("; no decision yet")
	}
	return b.String()
}

// topScore is the highest assessed score, else the highest proposed.
func (cr *CaseReport) topScore() (int, string) {
	best, id := 0, ""
	for _, f := range cr.Factors {
		s := 0
		if f.Assessment != nil {
			s = f.Assessment.Score.Score
		} else if f.Proposal != nil {
			s = f.Proposal.Score.Score
		}
		if s > best {
			best, id = s, f.ID
		}
	}
	return best, id
}

// timeSpan returns the first and last dates the timeline covers.
func (cr *CaseReport) timeSpan(today string) (string, string) {
	first, last := "", today
	note := func(d string) {
		if d == "" {
			return
		}
		if first == "" || d < first {
			first = d
		}
		if d > last {
			last = d
		}
	}
	for _, t := range cr.Transitions {
		note(t.Date)
	}
	for _, d := range cr.Deadlines {
		note(d.Start)
		note(d.Due)
		note(d.End)
	}
	if first == "" {
		first = today
	}
	return first, last
}

func short(sha string) string { return sha[:min(12, len(sha))] }

// orDash returns s or "-" when empty.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func scoreText(s review.Score) string {
	return fmt.Sprintf("%d × %d = %d, %s confidence", s.Likelihood, s.Impact, s.Score, strings.ToLower(s.Confidence))
}

func dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// severities in report order.
var severities = []string{"critical", "high", "medium", "low", "info", "none", "unknown"}

func severityRank(level string) int {
	if i := slices.Index(severities, level); i >= 0 {
		return i
	}
	return len(severities)
}

// sortBySeverity orders items most severe first, then by key.
func sortBySeverity[T any](items []T, level func(T) string, key func(T) string) {
	slices.SortStableFunc(items, func(a, b T) int {
		return cmp.Or(cmp.Compare(severityRank(level(a)), severityRank(level(b))), cmp.Compare(key(a), key(b)))
	})
}
