// Package report renders scan results for people and tools.
package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/assayhq/assay/scan"
)

// JSON writes the result as the assay.scan/v1 document: the header
// indented, then one finding per line. Findings are encoded one at a
// time, so a large result is never held twice in memory.
func JSON(w io.Writer, res *scan.Result) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	head, err := json.MarshalIndent(struct {
		Schema  string        `json:"schema"`
		DB      scan.DBInfo   `json:"db"`
		Targets []scan.Target `json:"targets"`
	}{res.Schema, res.DB, res.Targets}, "", "  ")
	if err != nil {
		return err
	}
	// Leave the object open after the header fields to append the findings.
	bw.Write(bytes.TrimSuffix(bytes.TrimRight(head, "\n"), []byte("\n}")))
	bw.WriteString(",\n  ")
	bw.WriteString("\"findings\": [")
	var fb []byte
	for i := range res.Findings {
		fb = fb[:0]
		if i > 0 {
			fb = append(fb, ',')
		}
		fb = append(fb, "\n    "...)
		if fb, err = appendFinding(fb, &res.Findings[i]); err != nil {
			return err
		}
		bw.Write(fb)
	}
	if len(res.Findings) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]")
	if len(res.Components) > 0 {
		bw.WriteString(",\n  ")
		if err := jsonArray(bw, "components", res.Components); err != nil {
			return err
		}
	}
	if len(res.Problems) > 0 {
		bw.WriteString(",\n  ")
		if err := jsonArray(bw, "problems", res.Problems); err != nil {
			return err
		}
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// jsonArray writes `"name": [` and the elements one per line.
func jsonArray[T any](bw *bufio.Writer, name string, elems []T) error {
	bw.WriteString(`"` + name + `": [`)
	for i := range elems {
		b, err := json.Marshal(&elems[i])
		if err != nil {
			return fmt.Errorf("encode %s: %w", name, err)
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		bw.Write(b)
	}
	if len(elems) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]")
	return nil
}

// colors are ANSI escapes per severity level.
var colors = map[string]string{
	"critical": "\x1b[1;31m", "high": "\x1b[31m", "medium": "\x1b[33m", "low": "\x1b[36m",
}

// Table writes a human-readable report: one line per target with its
// coverage, the findings (known exploited first), and every component
// that could not be assessed. It never claims "no vulnerabilities" for a
// target with unassessed parts.
func Table(w io.Writer, res *scan.Result, color bool) error {
	paint := func(level, s string) string {
		if c, ok := colors[level]; ok && color {
			return c + s + "\x1b[0m"
		}
		return s
	}
	fmt.Fprintf(w, "advisory database: snapshot %s (built %s, %d advisories)\n\n", res.DB.Snapshot, res.DB.BuiltAt, res.DB.Advisories)
	counts := map[string]int{}
	for _, f := range res.Findings {
		if f.Suppressed == nil {
			counts[f.Target]++
		}
	}
	for _, t := range res.Targets {
		fmt.Fprintf(w, "%s (%s%s): %d components, %d assessed, %d not assessed, %d findings\n",
			t.Path, t.Kind, prefixed(", ", t.Format), t.Components, t.Assessed, len(t.Unassessed), counts[t.Path])
	}
	fmt.Fprintln(w)
	if active := activeFindings(res); len(active) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEVERITY\tID\tCOMPONENT\tVERSION\tFIXED IN\tKEV\tEPSS\tMATCH")
		for _, f := range active {
			sev := fmt.Sprintf("%s %.1f", f.Severity.Level, f.Severity.Score)
			if f.Severity.Level == "unknown" {
				sev = "unknown"
			}
			kev, epss := "", ""
			if f.KEV != nil {
				kev = "KEV " + f.KEV.DateAdded
			}
			if f.EPSS != nil {
				epss = fmt.Sprintf("%.3f", f.EPSS.Score)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", paint(f.Severity.Level, sev), idWithAliases(f), f.Component.Name,
				f.Component.Version, strings.Join(f.Fixed, ", "), kev, epss, f.Match.By+": "+f.Match.Rule)
		}
		tw.Flush()
	}
	suppressed := len(res.Findings) - len(activeFindings(res))
	unassessed := 0
	for _, t := range res.Targets {
		unassessed += len(t.Unassessed)
	}
	fmt.Fprintf(w, "\n%d findings", len(activeFindings(res)))
	if suppressed > 0 {
		fmt.Fprintf(w, " (%d more suppressed by VEX or ignore rules, see --format json)", suppressed)
	}
	fmt.Fprintln(w)
	firmwareTables(w, res, paint)
	if unassessed > 0 {
		fmt.Fprintf(w, "\nNOT ASSESSED (%d) — absence of findings says nothing about these:\n", unassessed)
		for _, t := range res.Targets {
			for _, u := range t.Unassessed {
				fmt.Fprintf(w, "  %s: %s: %s\n", t.Path, u.Path, u.Reason)
			}
		}
	}
	return nil
}

func activeFindings(res *scan.Result) []scan.Finding {
	var out []scan.Finding
	for _, f := range res.Findings {
		if f.Suppressed == nil {
			out = append(out, f)
		}
	}
	return out
}

func idWithAliases(f scan.Finding) string {
	if len(f.Aliases) == 0 {
		return f.ID
	}
	return f.ID + " (" + f.Aliases[0] + ")"
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// firmwareTables lists the hidden problems and the components found in
// firmware images, when the scan had any.
func firmwareTables(w io.Writer, res *scan.Result, paint func(level, s string) string) {
	if len(res.Problems) > 0 {
		fmt.Fprintf(w, "\nHIDDEN PROBLEMS (%d)\n", len(res.Problems))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEVERITY\tCATEGORY\tPATH\tDETAIL")
		for _, p := range res.Problems {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", paint(p.Severity, p.Severity), p.Category, innerPath(p.Container, p.Path), p.Detail)
		}
		tw.Flush()
	}
	if len(res.Components) > 0 {
		fmt.Fprintf(w, "\nFIRMWARE COMPONENTS (%d)\n", len(res.Components))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tVERSION\tPATH\tIDENTIFIED BY\tEND OF LIFE")
		for _, c := range res.Components {
			eol := ""
			if c.EOL {
				eol = "EOL " + c.EOLDate
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Name, c.Version, innerPath(c.Location.Container, c.Location.Path), c.Evidence, eol)
		}
		tw.Flush()
	}
}

// innerPath renders a path inside an image with its enclosing containers.
func innerPath(container []string, p string) string {
	if len(container) == 0 {
		return p
	}
	return strings.Join(container, " > ") + " > " + p
}
