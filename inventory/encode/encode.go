// Package encode writes inventories as a table, as Assay JSON
// ("assay.inventory/v1"), as a CycloneDX 1.6 SBOM (JSON or XML) or as an
// SPDX 2.3 SBOM (JSON or tag-value), so that any input Assay can read can
// be converted into a standard SBOM.
package encode

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/assayhq/assay/inventory"
)

// Formats lists the names accepted by Write.
var Formats = []string{"table", "json", "cyclonedx", "cyclonedx-xml", "spdx", "spdx-tv"}

// Document is the JSON form of one run of the inventory command.
type Document struct {
	// Schema is inventory.Schema.
	Schema string `json:"schema"`
	// Inventories holds one inventory per input path, in input order.
	Inventories []*inventory.Inventory `json:"inventories"`
}

// Write writes invs to w in the named format (see Formats).
func Write(w io.Writer, format string, invs []*inventory.Inventory) error {
	switch format {
	case "table", "":
		return Table(w, invs)
	case "json":
		return JSON(w, invs)
	case "cyclonedx":
		return CycloneDX(w, invs, false)
	case "cyclonedx-xml":
		return CycloneDX(w, invs, true)
	case "spdx":
		return SPDX(w, invs, false)
	case "spdx-tv":
		return SPDX(w, invs, true)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// JSON writes the inventories as one assay.inventory/v1 document.
func JSON(w io.Writer, invs []*inventory.Inventory) error {
	for _, inv := range invs {
		if inv.Components == nil {
			inv.Components = []inventory.Component{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(Document{Schema: inventory.Schema, Inventories: invs})
}

// Table writes a human-readable table per inventory, followed by the
// unassessed entries.
func Table(w io.Writer, invs []*inventory.Inventory) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, inv := range invs {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		kind := string(inv.Kind)
		if inv.Format != "" {
			kind += ", " + inv.Format
		}
		fmt.Fprintf(tw, "%s (%s): %d components, %d unassessed\n", inv.Target, kind, len(inv.Components), len(inv.Unassessed))
		if len(inv.Components) > 0 {
			fmt.Fprintln(tw, "NAME\tVERSION\tECOSYSTEM\tPURL\tLOCATION")
		}
		for _, c := range inv.Components {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Name, dash(c.Version), dash(c.Ecosystem), dash(c.PURL), dash(location(c)))
		}
		if len(inv.Unassessed) > 0 {
			fmt.Fprintln(tw, "UNASSESSED\tREASON")
			for _, u := range inv.Unassessed {
				fmt.Fprintf(tw, "%s\t%s\n", u.Path, u.Reason)
			}
		}
	}
	return tw.Flush()
}

func location(c inventory.Component) string {
	if len(c.Locations) == 0 {
		return ""
	}
	l := c.Locations[0]
	s := l.Path
	if l.Line > 0 {
		s += fmt.Sprintf(":%d", l.Line)
	}
	if len(c.Locations) > 1 {
		s += fmt.Sprintf(" (+%d)", len(c.Locations)-1)
	}
	return s
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
