package report

import (
	_ "embed" // the DejaVu fonts of the PDF report
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"

	"github.com/assayhq/assay/hanzi"
	"github.com/assayhq/assay/review"
)

// The PDF embeds DejaVu Sans Condensed (Bitstream Vera licence, see
// fonts/LICENSE; from Debian's fonts-dejavu-core). fpdf subsets it to the
// characters used. Characters the font lacks (CJK among them) are printed
// as U+FFFD; the HTML report shows them as written.
var (
	//go:embed fonts/DejaVuSansCondensed.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSansCondensed-Bold.ttf
	fontBold []byte
)

// coverage is the set of runes both embedded fonts can draw, computed once.
var coverage = sync.OnceValue(func() func(rune) bool {
	var fonts []*sfnt.Font
	for _, b := range [][]byte{fontRegular, fontBold} {
		f, err := sfnt.Parse(b)
		if err != nil {
			panic(fmt.Sprintf("embedded font: %v", err)) // the embedded file is fixed: a build defect
		}
		fonts = append(fonts, f)
	}
	var mu sync.Mutex
	var buf sfnt.Buffer
	cache := map[rune]bool{}
	return func(r rune) bool {
		mu.Lock()
		defer mu.Unlock()
		if ok, seen := cache[r]; seen {
			return ok
		}
		ok := true
		for _, f := range fonts {
			if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
				ok = false
			}
		}
		cache[r] = ok
		return ok
	}
})

// pdfText makes s printable with the embedded fonts: Chinese characters,
// which the fonts lack, become their pinyin between ‹ and › (HTML and JSON
// keep the original); invalid UTF-8 and other characters outside the font
// (and outside the Basic Multilingual Plane, which fpdf cannot index)
// become U+FFFD; control characters become spaces, except newlines when
// keepNL is set.
func pdfText(s string, keepNL bool) string {
	has := coverage()
	var b strings.Builder
	inHan := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		syl := ""
		if !has(r) && unicode.Is(unicode.Han, r) {
			syl = hanzi.Pinyin(r)
		}
		if inHan && syl == "" {
			b.WriteString("›")
		}
		switch {
		case syl != "":
			if inHan {
				b.WriteByte(' ')
			} else {
				b.WriteString("‹")
			}
			b.WriteString(strings.ToUpper(syl[:1]) + syl[1:])
		case r == '\n' && keepNL:
			b.WriteRune(r)
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || r == utf8.RuneError:
			if r == utf8.RuneError {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case r > 0xFFFF || !has(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
		inHan = syl != ""
	}
	if inHan {
		b.WriteString("›")
	}
	return b.String()
}

// asciiText keeps printable ASCII (for the core Courier font).
func asciiText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || (r >= 0x20 && r < 0x7f) {
			return r
		}
		return '?'
	}, s)
}

const (
	pdfFont   = "dejavu"
	pdfMono   = "Courier"
	pageW     = 210.0
	marginL   = 14.0
	marginR   = 14.0
	marginTop = 20.0
	marginBot = 16.0
	bodyW     = pageW - marginL - marginR
	lineH     = 4.2
	textSize  = 8.5
)

// pdfDoc wraps fpdf with the report's text and table conventions.
type pdfDoc struct {
	*fpdf.Fpdf
	cr *CaseReport
}

// CasePDF writes the case report as PDF (A4): the same sections as the
// HTML report, tables that repeat their header after page breaks, the
// risk matrix and the timeline drawn as vector graphics, and on every
// page a header with the case ID and marking and a footer with the page
// number.
func CasePDF(w io.Writer, cr *CaseReport) error {
	f := fpdf.New("P", "mm", "A4", "")
	p := &pdfDoc{Fpdf: f, cr: cr}
	f.SetCreationDate(cr.GeneratedAt)
	f.SetModificationDate(cr.GeneratedAt)
	f.SetCatalogSort(true)
	f.SetCompression(true)
	f.AliasNbPages("{nb}")
	f.AddUTF8FontFromBytes(pdfFont, "", fontRegular)
	f.AddUTF8FontFromBytes(pdfFont, "B", fontBold)
	f.SetTitle(pdfText(cr.ID+" "+cr.Title, false), true)
	f.SetAuthor("Assay", true)
	f.SetSubject(pdfText(cr.Marking.Label, false), true)
	f.SetMargins(marginL, marginTop, marginR)
	f.SetAutoPageBreak(true, marginBot)
	f.SetHeaderFunc(p.header)
	f.SetFooterFunc(p.footer)
	f.AddPage()
	p.summary()
	p.scope()
	if cr.Public() {
		p.para("The factor assessment, evidence, findings, opinions and timeline are not part of the public report.")
	} else {
		p.factors()
		p.findings()
		p.evidence()
		p.opinions()
		p.timeline()
	}
	p.audit()
	if err := f.Error(); err != nil {
		return fmt.Errorf("case %s: pdf: %w", cr.ID, err)
	}
	if err := f.Output(w); err != nil {
		return fmt.Errorf("case %s: pdf: %w", cr.ID, err)
	}
	return nil
}

func (p *pdfDoc) font(style string, size float64) { p.SetFont(pdfFont, style, size) }

func (p *pdfDoc) header() {
	p.font("", 7.5)
	p.SetTextColor(90, 90, 90)
	p.SetXY(marginL, 8)
	p.CellFormat(bodyW/2, 4, pdfText("Assay cybersecurity review report — "+p.cr.ID, false), "", 0, "L", false, 0, "")
	p.font("B", 7.5)
	p.markingColor()
	p.CellFormat(bodyW/2, 4, pdfText(p.cr.Marking.Label, false), "", 1, "R", false, 0, "")
	p.SetDrawColor(180, 180, 180)
	p.Line(marginL, 13, pageW-marginR, 13)
	p.SetTextColor(27, 31, 36)
	p.SetY(marginTop)
}

func (p *pdfDoc) markingColor() {
	if p.cr.Public() {
		p.SetTextColor(45, 106, 58)
	} else {
		p.SetTextColor(139, 0, 0)
	}
}

func (p *pdfDoc) footer() {
	p.SetY(-12)
	p.SetDrawColor(180, 180, 180)
	p.Line(marginL, p.GetY()-1, pageW-marginR, p.GetY()-1)
	p.font("", 7)
	p.SetTextColor(90, 90, 90)
	left := fmt.Sprintf("%s · %s · generated %s", p.cr.ID, p.cr.Marking.Label, dateTime(p.cr.GeneratedAt))
	p.CellFormat(bodyW*0.75, 4, pdfText(left, false), "", 0, "L", false, 0, "")
	p.CellFormat(bodyW*0.25, 4, fmt.Sprintf("Page %d of {nb}", p.PageNo()), "", 0, "R", false, 0, "")
	p.SetTextColor(27, 31, 36)
}

// h1, h2 and h3 print headings, keeping room for some text below them.
func (p *pdfDoc) heading(s string, size, space float64) {
	if p.GetY()+space > 297-marginBot {
		p.AddPage()
	}
	p.Ln(2)
	p.font("B", size)
	p.MultiCell(bodyW, size*0.5, pdfText(s, false), "", "L", false)
	p.Ln(1)
	p.font("", textSize)
}

func (p *pdfDoc) h2(s string) {
	p.heading(s, 12.5, 30)
	p.SetDrawColor(200, 200, 200)
	p.Line(marginL, p.GetY(), pageW-marginR, p.GetY())
	p.Ln(1.5)
}

func (p *pdfDoc) h3(s string) { p.heading(s, 9.5, 20) }

func (p *pdfDoc) para(s string) {
	p.font("", textSize)
	p.MultiCell(bodyW, lineH, pdfText(s, true), "", "L", false)
	p.Ln(1)
}

// col is one table column: heading and width in mm.
type col struct {
	head string
	w    float64
	mono bool
}

// maxCellLines bounds a table cell so one row always fits on a page.
const maxCellLines = 40

// table prints rows under a header that is repeated after page breaks.
// Cells wrap; a row never splits across pages.
func (p *pdfDoc) table(cols []col, rows [][]string) {
	total := 0.0
	for _, c := range cols {
		total += c.w
	}
	scaleW := bodyW / total
	hasHead := slices.ContainsFunc(cols, func(c col) bool { return c.head != "" })
	drawHead := func() {
		if !hasHead {
			return
		}
		p.font("B", 7.8)
		p.SetFillColor(240, 242, 245)
		x, y := marginL, p.GetY()
		for _, c := range cols {
			p.SetXY(x, y)
			p.CellFormat(c.w*scaleW, 5.5, pdfText(c.head, false), "", 0, "L", true, 0, "")
			x += c.w * scaleW
		}
		p.SetXY(marginL, y+5.5)
	}
	if p.GetY()+12 > 297-marginBot {
		p.AddPage()
	}
	drawHead()
	for _, row := range rows {
		lines := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			if i >= len(row) {
				continue
			}
			lines[i] = p.cellLines(row[i], c.w*scaleW, c.mono)
			n = max(n, len(lines[i]))
		}
		h := float64(n)*3.8 + 1.6
		if p.GetY()+h > 297-marginBot {
			p.AddPage()
			drawHead()
		}
		x, y := marginL, p.GetY()
		for i, c := range cols {
			if c.mono {
				p.SetFont(pdfMono, "", 7)
			} else {
				p.font("", 7.8)
			}
			for j, l := range lines[i] {
				p.SetXY(x, y+0.8+float64(j)*3.8)
				p.CellFormat(c.w*scaleW, 3.8, l, "", 0, "L", false, 0, "")
			}
			x += c.w * scaleW
		}
		p.SetDrawColor(225, 225, 225)
		p.Line(marginL, y+h, marginL+bodyW, y+h)
		p.SetXY(marginL, y+h)
	}
	p.font("", textSize)
	p.Ln(2)
}

// cellLines wraps a cell's text to its width.
// wrap breaks one paragraph into lines no wider than w in the current
// font: at spaces, and inside a word too long for a line after one of
// "_-/.:,=" (identifiers, paths, URLs), only as a last resort anywhere.
func (p *pdfDoc) wrap(para string, w float64) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(para) {
		cand := word
		if line != "" {
			cand = line + " " + word
		}
		if p.GetStringWidth(cand) <= w {
			line = cand
			continue
		}
		if line != "" {
			out = append(out, line)
		}
		line = word
		for p.GetStringWidth(line) > w {
			head, tail := p.breakWord(line, w)
			out = append(out, head)
			line = tail
		}
	}
	if line != "" || len(out) == 0 {
		out = append(out, line)
	}
	return out
}

// breakWord splits a word wider than w into a head that fits (at least
// one rune) and the rest, preferring a break after a separator.
func (p *pdfDoc) breakWord(word string, w float64) (string, string) {
	fit, sep := 0, 0
	for i, r := range word {
		end := i + utf8.RuneLen(r)
		if i > 0 && p.GetStringWidth(word[:end]) > w {
			break
		}
		fit = end
		if strings.ContainsRune("_-/.:,=", r) {
			sep = end
		}
	}
	if sep > 0 && sep < len(word) {
		fit = sep
	}
	return word[:fit], word[fit:]
}

func (p *pdfDoc) cellLines(s string, w float64, mono bool) []string {
	if mono {
		p.SetFont(pdfMono, "", 7)
		s = asciiText(s)
	} else {
		p.font("", 7.8)
		s = pdfText(s, true)
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		if para == "" {
			out = append(out, "")
			continue
		}
		out = append(out, p.wrap(para, w)...)
	}
	if len(out) > maxCellLines {
		out = append(out[:maxCellLines-1], "…")
		if mono {
			out[maxCellLines-1] = "..."
		}
	}
	return out
}

// kv prints label: value rows.
func (p *pdfDoc) kv(rows [][2]string) {
	var rs [][]string
	for _, r := range rows {
		if strings.TrimSpace(r[1]) != "" {
			rs = append(rs, []string{r[0], r[1]})
		}
	}
	p.table([]col{{"", 38, false}, {"", 144, false}}, rs)
}

func (p *pdfDoc) summary() {
	cr := p.cr
	p.font("B", 9)
	p.markingColor()
	if cr.Public() {
		p.SetDrawColor(45, 106, 58)
	} else {
		p.SetDrawColor(139, 0, 0)
	}
	p.MultiCell(bodyW, 5, pdfText(cr.Marking.Label, false), "LTR", "L", false)
	p.font("", 8)
	p.SetTextColor(27, 31, 36)
	p.MultiCell(bodyW, 4, pdfText(cr.Marking.Note, false), "LBR", "L", false)
	p.Ln(3)
	p.font("B", 16)
	p.MultiCell(bodyW, 7, pdfText(cr.ID+" — "+cr.Title, false), "", "L", false)
	p.font("", 8)
	p.SetTextColor(90, 90, 90)
	p.MultiCell(bodyW, 4, pdfText(fmt.Sprintf("Cybersecurity review report, generated %s for the audience %s.", dateTime(cr.GeneratedAt), cr.Audience), false), "", "L", false)
	p.SetTextColor(27, 31, 36)
	p.h2("Summary and decision")
	p.para(cr.Summary() + ".")
	if !cr.Public() {
		top, id := cr.topScore()
		topS := "-"
		if id != "" {
			topS = fmt.Sprintf("%d (%s, %s)", top, id, Band(top))
		}
		p.kv([][2]string{{"working days elapsed", fmt.Sprint(cr.ElapsedWorkingDays)}, {"highest factor score", topS},
			{"evidence items", fmt.Sprintf("%d (%d withheld from this audience)", len(cr.Evidence), cr.RedactedEvidence)}})
	}
	d := cr.Decision
	if d == nil {
		p.para("No decision has been recorded.")
		return
	}
	p.font("B", 11)
	if d.Outcome == review.NotPassed {
		p.SetTextColor(176, 0, 0)
	} else {
		p.SetTextColor(45, 106, 58)
	}
	p.MultiCell(bodyW, 6, pdfText("Decision: "+d.Outcome, false), "", "L", false)
	p.SetTextColor(27, 31, 36)
	rows := [][2]string{{"date", d.Date}, {"body", d.Body}, {"rationale", d.Rationale}, {"public statement", d.Statement}}
	if d.Actor != "" {
		rows = append(rows, [2]string{"recorded by", d.Actor + " at " + dateTime(d.At)})
	}
	if r := d.Restriction; r != nil {
		rows = append(rows, [2]string{"restriction", fmt.Sprintf("restricted entry for %s (%s) effective %s; later screenings find it", r.Vendor, r.ScopeKind, r.Effective)})
	}
	p.kv(rows)
	if len(d.Commitments) > 0 {
		p.h3("Commitments and monitoring")
		overdue := map[string]bool{}
		for _, s := range cr.Commitments {
			overdue[s.ID] = s.Overdue
		}
		var rs [][]string
		for _, c := range d.Commitments {
			st := c.Status
			if overdue[c.ID] {
				st += " (overdue)"
			}
			for _, b := range c.Breaches {
				st += fmt.Sprintf("\nbreach %s: %s (reopened as %s)", b.Date, b.Report, b.ReopenedAs)
			}
			rs = append(rs, []string{c.ID, c.Type, c.Maker, c.Text, orDash(c.Due), orDash(c.Metric), st})
		}
		p.table([]col{{"id", 8, false}, {"type", 30, false}, {"maker", 30, false}, {"commitment", 46, false}, {"due", 17, false}, {"metric", 23, false}, {"status", 28, false}}, rs)
	}
	if cr.Reopens != "" {
		p.para("This case reopens " + cr.Reopens + " after a commitment breach.")
	}
}

func (p *pdfDoc) scope() {
	cr := p.cr
	p.h2("Scope")
	created := dateTime(cr.Created)
	if cr.CreatedBy != "" {
		created += " by " + cr.CreatedBy
	}
	p.kv([][2]string{{"trigger", string(cr.Trigger)}, {"scope", string(cr.Scope.Kind)}, {"vendor", cr.Scope.Vendor},
		{"applicant (operator)", cr.Scope.Operator}, {"calendar", cr.Calendar}, {"opened", created},
		{"deployments", strings.Join(cr.Scope.Deployments, "\n")}})
	if len(cr.Scope.Products) > 0 {
		var rs [][]string
		for _, pr := range cr.Scope.Products {
			rs = append(rs, []string{pr.Name, strings.Join(pr.Versions, ", ")})
		}
		p.table([]col{{"product", 80, false}, {"versions reviewed", 102, false}}, rs)
	}
}

func (p *pdfDoc) factors() {
	cr := p.cr
	p.h2("Factor assessment (F1–F7)")
	p.para("Each factor keeps the automated proposal and the reviewer's assessment. Scores are likelihood × impact on 1–5 scales. In the matrix, bold labels are reviewer assessments and bracketed grey labels automated proposals.")
	p.matrix()
	for _, f := range cr.Factors {
		p.h3(f.ID + " — " + f.Title)
		prop, asmt := "none", "not yet assessed"
		if pr := f.Proposal; pr != nil {
			prop = fmt.Sprintf("%s, source %s, %s\n%s", scoreText(pr.Score), pr.Source, dateTime(pr.At), pr.Summary)
		}
		if a := f.Assessment; a != nil {
			asmt = fmt.Sprintf("%s, %s by %s, %s\nRationale: %s", scoreText(a.Score), a.Outcome, a.Actor, dateTime(a.At), a.Rationale)
		}
		rows := [][]string{{"automated proposal", prop}, {"reviewer assessment", asmt}}
		for _, h := range f.History {
			rows = append(rows, []string{"earlier assessment", fmt.Sprintf("%s, %s by %s, %s: %s", scoreText(h.Score), h.Outcome, h.Actor, dateTime(h.At), h.Rationale)})
		}
		if len(f.Evidence) > 0 {
			var links []string
			for _, sha := range f.Evidence {
				links = append(links, sha+"  "+p.evidenceName(sha))
			}
			rows = append(rows, []string{"evidence (sha256)", strings.Join(links, "\n")})
		}
		p.table([]col{{"", 34, false}, {"", 148, false}}, rows)
	}
}

// evidenceName names an evidence item linked from a factor.
func (p *pdfDoc) evidenceName(sha string) string {
	for _, e := range p.cr.Evidence {
		if e.SHA256 == sha {
			if e.Redacted {
				return "(withheld)"
			}
			return e.Name
		}
	}
	return ""
}

// matrix draws the likelihood × impact matrix.
func (p *pdfDoc) matrix() {
	const cell, left = 18.0, 22.0
	h := 5*cell + 14
	if p.GetY()+h > 297-marginBot {
		p.AddPage()
	}
	x0, y0 := marginL+left, p.GetY()+2
	m := p.cr.RiskMatrix()
	fill := map[string][3]int{"high": {244, 182, 182}, "medium": {251, 227, 166}, "low": {215, 236, 201}, "minimal": {238, 245, 234}}
	p.SetDrawColor(255, 255, 255)
	p.SetLineWidth(0.6)
	for r := range 5 {
		for c := range 5 {
			ce := m[r][c]
			x, y := x0+float64(c)*cell, y0+float64(r)*cell
			col := fill[Band(ce.Score())]
			p.SetFillColor(col[0], col[1], col[2])
			p.Rect(x, y, cell, cell, "FD")
			p.font("", 6)
			p.SetTextColor(90, 90, 90)
			p.SetXY(x+cell-7, y+1)
			p.CellFormat(6, 3, fmt.Sprint(ce.Score()), "", 0, "R", false, 0, "")
			line := 0.0
			labels := func(ids []string, style string, fmtS string, grey bool) {
				p.font(style, 7.5)
				if grey {
					p.SetTextColor(87, 96, 106)
				} else {
					p.SetTextColor(27, 31, 36)
				}
				// Two labels per line to fit all seven factors in one cell.
				for i := 0; i < len(ids); i += 2 {
					s := fmt.Sprintf(fmtS, ids[i])
					if i+1 < len(ids) {
						s += " " + fmt.Sprintf(fmtS, ids[i+1])
					}
					p.SetXY(x+1.5, y+5+line*3.6)
					p.CellFormat(cell-2, 3.6, pdfText(s, false), "", 0, "L", false, 0, "")
					line++
				}
			}
			labels(ce.Assessed, "B", "%s", false)
			labels(ce.Proposed, "", "(%s)", true)
		}
		p.font("", 7.5)
		p.SetTextColor(87, 96, 106)
		p.SetXY(x0-7, y0+float64(r)*cell+cell/2-2)
		p.CellFormat(5, 4, fmt.Sprint(5-r), "", 0, "R", false, 0, "")
	}
	for c := range 5 {
		p.SetXY(x0+float64(c)*cell, y0+5*cell+1)
		p.CellFormat(cell, 4, fmt.Sprint(c+1), "", 0, "C", false, 0, "")
	}
	p.SetXY(x0, y0+5*cell+5)
	p.CellFormat(5*cell, 4, "impact →", "", 0, "C", false, 0, "")
	p.TransformBegin()
	p.TransformRotate(90, marginL+12, y0+2.5*cell)
	p.SetXY(marginL+12-15, y0+2.5*cell-2)
	p.CellFormat(30, 4, "likelihood →", "", 0, "C", false, 0, "")
	p.TransformEnd()
	// Legend and summary table to the right of the matrix.
	lx := x0 + 5*cell + 6
	p.SetXY(lx, y0)
	p.SetTextColor(27, 31, 36)
	p.font("B", 7.8)
	p.CellFormat(11, 5, "factor", "B", 0, "L", false, 0, "")
	p.CellFormat(15, 5, "proposal", "B", 0, "L", false, 0, "")
	p.CellFormat(36, 5, "assessment", "B", 1, "L", false, 0, "")
	p.font("", 7.8)
	for _, f := range p.cr.Factors {
		p.SetX(lx)
		prop, asmt := "-", "-"
		if f.Proposal != nil {
			prop = fmt.Sprint(f.Proposal.Score.Score)
		}
		if f.Assessment != nil {
			asmt = fmt.Sprintf("%d %s (%s)", f.Assessment.Score.Score, strings.ToLower(f.Assessment.Outcome), Band(f.Assessment.Score.Score))
		}
		p.CellFormat(11, 4.5, pdfText(f.ID, false), "", 0, "L", false, 0, "")
		p.CellFormat(15, 4.5, prop, "", 0, "L", false, 0, "")
		p.CellFormat(36, 4.5, pdfText(asmt, false), "", 1, "L", false, 0, "")
	}
	p.SetLineWidth(0.2)
	p.SetTextColor(27, 31, 36)
	p.SetXY(marginL, y0+h)
}

// bars draws horizontal severity bars.
func (p *pdfDoc) bars(cs []Count) {
	colors := map[string][3]int{"critical": {139, 0, 0}, "high": {209, 36, 47}, "medium": {212, 167, 44}, "low": {84, 174, 255}, "info": {84, 174, 255}}
	most := 0
	for _, c := range cs {
		most = max(most, c.Count)
	}
	h := float64(len(cs))*4.6 + 2
	if p.GetY()+h > 297-marginBot {
		p.AddPage()
	}
	y := p.GetY()
	p.font("", 7.5)
	for i, c := range cs {
		yy := y + float64(i)*4.6
		p.SetXY(marginL, yy)
		p.CellFormat(22, 4, c.Level, "", 0, "L", false, 0, "")
		w := 0.0
		if most > 0 {
			w = 100 * float64(c.Count) / float64(most)
		}
		col, ok := colors[c.Level]
		if !ok {
			col = [3]int{170, 170, 170}
		}
		p.SetFillColor(col[0], col[1], col[2])
		if w > 0 {
			p.Rect(marginL+24, yy+0.5, w, 3.2, "F")
		}
		p.SetXY(marginL+26+w, yy)
		p.CellFormat(12, 4, fmt.Sprint(c.Count), "", 0, "L", false, 0, "")
	}
	p.SetXY(marginL, y+h)
}

func (p *pdfDoc) findings() {
	cr := p.cr
	p.h2("Findings from the evidence")
	if len(cr.EvidenceFindings) == 0 {
		p.para("No scan, firmware or supplier findings documents among the evidence visible to this audience.")
	}
	for _, ef := range cr.EvidenceFindings {
		p.h3(ef.Name + "  (" + short(ef.SHA256) + ")")
		if ef.Error != "" {
			p.para("Not summarised: " + ef.Error)
		}
		if s := ef.Scan; s != nil {
			p.para(ef.Headline() + ".")
			p.bars(s.BySeverity)
			if len(s.Top) > 0 {
				var rs [][]string
				for _, t := range s.Top {
					kev := ""
					if t.KEV {
						kev = "KEV"
					}
					rs = append(rs, []string{fmt.Sprintf("%s %.1f", t.Severity, t.Score), t.ID + "\n" + t.Summary, t.Component + " " + t.Version, t.Fixed, kev})
				}
				p.table([]col{{"severity", 20, false}, {"vulnerability", 70, false}, {"component", 44, false}, {"fixed in", 36, false}, {"KEV", 12, false}}, rs)
				if s.Findings > len(s.Top) {
					p.para(fmt.Sprintf("Top %d of %d findings.", len(s.Top), s.Findings))
				}
			}
			if len(s.TopProblems) > 0 {
				p.para(fmt.Sprintf("Firmware problems: %d.", s.Problems))
				p.bars(s.ProblemsBy)
				var rs [][]string
				for _, pr := range s.TopProblems {
					rs = append(rs, []string{pr.Severity, pr.Category, pr.Path, pr.Detail, pr.Confidence})
				}
				p.table([]col{{"severity", 16, false}, {"category", 30, false}, {"path", 46, false}, {"detail", 72, false}, {"confidence", 18, false}}, rs)
			}
		}
		if d := ef.Supplier; d != nil {
			p.para(ef.Headline() + ".")
			var rs [][]string
			for _, fl := range d.Flagged {
				rs = append(rs, []string{fl.Role, fl.Subject, fl.Decision, fmt.Sprint(fl.Matches)})
			}
			if len(rs) > 0 {
				p.table([]col{{"role", 26, false}, {"party", 100, false}, {"screening", 30, false}, {"matches", 26, false}}, rs)
			}
			rs = nil
			for _, fl := range d.Factors {
				rs = append(rs, []string{fl.Factor, fl.Level, strings.Join(fl.Evidence, "\n")})
			}
			if len(rs) > 0 {
				p.table([]col{{"factor", 16, false}, {"level", 20, false}, {"evidence", 146, false}}, rs)
			}
		}
	}
}

func (p *pdfDoc) evidence() {
	cr := p.cr
	p.h2("Evidence")
	if len(cr.Evidence) == 0 {
		p.para("No evidence attached.")
		return
	}
	var rs [][]string
	for _, e := range cr.Evidence {
		name := fmt.Sprintf("%s\n%d bytes", e.Name, e.Size)
		issuer := strings.TrimSpace(e.Issuer + " " + e.Date)
		if e.ValidUntil != "" {
			issuer += "\nvalid until " + e.ValidUntil
		}
		if e.Redacted {
			name, issuer = "withheld (Art. 17)", ""
		}
		rs = append(rs, []string{e.SHA256, name, e.Type, e.Confidentiality + "\n" + e.Consent, strings.Join(e.Factors, " "), issuer})
	}
	p.table([]col{{"sha256", 36, true}, {"name", 44, false}, {"type", 30, false}, {"class / consent", 30, false}, {"factors", 14, false}, {"issuer, date", 28, false}}, rs)
}

func (p *pdfDoc) opinions() {
	if len(p.cr.Opinions) == 0 {
		return
	}
	p.h2("Opinions")
	var rs [][]string
	for _, o := range p.cr.Opinions {
		rs = append(rs, []string{o.From, o.Received, o.Position, o.Text})
	}
	p.table([]col{{"from", 40, false}, {"received", 20, false}, {"position", 22, false}, {"text", 100, false}}, rs)
}

func (p *pdfDoc) timeline() {
	cr := p.cr
	p.h2("Timeline and deadlines")
	p.para("A limit of N working days from date D ends on the N-th working day after D (D itself never counts); working days paused while requested materials are outstanding do not count (Art. 15).")
	p.timelineChart()
	if cr.DeadlinesError != "" {
		p.para("Deadlines unavailable: " + cr.DeadlinesError)
	}
	if len(cr.Deadlines) > 0 {
		var rs [][]string
		for _, d := range cr.Deadlines {
			limit := fmt.Sprintf("%d WD", d.WorkingDays)
			if d.ExtensionDays > 0 {
				limit += fmt.Sprintf(" + %d", d.ExtensionDays)
			}
			var pauses []string
			for _, ps := range d.Pauses {
				pauses = append(pauses, fmt.Sprintf("%s – %s: %s", ps.From, orDash(ps.To), ps.Reason))
			}
			left := d.End
			if left == "" {
				left = fmt.Sprintf("%d WD left", d.Remaining)
			}
			basis := d.Basis
			if d.StartCalendarVersion != "" {
				basis += "; started under calendar version " + d.StartCalendarVersion
			}
			rs = append(rs, []string{string(d.State), d.Start, limit, orDash(strings.Join(pauses, "\n")), orDash(d.Due), left, d.Status, basis})
		}
		p.table([]col{{"stage", 26, false}, {"start", 17, false}, {"limit", 14, false}, {"pauses", 30, false}, {"due", 17, false}, {"end / left", 17, false}, {"status", 16, false}, {"basis", 45, false}}, rs)
	}
	p.h3("Transitions")
	var rs [][]string
	for _, t := range cr.Transitions {
		rs = append(rs, []string{t.Date, t.Action, orDash(string(t.From)) + " → " + string(t.To), t.Actor, t.Reason})
	}
	p.table([]col{{"date", 18, false}, {"action", 24, false}, {"from → to", 50, false}, {"actor", 24, false}, {"reason", 66, false}}, rs)
}

// timelineChart draws the clock bars on a date axis.
func (p *pdfDoc) timelineChart() {
	tl, ok := newTimeline(p.cr)
	if !ok {
		return
	}
	const left, rowH = 46.0, 6.0
	width := bodyW - left - 4
	h := float64(len(tl.rows))*rowH + 10
	if p.GetY()+h > 297-marginBot {
		p.AddPage()
	}
	y0 := p.GetY() + 1
	x := func(f float64) float64 { return marginL + left + f*width }
	for i, r := range tl.rows {
		y := y0 + float64(i)*rowH
		p.font("", 7.5)
		p.SetTextColor(27, 31, 36)
		p.SetXY(marginL, y)
		p.CellFormat(left-2, 4.5, pdfText(shortenLabel(r.Label, 30), false), "", 0, "L", false, 0, "")
		if r.Marker {
			cx := x(tl.frac(r.Due))
			p.SetFillColor(111, 66, 193)
			p.Polygon([]fpdf.PointType{{X: cx, Y: y}, {X: cx + 2.2, Y: y + 2.2}, {X: cx, Y: y + 4.4}, {X: cx - 2.2, Y: y + 2.2}}, "F")
			continue
		}
		x0, x1 := x(tl.frac(r.Start)), x(tl.frac(r.End))
		c := map[string][3]int{review.DeadlineMet: {76, 154, 91}, review.DeadlineRunning: {59, 120, 194}, review.DeadlinePaused: {140, 149, 159},
			review.DeadlineOverdue: {209, 36, 47}, review.DeadlineMissed: {209, 36, 47}}[r.Status]
		if c == [3]int{} {
			c = [3]int{140, 149, 159}
		}
		p.SetFillColor(c[0], c[1], c[2])
		p.Rect(x0, y+0.5, max(0.6, x1-x0), 3.6, "F")
		for _, ps := range r.Pauses {
			p0, p1 := x(tl.frac(ps[0])), x(tl.frac(ps[1]))
			p.SetFillColor(201, 206, 212)
			p.SetDrawColor(87, 96, 106)
			p.SetLineWidth(0.15)
			p.Rect(p0, y+0.5, max(0.6, p1-p0), 3.6, "FD")
		}
		if !r.Due.IsZero() {
			dx := x(tl.frac(r.Due))
			p.SetDrawColor(209, 36, 47)
			p.SetLineWidth(0.6)
			p.Line(dx, y-0.4, dx, y+5)
			p.SetLineWidth(0.2)
		}
	}
	axisY := y0 + float64(len(tl.rows))*rowH + 1
	p.SetDrawColor(87, 96, 106)
	p.Line(x(0), axisY, x(1), axisY)
	p.font("", 6.5)
	p.SetTextColor(87, 96, 106)
	for _, tk := range tl.ticks(6) {
		tx := x(tl.frac(tk))
		p.Line(tx, axisY, tx, axisY+1)
		p.SetXY(tx-10, axisY+1.2)
		p.CellFormat(20, 3.5, tk.Format("2006-01-02"), "", 0, "C", false, 0, "")
	}
	p.SetXY(marginL, axisY+5)
	p.para("Bars: stage from its start to its end (or today); green met, blue running, red overdue or missed, grey paused; hatched grey: clock paused; red tick: statutory due date; purple diamond: commitment due.")
	p.SetTextColor(27, 31, 36)
}

func (p *pdfDoc) audit() {
	cr := p.cr
	p.h2("Audit checkpoint")
	a := cr.Audit
	if a == nil {
		p.para("No audit checkpoint was available when this report was made.")
		return
	}
	p.para(fmt.Sprintf("The audit log held %d records when this report was made. The case's latest record is number %d (%d records for this case). To verify, save the signed checkpoint below to a file and run: assay audit verify --checkpoint FILE", a.LogSize, a.CaseLastSeq, a.CaseRecords))
	p.table([]col{{"", 38, false}, {"", 144, false}}, [][]string{
		{"case state sha256", a.CaseStateSHA256}, {"log root (base64)", a.Root}, {"signed checkpoint", a.Checkpoint}, {"verifier key", a.VerifierKey},
	})
}
