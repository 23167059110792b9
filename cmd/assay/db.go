package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/assayhq/assay/advisory"
	"github.com/assayhq/assay/internal/progress"
	"github.com/assayhq/assay/vulndb"
	"github.com/spf13/cobra"
)

func newDBCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Manage the advisory database (OSV, NVD, CISA KEV, EPSS, Debian, Alpine)",
		Long: `The advisory database holds the vulnerability data every scan matches
against. It lives under --home and is replaced atomically: an update builds a
new snapshot beside the one in service and swaps it in only when complete.`,
	}
	cmd.AddCommand(newDBUpdateCmd(g), newDBStatusCmd(g), newDBShowCmd(g), newDBExportCmd(g), newDBImportCmd(g))
	return cmd
}

// mirrorFlag resolves --mirror, then $ASSAY_MIRROR.
func mirrorFlag(flag string) string {
	if flag != "" {
		return flag
	}
	return os.Getenv("ASSAY_MIRROR")
}

func newDBUpdateCmd(g *globals) *cobra.Command {
	var (
		mirror     string
		only       []string
		ecosystems []string
		nvdFeeds   []string
		nvdAPI     bool
		format     string
	)
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Fetch the advisory feeds and install a new snapshot if anything changed",
		Long: `Fetch every advisory feed (or those named by --only), import what changed,
and swap the new snapshot in atomically. Unchanged feeds (same digest, ETag or
Last-Modified) are skipped. A feed that fails keeps its previous data and makes
the command exit with status 2 after the others are updated.

Feeds: osv (OSV all.zip per ecosystem), kev (CISA KEV), epss (FIRST EPSS),
nvd (NVD CVE JSON 2.0 feeds, or the CVE API 2.0 with --nvd-api), debian
(security tracker DSA/DLA lists), alpine (secdb).`,
		Example: `  assay db update
  assay db update --mirror ../shared/vulndata
  assay db update --only osv,kev --ecosystems Go,PyPI
  ASSAY_NVD_API_KEY=... assay db update --only nvd --nvd-api`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, err := g.homeDir()
			if err != nil {
				return err
			}
			cfg := vulndb.Config{
				Only: splitList(only), Ecosystems: splitList(ecosystems), NVDFeeds: splitList(nvdFeeds),
				NVDAPI: nvdAPI, NVDAPIKey: os.Getenv("ASSAY_NVD_API_KEY"),
				Logger: g.logger(cmd.ErrOrStderr()),
			}
			if m := mirrorFlag(mirror); m != "" {
				if !strings.Contains(m, "://") {
					if m, err = filepath.Abs(m); err != nil {
						return err
					}
					if _, err := os.Stat(m); err != nil {
						return fmt.Errorf("mirror: %w", err)
					}
				}
				cfg.Endpoints = vulndb.Mirror(m)
			}
			for _, k := range cfg.Only {
				if !contains(vulndb.Kinds, k) {
					return fmt.Errorf("--only: unknown feed %q (known: %s)", k, strings.Join(vulndb.Kinds, ","))
				}
			}
			bars := progress.New(cmd.ErrOrStderr(), !g.quiet)
			cfg.Progress = dbProgress{bars}
			rep, uerr := vulndb.Update(cmd.Context(), home, cfg)
			bars.Wait()
			if rep != nil {
				if err := printUpdate(cmd.OutOrStdout(), format, rep); err != nil {
					return err
				}
			}
			return uerr
		},
	}
	cmd.Flags().StringVar(&mirror, "mirror", "", "read feeds from a mirror directory or URL laid out like the shared vulndata folder (env ASSAY_MIRROR)")
	cmd.Flags().StringSliceVar(&only, "only", nil, "update only these feeds: "+strings.Join(vulndb.Kinds, ","))
	cmd.Flags().StringSliceVar(&ecosystems, "ecosystems", nil, "OSV ecosystems to import (default: ecosystems.txt, or every ecosystem of a mirror)")
	cmd.Flags().StringSliceVar(&nvdFeeds, "nvd-feeds", nil, "NVD feed names such as 2024,modified (default: all years, or every feed of a mirror)")
	cmd.Flags().BoolVar(&nvdAPI, "nvd-api", false, "use the NVD CVE API 2.0 (paged, rate-limited; key from ASSAY_NVD_API_KEY) instead of feed files")
	cmd.Flags().StringVarP(&format, "format", "o", "table", "output format: table or json")
	return cmd
}

// dbProgress adapts progress bars to vulndb.Progress.
type dbProgress struct{ bars *progress.Bars }

func (p dbProgress) Start(name string, total int64) vulndb.Bar { return p.bars.Start(name, total) }

func printUpdate(w io.Writer, format string, rep *vulndb.Report) error {
	if format == "json" {
		return writeJSON(w, struct {
			Schema string `json:"schema"`
			*vulndb.Report
		}{"assay.dbupdate/v1", rep})
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tOUTCOME\tRECORDS\tSKIPPED")
	for _, s := range rep.Sources {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", s.Name, s.Outcome, s.Records, s.Skipped)
	}
	tw.Flush()
	state := "unchanged"
	if rep.Changed {
		state = "installed"
	}
	fmt.Fprintf(w, "snapshot %s %s in %.1fs\n", rep.Snapshot, state, rep.Duration.Seconds())
	return nil
}

func newDBStatusCmd(g *globals) *cobra.Command {
	var format string
	var showSkipped bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what the advisory database holds and where it came from",
		Example: `  assay db status
  assay db status --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := openDB(cmd.Context(), g)
			if err != nil {
				return err
			}
			defer db.Close()
			st, err := db.Status(cmd.Context())
			if err != nil {
				return err
			}
			var skipped []vulndb.SkippedRecord
			if showSkipped {
				if skipped, err = db.Skipped(cmd.Context()); err != nil {
					return err
				}
			}
			if format == "json" {
				if showSkipped {
					return writeJSON(cmd.OutOrStdout(), struct {
						*vulndb.Status
						SkippedRecords []vulndb.SkippedRecord `json:"skipped_records"`
					}{st, skipped})
				}
				return writeJSON(cmd.OutOrStdout(), st)
			}
			printStatus(cmd.OutOrStdout(), st, skipped)
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "o", "table", "output format: table or json")
	cmd.Flags().BoolVar(&showSkipped, "skipped", false, "also list the records imports skipped, with the reason")
	return cmd
}

func printStatus(w io.Writer, st *vulndb.Status, skipped []vulndb.SkippedRecord) {
	fmt.Fprintf(w, "snapshot    %s (built %s)\n", st.Snapshot, st.BuiltAt)
	fmt.Fprintf(w, "advisories  %d (%d withdrawn)\n", st.Advisories, st.Withdrawn)
	fmt.Fprintf(w, "KEV         %d\nEPSS        %d\nNVD CPE     %d records\nskipped     %d\n\n", st.KEV, st.EPSS, st.CPERecords, st.Skipped)
	ecos := make([]string, 0, len(st.Ecosystems))
	for e := range st.Ecosystems {
		ecos = append(ecos, e)
	}
	sort.Strings(ecos)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ECOSYSTEM\tADVISORIES")
	for _, e := range ecos {
		fmt.Fprintf(tw, "%s\t%d\n", e, st.Ecosystems[e])
	}
	fmt.Fprintln(tw, "\t")
	fmt.Fprintln(tw, "SOURCE\tRECORDS\tSKIPPED\tFETCHED\tSHA256")
	for _, s := range st.Sources {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.12s\n", s.Name, s.Records, s.Skipped, s.FetchedAt, s.SHA256)
	}
	tw.Flush()
	for _, s := range skipped {
		fmt.Fprintf(w, "skipped %s %s: %s\n", s.Source, s.Record, s.Reason)
	}
}

func openDB(ctx context.Context, g *globals) (*vulndb.DB, error) {
	home, err := g.homeDir()
	if err != nil {
		return nil, err
	}
	return vulndb.Open(ctx, home)
}

func newDBShowCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show an advisory and its alias group: affected ranges, severity, KEV and EPSS",
		Example: `  assay db show GO-2023-1840
  assay db show CVE-2023-29403 --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := openDB(cmd.Context(), g)
			if err != nil {
				return err
			}
			defer db.Close()
			v, err := db.Lookup(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), v)
			}
			printVuln(cmd.OutOrStdout(), v)
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "o", "table", "output format: table or json")
	return cmd
}

func printVuln(w io.Writer, v *vulndb.Vulnerability) {
	fmt.Fprintf(w, "%s\n", strings.Join(v.IDs, " "))
	if v.Severity != nil {
		fmt.Fprintf(w, "severity   %s %.1f (CVSS %s, %s) %s\n", v.Severity.Level, v.Severity.Base, v.Severity.Version, orDefault(v.Severity.Source, "advisory"), v.Severity.Vector)
	}
	for _, k := range v.KEV {
		fmt.Fprintf(w, "KEV        %s added %s, due %s, ransomware: %s\n", k.CVE, k.DateAdded, k.DueDate, k.KnownRansomwareCampaignUse)
	}
	for _, e := range v.EPSS {
		fmt.Fprintf(w, "EPSS       %s %.5f (percentile %.5f)\n", e.CVE, e.Score, e.Percentile)
	}
	for _, a := range v.Advisories {
		fmt.Fprintf(w, "\n%s", a.ID)
		if a.IsWithdrawn() {
			fmt.Fprintf(w, " (withdrawn %s)", a.Withdrawn)
		}
		fmt.Fprintf(w, "  modified %s\n", a.Modified)
		if s := firstNonEmpty(a.Summary, a.Details); s != "" {
			fmt.Fprintf(w, "  %s\n", trimLine(s, 100))
		}
		if len(a.Aliases) > 0 {
			fmt.Fprintf(w, "  aliases  %s\n", strings.Join(a.Aliases, " "))
		}
		if len(a.Upstream) > 0 {
			fmt.Fprintf(w, "  upstream %s\n", strings.Join(a.Upstream, " "))
		}
		for _, s := range advisory.Scores(a.Severity) {
			fmt.Fprintf(w, "  CVSS %s %.1f %s (%s)\n", s.Version, s.Base, s.Vector, orDefault(s.Source, "advisory"))
		}
		for _, af := range a.Affected {
			fmt.Fprintf(w, "  affected %s %s:", af.Package.Ecosystem, af.Package.Name)
			for _, r := range af.Ranges {
				fmt.Fprintf(w, " [%s %s]", r.Type, rangeText(r))
			}
			if len(af.Versions) > 0 {
				fmt.Fprintf(w, " versions: %d listed", len(af.Versions))
			}
			fmt.Fprintln(w)
		}
		if n := len(a.Configurations); n > 0 {
			fmt.Fprintf(w, "  NVD CPE configurations: %d\n", n)
		}
	}
}

// rangeText renders range events as "introduced 0, fixed 1.2.3".
func rangeText(r advisory.Range) string {
	var parts []string
	for _, e := range r.Events {
		switch {
		case e.Introduced != "":
			parts = append(parts, "introduced "+e.Introduced)
		case e.Fixed != "":
			parts = append(parts, "fixed "+e.Fixed)
		case e.LastAffected != "":
			parts = append(parts, "last_affected "+e.LastAffected)
		case e.Limit != "":
			parts = append(parts, "limit "+e.Limit)
		}
	}
	return strings.Join(parts, ", ")
}

func newDBExportCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "export FILE",
		Short:   "Write the current snapshot as one offline bundle (for air-gapped sites)",
		Example: `  assay db export assay-db.tar.gz`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			home, err := g.homeDir()
			if err != nil {
				return err
			}
			m, err := vulndb.Export(cmd.Context(), home, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "exported snapshot %s (%d sources) to %s\n", m.Snapshot, len(m.Sources), args[0])
			return nil
		},
	}
}

func newDBImportCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "import FILE",
		Short:   "Install a snapshot from an offline bundle after verifying its digests",
		Example: `  assay db import assay-db.tar.gz`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			home, err := g.homeDir()
			if err != nil {
				return err
			}
			m, err := vulndb.Import(cmd.Context(), home, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported snapshot %s (%d sources, created %s) from %s\n", m.Snapshot, len(m.Sources), m.CreatedAt, args[0])
			return nil
		},
	}
}

// splitList flattens comma-separated flag values and drops empty items.
func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

func trimLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
