// Package encode writes inventories as a table, as Assay JSON
// ("assay.inventory/v1"), as a CycloneDX 1.6 SBOM (JSON or XML) or as an
// SPDX 2.3 SBOM (JSON or tag-value), so that any input Assay can read can
// be converted into a standard SBOM.
package encode

import (
	"bufio"
	"bytes"
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

// JSON writes the inventories as one assay.inventory/v1 document. The
// document is written component by component, so the output is never held
// in memory whole.
func JSON(w io.Writer, invs []*inventory.Inventory) error {
	bw := bufio.NewWriter(w)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	encode := func(v any, prefix string) ([]byte, error) {
		buf.Reset()
		enc.SetIndent(prefix, "  ")
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	}
	// The document without inventories fixes the layout of the header.
	head, err := encode(Document{Schema: inventory.Schema, Inventories: []*inventory.Inventory{}}, "")
	if err != nil {
		return err
	}
	head, _ = bytes.CutSuffix(head, []byte("[]\n}"))
	bw.Write(head)
	bw.WriteString("[")
	for i, inv := range invs {
		if i > 0 {
			bw.WriteString(",")
		}
		// The inventory without components, with its components written
		// where the empty list was.
		shell := *inv
		shell.Components = []inventory.Component{}
		b, err := encode(&shell, "    ")
		if err != nil {
			return err
		}
		before, after, ok := bytes.Cut(b, []byte("\n      \"components\": []"))
		if !ok {
			return fmt.Errorf("encode %s: unexpected JSON layout", inv.Target)
		}
		after = bytes.Clone(after) // buf is reused for the components
		bw.WriteString("\n    ")
		bw.Write(before)
		bw.WriteString("\n      \"components\": [")
		for j := range inv.Components {
			if j > 0 {
				bw.WriteString(",")
			}
			c, err := encode(&inv.Components[j], "        ")
			if err != nil {
				return err
			}
			bw.WriteString("\n        ")
			bw.Write(c)
		}
		if len(inv.Components) > 0 {
			bw.WriteString("\n      ]")
		} else {
			bw.WriteString("]")
		}
		bw.Write(after)
	}
	if len(invs) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
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
