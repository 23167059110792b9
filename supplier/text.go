package supplier

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes a human-readable assessment.
func WriteText(w io.Writer, a *Assessment) error {
	if _, err := fmt.Fprintf(w, "Vendor %s: %s\n\nScreening\n", a.Vendor, strings.ToUpper(a.Decision)); err != nil {
		return err
	}
	for _, sc := range a.Screenings {
		fmt.Fprintf(w, "  %-12s %-7s %s [%s]\n", sc.Role, sc.Decision, sc.Subject, sc.Path)
		for _, m := range sc.Matches {
			fmt.Fprintf(w, "      %.3f %s (%s %s, list of %s)\n", m.Score, m.EntryName, m.List, m.EntryID, m.ListDate)
		}
	}
	if len(a.Ownership) > 0 {
		fmt.Fprintf(w, "\nOwnership\n")
		for _, of := range a.Ownership {
			fmt.Fprintf(w, "  %-24s %-40s listed=%v listed-share=%.1f%% state=%.1f%%\n", of.Path, of.Entity, of.Listed, of.ListedShare, of.StateShare)
		}
	}
	fmt.Fprintf(w, "\nReview factors\n")
	for _, f := range a.Factors {
		fmt.Fprintf(w, "  %s %s: %s\n", f.Factor, f.Title, f.Level)
		for _, e := range f.Evidence {
			fmt.Fprintf(w, "      - %s\n", e)
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}
