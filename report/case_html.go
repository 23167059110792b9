package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"

	"github.com/assayhq/assay/review"
)

// CaseHTML writes the case report as one self-contained HTML page: inline
// CSS, charts as inline SVG, no scripts and no external references.
func CaseHTML(w io.Writer, cr *CaseReport) error {
	if err := caseTemplate().Execute(w, newCaseView(cr)); err != nil {
		return fmt.Errorf("case %s: html: %w", cr.ID, err)
	}
	return nil
}

// caseView is what the templates read.
type caseView struct {
	*CaseReport
	Today    string
	Matrix   [5][5]Cell
	TopScore int
	TopID    string
	evidence map[string]review.Evidence
}

func newCaseView(cr *CaseReport) caseView {
	v := caseView{CaseReport: cr, Today: cr.GeneratedAt.UTC().Format("2006-01-02"), Matrix: cr.RiskMatrix(),
		evidence: map[string]review.Evidence{}}
	v.TopScore, v.TopID = cr.topScore()
	for _, e := range cr.Evidence {
		v.evidence[e.SHA256] = e
	}
	return v
}

// EvidenceName names an evidence item for a link.
func (v caseView) EvidenceName(sha string) string {
	e, ok := v.evidence[sha]
	switch {
	case !ok:
		return short(sha)
	case e.Redacted:
		return short(sha) + " (withheld)"
	}
	return short(sha) + " " + e.Name
}

// severityBars turns counts into chart bars.
func severityBars(cs []Count) []bar {
	bars := make([]bar, 0, len(cs))
	for _, c := range cs {
		class := c.Level
		if class == "info" {
			class = "low"
		}
		bars = append(bars, bar{Label: c.Level, Count: c.Count, Class: class})
	}
	scale(bars)
	return bars
}

var caseFuncs = template.FuncMap{
	"matrix":   matrixSVG,
	"timeline": timelineSVG,
	"sevchart": func(cs []Count, label string) template.HTML { return barChart(severityBars(cs), label) },
	"score":    scoreText,
	"band":     Band,
	"short":    short,
	"dash":     orDash,
	"at":       dateTime,
	"lower":    strings.ToLower,
	"join":     func(ss []string) string { return strings.Join(ss, ", ") },
	"products": func(ps []review.Product) string {
		var out []string
		for _, p := range ps {
			s := p.Name
			if len(p.Versions) > 0 {
				s += " " + strings.Join(p.Versions, ", ")
			}
			out = append(out, s)
		}
		return strings.Join(out, "; ")
	},
}

// caseTemplate is the case report page, parsed on first use (see
// htmlTemplate).
var caseTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("case").Funcs(caseFuncs).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.ID}} {{.Title}} — Assay review report</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;color:#1b1f24;max-width:1100px;padding:0 1rem;line-height:1.4}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1rem;margin-bottom:.3rem}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.4rem 0}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f6f8fa}code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.8rem;word-break:break-all}
.marking{border:2px solid #8b0000;color:#8b0000;padding:.4rem .8rem;font-weight:bold;margin:.5rem 0}.marking small{display:block;font-weight:normal;color:#1b1f24}
.marking.PUBLIC{border-color:#4c9a5b;color:#2d6a3a}.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.3rem}.outcome{font-size:1.2rem;font-weight:bold}.NOT_PASSED{color:#b00}.PASSED,.PASSED_WITH_COMMITMENTS{color:#2d6a3a}
span.sev{padding:0 .4rem;border-radius:3px;white-space:nowrap}span.critical{background:#8b0000;color:#fff}span.high{background:#d1242f;color:#fff}span.medium{background:#d4a72c}span.low,span.info{background:#54aeff}span.none,span.unknown{background:#ddd}
span.band{padding:0 .4rem;border-radius:3px}span.band.high{background:#f4b6b6}span.band.medium{background:#fbe3a6}span.band.low{background:#d7ecc9}span.band.minimal{background:#eef5ea}
rect.critical{fill:#8b0000}rect.high{fill:#d1242f}rect.medium{fill:#d4a72c}rect.low{fill:#54aeff}rect.none,rect.unknown{fill:#aaa}
svg text{font-size:12px;font-family:inherit}svg text.assessed{font-weight:bold;font-size:13px}svg text.proposed{fill:#57606a;font-style:italic}svg text.cellscore{fill:#57606a;font-size:10px;text-anchor:end}svg text.axis{fill:#57606a}svg text.tick{font-size:10px;fill:#57606a}
.kev{font-weight:bold;color:#8b0000}.withheld{color:#57606a;font-style:italic}.factor{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:.6rem 0}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.matrixgrid{display:grid;grid-template-columns:auto 1fr;gap:1rem}.nw{white-space:nowrap}.muted{color:#57606a}.overdue{color:#b00;font-weight:bold}pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;font-size:.8rem}
@media print{body{margin:0}h2{break-after:avoid}.factor,tr{break-inside:avoid}}
</style></head><body>
<div class="marking {{.Audience}}" id="marking">{{.Marking.Label}}<small>{{.Marking.Note}}</small></div>
<h1>{{.ID}} — {{.Title}}</h1>
<p class="muted">Cybersecurity review report, generated {{at .GeneratedAt}} for the audience {{.Audience}}.</p>

<section id="summary"><h2>Summary and decision</h2>
<p>{{.Summary}}.</p>
<div class="cards">
<div class="card"><b>{{.State}}</b>state{{if .Paused}} (clock paused){{end}}</div>
{{if not .Public}}<div class="card"><b>{{.ElapsedWorkingDays}}</b>working days elapsed</div>
<div class="card"><b>{{if .TopID}}{{.TopScore}} <small>({{.TopID}})</small>{{else}}-{{end}}</b>highest factor score</div>
<div class="card"><b>{{len .Evidence}}</b>evidence items{{if .RedactedEvidence}} ({{.RedactedEvidence}} withheld){{end}}</div>{{end}}
</div>
{{with .Decision}}
<p class="outcome {{.Outcome}}">Decision: {{.Outcome}}</p>
<table><tr><th>date</th><td>{{.Date}}</td></tr><tr><th>body</th><td>{{.Body}}</td></tr>
{{if .Actor}}<tr><th>recorded by</th><td>{{.Actor}} at {{at .At}}</td></tr>{{end}}
{{if .Rationale}}<tr><th>rationale</th><td>{{.Rationale}}</td></tr>{{end}}
{{if .Statement}}<tr><th>public statement</th><td>{{.Statement}}</td></tr>{{end}}
{{with .Restriction}}<tr><th>restriction</th><td>restricted entry for {{.Vendor}} ({{.ScopeKind}}{{with .Products}}: {{products .}}{{end}}) effective {{.Effective}}; later screenings find it</td></tr>{{end}}
</table>
{{if .Commitments}}<h3 id="commitments">Commitments and monitoring</h3>
<table><tr><th>id</th><th>type</th><th>maker</th><th>commitment</th><th>due</th><th>metric</th><th>status</th></tr>
{{range .Commitments}}<tr><td>{{.ID}}</td><td>{{.Type}}</td><td>{{.Maker}}</td><td>{{.Text}}</td><td class="nw">{{dash .Due}}</td><td>{{dash .Metric}}</td><td>{{.Status}}{{range .Breaches}}<br><span class="overdue">breach {{.Date}}</span>: {{.Report}} (reopened as {{.ReopenedAs}}){{end}}</td></tr>
{{end}}</table>
{{end}}{{else}}<p>No decision has been recorded.</p>{{end}}
{{if .Commitments}}<p>Monitoring on {{.Today}}:{{range .Commitments}} {{.ID}} {{.Status}}{{if .Overdue}} <span class="overdue">(overdue since {{.Due}})</span>{{end}};{{end}}</p>{{end}}
{{if .Reopens}}<p>This case reopens {{.Reopens}} after a commitment breach.</p>{{end}}
</section>

<section id="scope"><h2>Scope</h2>
<table><tr><th>trigger</th><td>{{.Trigger}}</td></tr><tr><th>scope</th><td>{{.Scope.Kind}}</td></tr>
<tr><th>vendor</th><td>{{.Scope.Vendor}}</td></tr>
{{if .Scope.Operator}}<tr><th>applicant (operator)</th><td>{{.Scope.Operator}}</td></tr>{{end}}
<tr><th>working-day calendar</th><td>{{.Calendar}}</td></tr>
<tr><th>opened</th><td>{{at .Created}}{{if .CreatedBy}} by {{.CreatedBy}}{{end}}</td></tr></table>
{{if .Scope.Products}}<table><tr><th>product</th><th>versions reviewed</th></tr>
{{range .Scope.Products}}<tr><td>{{.Name}}</td><td>{{join .Versions}}</td></tr>{{end}}</table>{{end}}
{{if .Scope.Deployments}}<table><tr><th>deployments</th></tr>{{range .Scope.Deployments}}<tr><td>{{.}}</td></tr>{{end}}</table>{{end}}
</section>

{{if .Public}}<p class="withheld">The factor assessment, evidence, findings, opinions and timeline are not part of the public report.</p>{{else}}
<section id="factors"><h2>Factor assessment (F1–F7)</h2>
<p>Each factor keeps the automated proposal and the reviewer's assessment. Scores are likelihood × impact on 1–5 scales.</p>
<div class="matrixgrid"><div>{{matrix .Matrix}}</div>
<div><p><b>F1</b> bold: reviewer assessment; <i>(F1)</i> grey: automated proposal.</p>
<table><tr><th>factor</th><th>proposal</th><th>assessment</th><th>band</th></tr>
{{range .Factors}}<tr><td><a href="#{{.ID}}">{{.ID}}</a></td><td>{{with .Proposal}}{{.Score.Score}}{{else}}-{{end}}</td><td>{{with .Assessment}}{{.Score.Score}} {{lower .Outcome}}{{else}}-{{end}}</td>
<td>{{with .Assessment}}<span class="band {{band .Score.Score}}">{{band .Score.Score}}</span>{{end}}</td></tr>{{end}}</table></div></div>
{{range .Factors}}<div class="factor" id="{{.ID}}"><h3>{{.ID}} — {{.Title}}</h3>
<div class="grid2"><div><b>Automated proposal</b><br>{{with .Proposal}}{{score .Score}}, source {{.Source}}, {{at .At}}<br>{{.Summary}}{{else}}<span class="muted">none</span>{{end}}</div>
<div><b>Reviewer assessment</b><br>{{with .Assessment}}{{score .Score}}, {{.Outcome}} by {{.Actor}}, {{at .At}}<br>Rationale: {{.Rationale}}{{else}}<span class="muted">not yet assessed</span>{{end}}</div></div>
{{if .History}}<p class="muted">{{len .History}} earlier assessment(s):{{range .History}} {{score .Score}} {{.Outcome}} by {{.Actor}} ({{at .At}});{{end}}</p>{{end}}
{{if .Evidence}}<p>Evidence: {{range .Evidence}}<a class="mono" href="#ev-{{.}}">{{$.EvidenceName .}}</a> {{end}}</p>{{end}}
</div>{{end}}
</section>

<section id="findings"><h2>Findings from the evidence</h2>
{{if not .EvidenceFindings}}<p class="muted">No scan, firmware or supplier findings documents among the evidence{{if .RedactedEvidence}} visible to this audience{{end}}.</p>{{end}}
{{range .EvidenceFindings}}<h3>{{.Name}} <span class="mono muted">{{short .SHA256}}</span></h3>
{{if .Error}}<p class="overdue">Not summarised: {{.Error}}</p>{{end}}
{{with .Scan}}<div class="cards"><div class="card"><b>{{.Findings}}</b>findings</div><div class="card"><b>{{.KEV}}</b>known exploited (KEV)</div>
<div class="card"><b>{{.Suppressed}}</b>suppressed</div><div class="card"><b>{{.Unassessed}}</b>not assessed of {{.Components}} components</div>{{if .Problems}}<div class="card"><b>{{.Problems}}</b>firmware problems</div>{{end}}</div>
{{sevchart .BySeverity "findings by severity"}}
{{if .Top}}<table><tr><th>severity</th><th>vulnerability</th><th>component</th><th>fixed in</th><th>KEV</th></tr>
{{range .Top}}<tr><td><span class="sev {{.Severity}}">{{.Severity}} {{printf "%.1f" .Score}}</span></td><td><b>{{.ID}}</b><br><small>{{.Summary}}</small></td><td>{{.Component}} {{.Version}}</td><td>{{.Fixed}}</td><td>{{if .KEV}}<span class="kev">KEV</span>{{end}}</td></tr>
{{end}}</table>{{if gt .Findings (len .Top)}}<p class="muted">Top {{len .Top}} of {{.Findings}} findings.</p>{{end}}{{end}}
{{if .TopProblems}}{{sevchart .ProblemsBy "firmware problems by severity"}}
<table><tr><th>severity</th><th>category</th><th>path</th><th>detail</th><th>confidence</th></tr>
{{range .TopProblems}}<tr><td><span class="sev {{.Severity}}">{{.Severity}}</span></td><td>{{.Category}}</td><td class="mono">{{.Path}}</td><td>{{.Detail}}</td><td>{{.Confidence}}</td></tr>{{end}}</table>{{end}}
{{end}}
{{with .Supplier}}<p>Supplier assessment of <b>{{.Vendor}}</b>: <b>{{.Decision}}</b>. Screened parties:{{range .Screenings}} {{.Count}} {{.Level}};{{end}} {{.Export}} export-control findings, {{.EOL}} end-of-life entries.</p>
{{if .Flagged}}<table><tr><th>role</th><th>party</th><th>screening</th><th>matches</th></tr>{{range .Flagged}}<tr><td>{{.Role}}</td><td>{{.Subject}}</td><td>{{.Decision}}</td><td>{{.Matches}}</td></tr>{{end}}</table>{{end}}
{{if .Factors}}<table><tr><th>factor</th><th>level</th><th>evidence</th></tr>{{range .Factors}}<tr><td>{{.Factor}}</td><td>{{.Level}}</td><td>{{join .Evidence}}</td></tr>{{end}}</table>{{end}}
{{end}}{{end}}
</section>

<section id="evidence"><h2>Evidence</h2>
{{if .Evidence}}<table><tr><th>sha256</th><th>name</th><th>type</th><th>confidentiality</th><th>consent</th><th>factors</th><th>issuer, date</th></tr>
{{range .Evidence}}<tr id="ev-{{.SHA256}}"><td class="mono">{{.SHA256}}</td>
{{if .Redacted}}<td class="withheld">withheld (Art. 17)</td>{{else}}<td>{{.Name}}<br><small>{{.Size}} bytes</small></td>{{end}}
<td>{{.Type}}</td><td>{{.Confidentiality}}</td><td>{{.Consent}}</td><td>{{join .Factors}}</td>
<td>{{if not .Redacted}}{{.Issuer}} {{.Date}}{{if .ValidUntil}}<br>valid until {{.ValidUntil}}{{end}}{{end}}</td></tr>
{{end}}</table>{{else}}<p class="muted">No evidence attached.</p>{{end}}
</section>

{{if .Opinions}}<section id="opinions"><h2>Opinions</h2>
<table><tr><th>from</th><th>received</th><th>position</th><th>text</th></tr>
{{range .Opinions}}<tr><td>{{.From}}</td><td class="nw">{{.Received}}</td><td>{{.Position}}</td><td>{{.Text}}</td></tr>{{end}}</table></section>{{end}}

<section id="timeline"><h2>Timeline and deadlines</h2>
<p>A limit of N working days from date D ends on the N-th working day after D (D itself never counts); working days paused while requested materials are outstanding do not count (Art. 15).</p>
{{timeline .CaseReport}}
<p class="muted"><small>Bars: each stage from its start to its end (or today); green met, blue running, red overdue or missed, grey paused. Hatched: clock paused. Red tick: statutory due date. Purple diamond: commitment due date.</small></p>
{{if .DeadlinesError}}<p class="overdue">Deadlines unavailable: {{.DeadlinesError}}</p>{{end}}
{{if .Deadlines}}<table><tr><th>stage</th><th>start</th><th>limit</th><th>pauses</th><th>due</th><th>left</th><th>status</th><th>basis</th></tr>
{{range .Deadlines}}<tr><td>{{.State}}</td><td class="nw">{{.Start}}</td><td>{{.WorkingDays}} WD{{if .ExtensionDays}} + {{.ExtensionDays}}{{end}}</td>
<td>{{range .Pauses}}{{.From}} – {{dash .To}} ({{.Reason}})<br>{{else}}-{{end}}</td><td class="nw">{{dash .Due}}</td><td class="nw">{{if .End}}{{.End}}{{else}}{{.Remaining}} WD left{{end}}</td><td>{{.Status}}</td>
<td><small>{{.Basis}}{{if .StartCalendarVersion}}; started under calendar version {{.StartCalendarVersion}}{{end}}</small></td></tr>
{{end}}</table>{{end}}
<h3>Transitions</h3>
<table><tr><th>date</th><th>action</th><th>from → to</th><th>actor</th><th>reason</th><th>recorded</th></tr>
{{range .Transitions}}<tr><td class="nw">{{.Date}}</td><td>{{.Action}}</td><td>{{dash (print .From)}} → {{.To}}</td><td>{{.Actor}}</td><td>{{.Reason}}</td><td><small>{{at .At}}</small></td></tr>{{end}}</table>
</section>{{end}}

<section id="audit"><h2>Audit checkpoint</h2>
{{with .Audit}}<p>The audit log held {{.LogSize}} records when this report was made. The case's latest record is number {{.CaseLastSeq}} ({{.CaseRecords}} records for this case); it binds the case state with SHA-256 <code>{{.CaseStateSHA256}}</code>.</p>
<p>Log root (base64): <code>{{.Root}}</code></p>
<p>To verify, save the signed checkpoint below to a file and run <code>assay audit verify --checkpoint FILE</code>; the log must still contain this tree.</p>
<pre>{{.Checkpoint}}</pre>
{{if .VerifierKey}}<p>Verifier key: <code>{{.VerifierKey}}</code></p>{{end}}
{{else}}<p class="muted">No audit checkpoint was available when this report was made.</p>{{end}}
</section>
<p class="muted">{{.Marking.Label}} — {{.ID}} — generated by Assay {{at .GeneratedAt}}</p>
</body></html>
`))
})
