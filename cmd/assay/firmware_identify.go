package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/assayhq/assay/firmware"
	"github.com/assayhq/assay/firmware/identify"
	"github.com/assayhq/assay/inventory"
	"github.com/assayhq/assay/supplier"
	"github.com/assayhq/assay/supplier/eol"
)

// identifySchema is the schema of the JSON output of assay firmware identify.
const identifySchema = "assay.firmware-identify/v1"

// identifyDoc is the assay.firmware-identify/v1 document.
type identifyDoc struct {
	Schema     string                 `json:"schema"`
	Image      string                 `json:"image"`
	EOLData    bool                   `json:"eol_data"`
	Components []inventory.Component  `json:"components"`
	Unassessed []inventory.Unassessed `json:"unassessed"`
}

func newFirmwareIdentifyCmd(g *globals) *cobra.Command {
	var (
		format  string
		date    string
		maxScan int64
		lim     = firmware.DefaultLimits()
	)
	cmd := &cobra.Command{
		Use:   "identify IMAGE",
		Short: "List the software components inside a firmware image",
		Long: `Identify unpacks IMAGE (as assay firmware unpack does, in a temporary
spool) and lists its software components: packages from the dpkg, opkg,
apk and rpm databases of each root filesystem, Go modules from Go
binaries, and components recognised by the version strings their builds
embed (BusyBox, OpenSSL, Dropbear, the Linux kernel, U-Boot, ...; the
table is in docs/firmware.md). Each component has a purl and, when found
by a signature, NVD CPE names and the evidence (banner and offset).

Components whose release cycle is past its end of life are marked when
the endoflife.date data is present (assay supplier lists update).
Files that could not be read or were too large to scan are listed as
unassessed: they were not checked.`,
		Example: `  assay firmware identify router.bin
  assay firmware identify router.bin --format json | jq '.components[] | {name, version, cpes}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format must be table or json, not %q", format)
			}
			log := g.logger(cmd.ErrOrStderr())
			opts := identify.Options{Log: log, MaxFileSize: maxScan}
			if date != "" {
				t, err := time.Parse("2006-01-02", date)
				if err != nil {
					return fmt.Errorf("--date: %w", err)
				}
				opts.Now = t
			}
			if home, err := g.homeDir(); err == nil {
				if db, err := eol.Load(supplier.ListsDir(home)); err == nil {
					opts.EOL = db
				} else {
					log.Warn("no end-of-life data; end-of-life marking skipped (run assay supplier lists update)", "err", err)
				}
			}
			res, err := firmware.UnpackLogger(cmd.Context(), args[0], lim, log)
			if err != nil {
				return err
			}
			defer res.Close()
			comps, unassessed, err := identify.Identify(cmd.Context(), res, opts)
			if err != nil {
				return err
			}
			for _, u := range res.Unassessed {
				unassessed = append(unassessed, inventory.Unassessed{Path: u.Path, Reason: "not unpacked: " + u.Reason})
			}
			if comps == nil {
				comps = []inventory.Component{}
			}
			if unassessed == nil {
				unassessed = []inventory.Unassessed{}
			}
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), identifyDoc{Schema: identifySchema, Image: args[0],
					EOLData: len(opts.EOL) > 0, Components: comps, Unassessed: unassessed})
			}
			return writeIdentifyTable(cmd.OutOrStdout(), comps, unassessed)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "o", "table", "output format: table or json")
	f.StringVar(&date, "date", "", "date for end-of-life decisions, YYYY-MM-DD (default today)")
	f.Int64Var(&maxScan, "max-scan-size", identify.DefaultMaxFileSize, "files larger than this many bytes are not scanned for version signatures")
	f.Int64Var(&lim.MaxTotalBytes, "max-total-bytes", lim.MaxTotalBytes, "unpack limit: bytes extracted in total")
	f.IntVar(&lim.MaxDepth, "max-depth", lim.MaxDepth, "unpack limit: nested container layers")
	f.DurationVar(&lim.Timeout, "timeout", lim.Timeout, "unpack limit: wall-clock time of the unpack")
	return cmd
}

func writeIdentifyTable(w io.Writer, comps []inventory.Component, unassessed []inventory.Unassessed) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tTYPE\tEOL\tPATH\tEVIDENCE")
	for _, c := range comps {
		eolCol := ""
		if c.Metadata[inventory.MetaEOL] == "true" {
			eolCol = "eol " + c.Metadata[inventory.MetaEOLDate]
		}
		where := ""
		if len(c.Locations) > 0 {
			l := c.Locations[0]
			where = strings.Join(append(append([]string{}, l.Container...), l.Path), " > ")
			if len(c.Locations) > 1 {
				where += fmt.Sprintf(" (+%d)", len(c.Locations)-1)
			}
		}
		ev := c.Metadata[inventory.MetaEvidence]
		if len(ev) > 80 {
			ev = ev[:77] + "..."
		}
		typ := c.Ecosystem
		if typ == "" {
			typ = c.Type
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, c.Version, typ, strings.TrimSpace(eolCol), where, ev)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d components.\n", len(comps))
	if len(unassessed) > 0 {
		fmt.Fprintf(w, "\nUnassessed (%d):\n", len(unassessed))
		for _, u := range unassessed {
			fmt.Fprintf(w, "  %s: %s\n", u.Path, u.Reason)
		}
	}
	return nil
}
