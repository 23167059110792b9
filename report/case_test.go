package report

import (
	"bytes"
	"codeberg.org/go-pdf/fpdf"
	"compress/zlib"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/net/html"

	"github.com/assayhq/assay/review"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files")

// render returns the report in one format.
func render(t *testing.T, cr *CaseReport, format string) []byte {
	t.Helper()
	fn := map[string]func(io.Writer, *CaseReport) error{"html": CaseHTML, "pdf": CasePDF, "json": CaseJSON, "text": CaseText}[format]
	var b bytes.Buffer
	if err := fn(&b, cr); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return b.Bytes()
}

// htmlFacts walks a parsed page: section ids, element names, every
// attribute that can load something, and all text.
type htmlFacts struct {
	sections []string
	elements map[string]int
	refs     []string
	text     strings.Builder
}

func parseHTML(t *testing.T, page []byte) *htmlFacts {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	f := &htmlFacts{elements: map[string]int{}}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			f.elements[n.Data]++
			for _, a := range n.Attr {
				switch a.Key {
				case "src", "href", "xlink:href", "action", "srcset", "poster", "data":
					f.refs = append(f.refs, a.Val)
				case "id":
					if n.Data == "section" {
						f.sections = append(f.sections, a.Val)
					}
				}
				if strings.HasPrefix(a.Key, "on") {
					f.refs = append(f.refs, a.Key+"="+a.Val)
				}
			}
		case html.TextNode:
			if n.Parent == nil || n.Parent.Data != "style" {
				f.text.WriteString(n.Data)
				f.text.WriteByte(' ')
			} else if strings.Contains(n.Data, "url(") || strings.Contains(n.Data, "@import") {
				f.refs = append(f.refs, "style: "+n.Data)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return f
}

func TestCaseHTML(t *testing.T) {
	fx := newFixture(t)
	for _, tc := range []struct {
		audience string
		sections []string
		has      []string
		hasNot   []string
	}{
		{"reviewer", []string{"summary", "scope", "factors", "findings", "evidence", "opinions", "timeline", "audit"},
			[]string{secretDocName, secretCVE, "CVE-2023-4966", "backdoor-account", "Example State Holdings", "PASSED_WITH_COMMITMENTS", "CONFIDENTIAL — REVIEW OFFICE",
				"excluding 8 paused working days", "assay audit verify --checkpoint FILE", "Deposit the router source code in escrow", "BREACHED"}, nil},
		{"applicant", []string{"summary", "scope", "factors", "findings", "evidence", "opinions", "timeline", "audit"},
			[]string{"RESTRICTED — APPLICANT", "withheld (Art. 17)", "CVE-2023-4966", "Example State Holdings"},
			[]string{secretDocName, secretCVE, "firmware-analysis.json", "backdoor-account"}},
		{"public", []string{"summary", "scope", "audit"},
			[]string{"PUBLIC", "PASSED_WITH_COMMITMENTS", "EdgeRouter X"},
			[]string{secretDocName, secretCVE, "CVE-2023-4966", "reviewer-li", "risks mitigated by commitments", "scan-edge-router.json"}},
	} {
		t.Run(tc.audience, func(t *testing.T) {
			page := render(t, fx.report(t, tc.audience), "html")
			f := parseHTML(t, page)
			if !slices.Equal(f.sections, tc.sections) {
				t.Errorf("sections %v, want %v", f.sections, tc.sections)
			}
			for _, el := range []string{"script", "link", "img", "iframe", "object", "embed", "base", "form"} {
				if f.elements[el] > 0 {
					t.Errorf("%d <%s> elements in a self-contained report", f.elements[el], el)
				}
			}
			for _, r := range f.refs {
				if !strings.HasPrefix(r, "#") && !strings.HasPrefix(r, "url(#") {
					t.Errorf("external reference %q", r)
				}
			}
			if f.elements["svg"] == 0 && tc.audience != "public" {
				t.Error("no inline SVG chart")
			}
			text := f.text.String()
			if !strings.Contains(text, hostileVendor) {
				t.Errorf("hostile vendor name not shown verbatim as text")
			}
			for _, s := range tc.has {
				if !strings.Contains(text, s) {
					t.Errorf("missing %q", s)
				}
			}
			for _, s := range tc.hasNot {
				if bytes.Contains(page, []byte(s)) {
					t.Errorf("%s report shows %q", tc.audience, s)
				}
			}
		})
	}
}

// pdfText extracts the text-showing strings of a PDF written by CasePDF:
// its content streams are zlib-compressed and its embedded fonts use
// Unicode code points as CIDs (Identity-H), so each shown string is
// UTF-16BE hex or literal. It returns the page count and the text.
func pdfContent(t *testing.T, pdf []byte) (pages int, text string) {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) || !bytes.HasSuffix(bytes.TrimSpace(pdf), []byte("%%EOF")) {
		t.Fatalf("not a PDF: %q…", pdf[:min(20, len(pdf))])
	}
	pages = len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(pdf, -1))
	var b strings.Builder
	streams := regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllSubmatch(pdf, -1)
	for _, m := range streams {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			continue
		}
		// Text operators show (literal) strings, escaped, as UTF-16BE.
		for _, lit := range regexp.MustCompile(`(?s)\(((?:\\.|[^\\)])*)\)\s*Tj`).FindAllSubmatch(data, -1) {
			raw := unescapePDF(lit[1])
			if len(raw)%2 != 0 {
				b.Write(raw)
				b.WriteByte('\n')
				continue
			}
			u := make([]uint16, len(raw)/2)
			for i := range u {
				u[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
			}
			b.WriteString(string(utf16.Decode(u)))
			b.WriteByte('\n')
		}
	}
	return pages, b.String()
}

func unescapePDF(s []byte) []byte {
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			out = append(out, s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		default:
			if c >= '0' && c <= '7' {
				v, n := 0, 0
				for n < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7' {
					v = v*8 + int(s[i]-'0')
					i++
					n++
				}
				i--
				out = append(out, byte(v))
			} else {
				out = append(out, c)
			}
		}
	}
	return out
}

func TestCasePDF(t *testing.T) {
	fx := newFixture(t)
	for _, tc := range []struct {
		audience   string
		minPages   int
		has, hasNt []string
	}{
		{"reviewer", 4, []string{"CR-0001", "Page 1 of 6", "CONFIDENTIAL — REVIEW OFFICE", "Decision: PASSED_WITH_COMMITMENTS", "Factor assessment (F1–F7)",
			"Findings from the evidence", "CVE-2023-4966", secretCVE, "backdoor-account", "Timeline and deadlines", "Audit checkpoint", "INITIAL_REVIEW"}, nil},
		{"applicant", 4, []string{"RESTRICTED — APPLICANT", "withheld (Art. 17)", "CVE-2023-4966"}, []string{secretCVE, secretDocName, "backdoor-account"}},
		{"public", 1, []string{"PUBLIC", "Decision: PASSED_WITH_COMMITMENTS"}, []string{"CVE-2023-4966", "Factor assessment", "reviewer-li"}},
	} {
		t.Run(tc.audience, func(t *testing.T) {
			pdf := render(t, fx.report(t, tc.audience), "pdf")
			pages, text := pdfContent(t, pdf)
			if pages < tc.minPages {
				t.Errorf("%d pages, want at least %d", pages, tc.minPages)
			}
			if want := fmt.Sprintf("Page %d of %d", pages, pages); !strings.Contains(text, want) {
				t.Errorf("no footer %q", want)
			}
			for _, s := range tc.has {
				if !strings.Contains(text, s) {
					t.Errorf("PDF text lacks %q", s)
				}
			}
			for _, s := range tc.hasNt {
				if strings.Contains(text, s) {
					t.Errorf("%s PDF shows %q", tc.audience, s)
				}
			}
			// Characters outside the embedded font are replaced, the rest kept.
			if !strings.Contains(text, "Söhne ‹") {
				t.Errorf("UTF-8 vendor name not rendered as expected")
			}
		})
	}
}

func TestPDFTextSanitize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"Söhne – ½ ✓", "Söhne – ½ ✓"},
		{"华为", "‹Hua Wei›"},
		{"华为技术 (Huawei)", "‹Hua Wei Ji Shu› (Huawei)"},
		{"a中b", "a‹Zhong›b"},
		{"한x", "\uFFFDx"}, // Hangul: neither in the font nor romanised
		{"a\x00b\tc\nd", "a b c d"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"emoji 😀 and U+10000 \U00010000", "emoji \uFFFD and U+10000 \uFFFD"},
	} {
		if got := pdfText(tc.in, false); got != tc.want {
			t.Errorf("pdfText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := pdfText("a\nb", true); got != "a\nb" {
		t.Errorf("keepNL: %q", got)
	}
}

// shape lists every JSON path of v with its type; array elements are
// merged under [].
func shape(prefix string, v any, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		out[prefix+" object"] = true
		for k, e := range x {
			shape(prefix+"."+k, e, out)
		}
	case []any:
		out[prefix+" array"] = true
		for _, e := range x {
			shape(prefix+"[]", e, out)
		}
	case string:
		out[prefix+" string"] = true
	case float64:
		out[prefix+" number"] = true
	case bool:
		out[prefix+" bool"] = true
	case nil:
		out[prefix+" null"] = true
	}
}

func TestCaseJSONShape(t *testing.T) {
	fx := newFixture(t)
	data := render(t, fx.report(t, "reviewer"), "json")
	var doc struct {
		Schema  string `json:"schema"`
		Factors []struct {
			ID         string          `json:"id"`
			Proposal   json.RawMessage `json:"proposal"`
			Assessment json.RawMessage `json:"assessment"`
			Evidence   []string        `json:"evidence"`
		} `json:"factors"`
		Decision  *review.Decision  `json:"decision"`
		Deadlines []review.Deadline `json:"deadlines"`
		Audit     *AuditHead        `json:"audit"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range doc.Factors {
		ids = append(ids, f.ID)
	}
	if doc.Schema != review.ReportSchema || !slices.Equal(ids, []string{"F1", "F2", "F3", "F4", "F5", "F6", "F7"}) ||
		doc.Factors[0].Proposal == nil || doc.Factors[0].Assessment == nil || len(doc.Factors[0].Evidence) != 4 ||
		doc.Decision == nil || doc.Decision.Outcome != review.PassedWithCommitments || len(doc.Deadlines) != 4 ||
		doc.Deadlines[1].Due != "2025-05-15" || doc.Audit == nil || doc.Audit.LogSize == 0 {
		t.Fatalf("contract broken: %s", data)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	shape("", v, paths)
	var lines []string
	for p := range paths {
		lines = append(lines, p)
	}
	sort.Strings(lines)
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "case-report.shape")
	if *updateGolden {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./report -run TestCaseJSONShape -update)", err)
	}
	if got != string(want) {
		t.Errorf("JSON shape changed (fields may only be added within assay.case/v1; rerun with -update after checking):\n%s", diffLines(string(want), got))
	}
}

func diffLines(a, b string) string {
	as, bs := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range as {
		if !slices.Contains(bs, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bs {
		if !slices.Contains(as, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

func TestParseAudience(t *testing.T) {
	for in, want := range map[string]string{"reviewer": review.AudienceOffice, "applicant": review.AudienceOperator, "public": review.AudiencePublic,
		"member-units": review.AudienceMemberUnits, "OFFICE": review.AudienceOffice, " operator ": review.AudienceOperator} {
		if got, err := ParseAudience(in); err != nil || got != want {
			t.Errorf("ParseAudience(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseAudience("vendor"); err == nil || !strings.Contains(err.Error(), "reviewer, applicant or public") {
		t.Errorf("bad audience: %v", err)
	}
}

func TestEvidenceFindingsErrors(t *testing.T) {
	fx := newFixture(t)
	r, err := fx.svc.Report(t.Context(), fx.id)
	if err != nil {
		t.Fatal(err)
	}
	opts := fx.options(t)
	// Content that no longer matches its digest is reported, not used.
	opts.Evidence = func(string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(`{"schema":"assay.scan/v1","findings":[]}`)), nil
	}
	cr, err := NewCaseReport(r, "reviewer", opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(cr.EvidenceFindings) != 4 {
		t.Fatalf("%d findings documents, want 4", len(cr.EvidenceFindings))
	}
	for _, ef := range cr.EvidenceFindings {
		if ef.Verified || !strings.Contains(ef.Error, "not its recorded sha256") || ef.Scan != nil {
			t.Errorf("tampered evidence used: %+v", ef)
		}
	}
	opts.Evidence = func(sha string) (io.ReadCloser, error) { return nil, fmt.Errorf("evidence %s: gone", sha) }
	cr, err = NewCaseReport(r, "reviewer", opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cr.EvidenceFindings[0].Error, "gone") {
		t.Errorf("missing evidence: %+v", cr.EvidenceFindings[0])
	}
	if _, err := CaseHTML(io.Discard, cr), CasePDF(io.Discard, cr); err != nil {
		t.Error(err)
	}
}

func TestParseFindings(t *testing.T) {
	for _, tc := range []struct {
		name, in, schema, err string
		scan, sup             bool
	}{
		{"not json", "%PDF-1.4", "", "", false, false},
		{"other json", `{"schema":"assay.vendor/v1","name":"x"}`, "assay.vendor/v1", "", false, false},
		{"array", `[1,2]`, "", "", false, false},
		{"scan", `{"schema":"assay.scan/v1","targets":[{"components":3,"unassessed":[{}]}],"findings":[{"id":"X","severity":{"level":"HIGH","score":7.5},"kev":null,"suppressed":null}]}`, "assay.scan/v1", "", true, false},
		{"scan bad findings", `{"schema":"assay.scan/v1","findings":{}}`, "assay.scan/v1", "assay.scan/v1 document", false, false},
		{"supplier", `{"schema":"assay.supplier-assessment/v1","vendor":"V","decision":"listed","screenings":[{"decision":"listed","matches":[{}]}]}`, "assay.supplier-assessment/v1", "", false, true},
		{"supplier bad", `{"schema":"assay.supplier-assessment/v1","screenings":"x"}`, "assay.supplier-assessment/v1", "assay.supplier-assessment/v1 document", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			schema, s, d, err := ParseFindings([]byte(tc.in))
			if schema != tc.schema || (s != nil) != tc.scan || (d != nil) != tc.sup || (err == nil) != (tc.err == "") ||
				(err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("ParseFindings = %q, %v, %v, %v", schema, s, d, err)
			}
			if s != nil && (s.Findings != 1 || s.BySeverity[1] != (Count{"high", 1}) || s.Unassessed != 1 || s.Components != 3) {
				t.Errorf("scan summary %+v", s)
			}
			if d != nil && (len(d.Flagged) != 1 || d.Flagged[0].Matches != 1) {
				t.Errorf("supplier digest %+v", d)
			}
		})
	}
}

func BenchmarkCaseReport(b *testing.B) {
	fx := newFixture(b)
	r, err := fx.svc.Report(b.Context(), fx.id)
	if err != nil {
		b.Fatal(err)
	}
	opts := fx.options(b)
	for _, format := range []string{"html", "pdf", "json"} {
		fn := map[string]func(io.Writer, *CaseReport) error{"html": CaseHTML, "pdf": CasePDF, "json": CaseJSON}[format]
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				cr, err := NewCaseReport(r, "reviewer", opts)
				if err != nil {
					b.Fatal(err)
				}
				if err := fn(io.Discard, cr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestPDFWrap checks line breaking in table cells: at spaces, inside long
// identifiers after a separator, and never wider than the column.
func TestPDFWrap(t *testing.T) {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(pdfFont, "", fontRegular)
	p := &pdfDoc{Fpdf: f}
	p.font("", 7.8)
	tests := []struct {
		in   string
		w    float64
		want []string
	}{
		{"", 50, []string{""}},
		{"short words here", 200, []string{"short words here"}},
		{"INSECURE_CRYPTO_CONFIG", p.GetStringWidth("INSECURE_CRYPTO"), []string{"INSECURE_", "CRYPTO_CONFIG"}},
		{"see https://example.org/a/b", p.GetStringWidth("https://exam"), []string{"see", "https://", "example.", "org/a/b"}},
		{"WWWWWWWWWWWW", 20, nil}, // no separator: broken anywhere, checked by width
	}
	for _, tt := range tests {
		got := p.wrap(tt.in, tt.w)
		for _, l := range got {
			if p.GetStringWidth(l) > tt.w {
				t.Errorf("wrap(%q, %v): line %q too wide", tt.in, tt.w, l)
			}
		}
		if strings.ReplaceAll(strings.Join(got, ""), " ", "") != strings.ReplaceAll(tt.in, " ", "") {
			t.Errorf("wrap(%q) lost text: %q", tt.in, got)
		}
		if tt.want != nil && fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("wrap(%q, %v) = %q, want %q", tt.in, tt.w, got, tt.want)
		}
	}
}
