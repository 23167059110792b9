package report

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"strings"
	"sync"

	"github.com/assayhq/assay/scan"
)

// HTML writes the result as one self-contained HTML page (no external
// scripts, styles or fonts): a summary with charts drawn as inline SVG
// (findings by severity, by target), the findings table, and every
// component that could not be assessed.
func HTML(w io.Writer, res *scan.Result) error {
	return htmlTemplate().Execute(w, newHTMLView(res))
}

type bar struct {
	Label string
	Count int
	Width float64 // percent of the widest bar
	Class string
}

type htmlView struct {
	Res        *scan.Result
	Active     []scan.Finding
	Suppressed []scan.Finding
	BySeverity []bar
	ByTarget   []bar
	KEV        int
	Unassessed int
}

func newHTMLView(res *scan.Result) htmlView {
	v := htmlView{Res: res}
	sev := map[string]int{}
	tgt := map[string]int{}
	for _, f := range res.Findings {
		if f.Suppressed != nil {
			v.Suppressed = append(v.Suppressed, f)
			continue
		}
		v.Active = append(v.Active, f)
		sev[f.Severity.Level]++
		tgt[f.Target]++
		if f.KEV != nil {
			v.KEV++
		}
	}
	for _, l := range []string{"critical", "high", "medium", "low", "none", "unknown"} {
		v.BySeverity = append(v.BySeverity, bar{Label: l, Count: sev[l], Class: l})
	}
	for _, t := range res.Targets {
		v.ByTarget = append(v.ByTarget, bar{Label: t.Path, Count: tgt[t.Path], Class: "target"})
		v.Unassessed += len(t.Unassessed)
	}
	scale(v.BySeverity)
	scale(v.ByTarget)
	return v
}

func scale(bars []bar) {
	most := 0
	for _, b := range bars {
		most = max(most, b.Count)
	}
	for i := range bars {
		if most > 0 {
			bars[i].Width = 100 * float64(bars[i].Count) / float64(most)
		}
	}
}

// barChart draws horizontal bars as inline SVG.
func barChart(bars []bar, label string) template.HTML {
	var b strings.Builder
	h := 24*len(bars) + 4
	fmt.Fprintf(&b, `<svg width="720" height="%d" viewBox="0 0 720 %d" role="img" aria-label="%s">`, h, h, html.EscapeString(label))
	for i, br := range bars {
		y := 4 + 24*i
		fmt.Fprintf(&b, `<text x="0" y="%d">%s</text>`, y+14, html.EscapeString(shorten(br.Label, 38)))
		fmt.Fprintf(&b, `<rect class="%s" x="260" y="%d" width="%.1f" height="18" rx="2"></rect>`, br.Class, y, 4*br.Width)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%d</text>`, 266+4*br.Width, y+14, br.Count)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n+1:]
}

// htmlTemplate is the scan report page, parsed on first use so that
// commands which never write HTML do not pay for it at start-up.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("scan").Funcs(template.FuncMap{
		"chart": barChart,
		"join":  func(ss []string) string { return strings.Join(ss, ", ") },
		"score": func(f scan.Finding) string {
			if f.Severity.Level == "unknown" {
				return "unknown"
			}
			return fmt.Sprintf("%s %.1f", f.Severity.Level, f.Severity.Score)
		},
		"epss": func(f scan.Finding) string {
			if f.EPSS == nil {
				return ""
			}
			return fmt.Sprintf("%.3f", f.EPSS.Score)
		},
	}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Assay scan report</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1b1f24;max-width:1200px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f6f8fa}rect.critical{fill:#8b0000}rect.high{fill:#d1242f}rect.medium{fill:#d4a72c}rect.low{fill:#54aeff}rect.none,rect.unknown{fill:#aaa}rect.target{fill:#6e7781}
span.sev{padding:0 .4rem;border-radius:3px;white-space:nowrap}span.critical{background:#8b0000;color:#fff}span.high{background:#d1242f;color:#fff}span.medium{background:#d4a72c}span.low{background:#54aeff}span.none,span.unknown,span.info{background:#ddd}
.kev{font-weight:bold;color:#8b0000}.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.8rem 1.2rem;min-width:9rem}
.card b{display:block;font-size:1.6rem}.warn{border-color:#d4a72c;background:#fff8e1}svg text{font-size:12px;font-family:inherit}code{font-size:.8rem}
</style></head><body>
<h1>Assay scan report</h1>
<p>Advisory database snapshot <code>{{.Res.DB.Snapshot}}</code>, built {{.Res.DB.BuiltAt}}, {{.Res.DB.Advisories}} advisories.</p>
<div class="cards">
<div class="card"><b>{{len .Active}}</b>findings</div>
<div class="card"><b>{{.KEV}}</b>known exploited (KEV)</div>
<div class="card"><b>{{len .Suppressed}}</b>suppressed (VEX, ignore rules)</div>
<div class="card{{if .Unassessed}} warn{{end}}"><b>{{.Unassessed}}</b>not assessed</div>
{{if .Res.Problems}}<div class="card warn"><b>{{len .Res.Problems}}</b>hidden problems in firmware</div>{{end}}
</div>
<h2>Findings by severity</h2>
{{chart .BySeverity "findings by severity"}}
<h2>Targets</h2>
{{chart .ByTarget "findings by target"}}
<table><tr><th>target</th><th>kind</th><th>components</th><th>assessed</th><th>not assessed</th></tr>
{{range .Res.Targets}}<tr><td>{{.Path}}</td><td>{{.Kind}} {{.Format}}</td><td>{{.Components}}</td><td>{{.Assessed}}</td><td>{{len .Unassessed}}</td></tr>
{{end}}</table>
<h2>Findings</h2>
{{if .Active}}<table><tr><th>severity</th><th>vulnerability</th><th>component</th><th>fixed in</th><th>KEV</th><th>EPSS</th><th>why it matched</th></tr>
{{range .Active}}<tr><td><span class="sev {{.Severity.Level}}">{{score .}}</span></td>
<td><b>{{.ID}}</b><br><small>{{join .Aliases}}</small><br>{{.Summary}}</td>
<td>{{.Component.Name}} {{.Component.Version}}<br><small>{{.Component.PURL}}</small></td>
<td>{{join .Fixed}}</td><td>{{if .KEV}}<span class="kev">KEV {{.KEV.DateAdded}}</span>{{end}}</td><td>{{epss .}}</td>
<td><small>{{.Match.By}}: {{.Match.Rule}}</small></td></tr>
{{end}}</table>{{else}}<p>No unsuppressed findings among the assessed components{{if .Unassessed}} — but {{.Unassessed}} parts were not assessed (below){{end}}.</p>{{end}}
{{if .Res.Problems}}<h2>Hidden problems in firmware</h2>
<table><tr><th>severity</th><th>category</th><th>where</th><th>detail</th><th>evidence</th></tr>
{{range .Res.Problems}}<tr><td><span class="sev {{.Severity}}">{{.Severity}}</span><br><small>{{.Confidence}} confidence</small></td><td>{{.Category}}</td>
<td><code>{{.Path}}</code>{{if .Container}}<br><small>in {{join .Container}}</small>{{end}}<br><small>{{.Target}}</small></td><td>{{.Detail}}</td><td><small><code>{{.Evidence}}</code></small></td></tr>
{{end}}</table>{{end}}
{{if .Res.Components}}<h2>Components found in firmware</h2>
<table><tr><th>component</th><th>version</th><th>where</th><th>identified by</th><th>end of life</th></tr>
{{range .Res.Components}}<tr><td>{{.Name}}<br><small>{{.PURL}}</small></td><td>{{.Version}}</td><td><code>{{.Location.Path}}</code>{{if .Location.Container}}<br><small>in {{join .Location.Container}}</small>{{end}}</td>
<td><small>{{.Evidence}}</small></td><td>{{if .EOL}}<span class="sev high">EOL {{.EOLDate}}</span>{{end}}</td></tr>
{{end}}</table>{{end}}
{{if .Suppressed}}<h2>Suppressed</h2><table><tr><th>vulnerability</th><th>component</th><th>by</th><th>reason</th></tr>
{{range .Suppressed}}<tr><td>{{.ID}}</td><td>{{.Component.Name}} {{.Component.Version}}</td><td>{{.Suppressed.By}}</td><td>{{.Suppressed.Reason}}</td></tr>
{{end}}</table>{{end}}
{{if .Unassessed}}<h2>Not assessed</h2><p>Absence of findings says nothing about these.</p><table><tr><th>target</th><th>path</th><th>reason</th></tr>
{{range $t := .Res.Targets}}{{range .Unassessed}}<tr><td>{{$t.Path}}</td><td>{{.Path}}</td><td>{{.Reason}}</td></tr>
{{end}}{{end}}</table>{{end}}
</body></html>
`))
})
