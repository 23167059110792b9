package report

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"

	"github.com/assayhq/assay/review"
)

// bandColor is the fill of a risk-matrix cell by band.
var bandColor = map[string]string{"high": "#f4b6b6", "medium": "#fbe3a6", "low": "#d7ecc9", "minimal": "#eef5ea"}

// matrixSVG draws the likelihood × impact matrix: assessed factors in
// bold, proposals in grey italics.
func matrixSVG(m [5][5]Cell) template.HTML {
	const cell, left, top = 96, 40, 10
	var b strings.Builder
	w, h := left+5*cell+10, top+5*cell+44
	fmt.Fprintf(&b, `<svg width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="likelihood by impact risk matrix">`, w, h, w, h)
	for r := range 5 {
		for c := range 5 {
			ce := m[r][c]
			x, y := left+c*cell, top+r*cell
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff" stroke-width="2"></rect>`,
				x, y, cell, cell, bandColor[Band(ce.Score())])
			fmt.Fprintf(&b, `<text x="%d" y="%d" class="cellscore">%d</text>`, x+cell-6, y+14, ce.Score())
			line := 0
			for _, id := range ce.Assessed {
				fmt.Fprintf(&b, `<text x="%d" y="%d" class="assessed">%s</text>`, x+6, y+30+14*line, html.EscapeString(id))
				line++
			}
			for _, id := range ce.Proposed {
				fmt.Fprintf(&b, `<text x="%d" y="%d" class="proposed">(%s)</text>`, x+6, y+30+14*line, html.EscapeString(id))
				line++
			}
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis">%d</text>`, left-14, top+r*cell+cell/2+4, 5-r)
	}
	for c := range 5 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis">%d</text>`, left+c*cell+cell/2-3, top+5*cell+16, c+1)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis">impact →</text>`, left+5*cell/2-24, top+5*cell+36)
	fmt.Fprintf(&b, `<text x="12" y="%d" class="axis" transform="rotate(-90 12 %d)">likelihood →</text>`, top+5*cell/2+30, top+5*cell/2+30)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// timeline is the geometry of the clock chart shared by HTML and PDF.
type timeline struct {
	first, last time.Time
	rows        []timelineRow
}

type timelineRow struct {
	Label      string
	Start, End time.Time // the bar (End: stage end, or today)
	Due        time.Time // zero when unknown (paused)
	Pauses     [][2]time.Time
	Status     string
	Marker     bool // a point (commitment due date), not a bar
}

func parseDay(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02", s)
	return t, err == nil
}

// newTimeline lays out the stages of the deadlines and the commitment due
// dates on one date axis. ok is false when there is nothing to draw.
func newTimeline(cr *CaseReport) (tl timeline, ok bool) {
	today := cr.GeneratedAt.UTC().Format("2006-01-02")
	first, last := cr.timeSpan(today)
	for _, cm := range cr.Commitments {
		if cm.Due > last {
			last = cm.Due
		}
	}
	var okF, okL bool
	tl.first, okF = parseDay(first)
	tl.last, okL = parseDay(last)
	if !okF || !okL || !tl.last.After(tl.first) {
		return tl, false
	}
	todayT, _ := parseDay(today)
	for _, d := range cr.Deadlines {
		start, ok := parseDay(d.Start)
		if !ok {
			continue
		}
		row := timelineRow{Label: string(d.State), Start: start, End: todayT, Status: d.Status}
		if e, ok := parseDay(d.End); ok {
			row.End = e
		}
		row.Due, _ = parseDay(d.Due)
		for _, p := range d.Pauses {
			from, ok := parseDay(p.From)
			if !ok {
				continue
			}
			to, ok := parseDay(p.To)
			if !ok {
				to = row.End
			}
			row.Pauses = append(row.Pauses, [2]time.Time{from, to})
		}
		tl.rows = append(tl.rows, row)
	}
	for _, cm := range cr.Commitments {
		if due, ok := parseDay(cm.Due); ok {
			tl.rows = append(tl.rows, timelineRow{Label: cm.ID + " " + cm.Type, Start: due, End: due, Due: due, Status: cm.Status, Marker: true})
		}
	}
	return tl, len(tl.rows) > 0
}

// frac places t on the axis, 0..1.
func (tl timeline) frac(t time.Time) float64 {
	span := tl.last.Sub(tl.first).Hours()
	f := t.Sub(tl.first).Hours() / span
	return min(1, max(0, f))
}

// statusColor colours a stage bar by deadline status.
var statusColor = map[string]string{
	review.DeadlineMet: "#4c9a5b", review.DeadlineRunning: "#3b78c2", review.DeadlinePaused: "#8c959f",
	review.DeadlineOverdue: "#d1242f", review.DeadlineMissed: "#d1242f",
}

// timelineSVG draws each clocked stage as a bar from its start to its end
// (or today), paused periods hatched, the statutory due date as a red
// tick, and commitment due dates as diamonds.
func timelineSVG(cr *CaseReport) template.HTML {
	tl, ok := newTimeline(cr)
	if !ok {
		return ""
	}
	const left, width, rowH = 230, 560, 26
	x := func(t time.Time) float64 { return left + tl.frac(t)*width }
	h := rowH*len(tl.rows) + 40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="timeline of clocks and deadlines">`, left+width+50, h, left+width+50, h)
	b.WriteString(`<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#c9ced4"></rect></pattern></defs>`)
	for i, r := range tl.rows {
		y := 6 + i*rowH
		fmt.Fprintf(&b, `<text x="0" y="%d">%s</text>`, y+14, html.EscapeString(shortenLabel(r.Label, 34)))
		if r.Marker {
			cx := x(r.Due)
			fmt.Fprintf(&b, `<path d="M%.1f %d l7 9 l-7 9 l-7 -9 z" fill="#6f42c1"><title>%s due %s</title></path>`, cx, y, html.EscapeString(r.Label), r.Due.Format("2006-01-02"))
			continue
		}
		x0, x1 := x(r.Start), x(r.End)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="16" rx="2" fill="%s"><title>%s %s</title></rect>`,
			x0, y+2, max(2, x1-x0), statusColor[r.Status], html.EscapeString(r.Label), html.EscapeString(r.Status))
		for _, p := range r.Pauses {
			p0, p1 := x(p[0]), x(p[1])
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="16" fill="url(#hatch)" stroke="#57606a" stroke-width="0.5"><title>paused %s to %s</title></rect>`,
				p0, y+2, max(2, p1-p0), p[0].Format("2006-01-02"), p[1].Format("2006-01-02"))
		}
		if !r.Due.IsZero() {
			dx := x(r.Due)
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#d1242f" stroke-width="2"><title>due %s</title></line>`, dx, dx, y, y+20, r.Due.Format("2006-01-02"))
		}
	}
	axisY := 6 + len(tl.rows)*rowH + 4
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#57606a"></line>`, left, left+width, axisY, axisY)
	for _, tk := range tl.ticks(6) {
		tx := x(tk)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#57606a"></line><text x="%.1f" y="%d" class="tick">%s</text>`,
			tx, tx, axisY, axisY+4, tx-30, axisY+18, tk.Format("2006-01-02"))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// ticks returns up to n evenly spaced dates including both ends.
func (tl timeline) ticks(n int) []time.Time {
	days := int(tl.last.Sub(tl.first).Hours() / 24)
	step := max(1, days/(n-1))
	var out []time.Time
	for d := 0; d < days; d += step {
		out = append(out, tl.first.AddDate(0, 0, d))
	}
	if len(out) > 0 && tl.last.Sub(out[len(out)-1]).Hours() < float64(step)*12 {
		out = out[:len(out)-1]
	}
	return append(out, tl.last)
}

func shortenLabel(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
