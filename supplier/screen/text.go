package screen

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes a human-readable screening result.
func WriteText(w io.Writer, r *Result) error {
	country := ""
	if r.Country != "" {
		country = " (" + r.Country + ")"
	}
	if _, err := fmt.Fprintf(w, "%s%s: %s — normalised %q\n", r.Query, country, strings.ToUpper(r.Decision), r.Normalized); err != nil {
		return err
	}
	for _, m := range r.Matches {
		fmt.Fprintf(w, "  %-6s %.3f  %s [%s %s, list of %s]\n", m.Level, m.Score, m.EntryName, m.List, m.EntryID, orUnknown(m.ListDate))
		if m.Name != m.EntryName {
			fmt.Fprintf(w, "         via %s %q\n", m.Breakdown.Method, m.Name)
		}
		var parts []string
		for _, t := range m.Breakdown.Tokens {
			switch {
			case t.Query != "" && t.Matched != "":
				p := fmt.Sprintf("%s~%s %.2f", t.Query, t.Matched, t.Similarity)
				if t.Penalty != "" {
					p += " (" + t.Penalty + ")"
				}
				parts = append(parts, p)
			case t.Query != "":
				parts = append(parts, "+"+t.Query)
			default:
				parts = append(parts, "-"+t.Matched)
			}
		}
		if m.Breakdown.Method == "identifier" {
			parts = append(parts, "identifier "+m.Breakdown.Identifier)
		}
		fmt.Fprintf(w, "         %s; token %.3f, compact %.3f, country %s\n", strings.Join(parts, ", "), m.Breakdown.TokenScore, m.Breakdown.CompactScore, m.Breakdown.Country)
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown date"
	}
	return s
}
