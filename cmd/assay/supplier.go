package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/assayhq/assay/supplier"
	"github.com/assayhq/assay/supplier/eol"
	"github.com/assayhq/assay/supplier/lists"
	"github.com/assayhq/assay/supplier/screen"
)

func newSupplierCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "supplier",
		Short: "Supplier risk: restricted-party lists, screening and vendor assessment",
		Long: `Supplier risk commands. Import the restricted-party, sanctions and
procurement-ban lists once with "assay supplier lists update", then screen
names with "assay supplier screen" or assess a vendor profile with
"assay supplier assess". See docs/supplier.md.`,
	}
	cmd.AddCommand(newSupplierListsCmd(g), newSupplierScreenCmd(g), newSupplierAssessCmd(g), newSupplierDependenceCmd(g), newSupplierExportCmd(g), newSupplierProfileCmd(g))
	return cmd
}

func newSupplierListsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "lists", Short: "Import and inspect the restricted-party lists"}
	cmd.AddCommand(newSupplierListsUpdateCmd(g), newSupplierListsStatusCmd(g))
	return cmd
}

func newSupplierListsUpdateCmd(g *globals) *cobra.Command {
	var mirror, format string
	var only []string
	cmd := &cobra.Command{
		Use:   "update [--mirror DIR|URL]",
		Short: "Fetch every list and atomically replace the imported snapshot",
		Long: `Fetch every restricted-party list from its official URL (or from a mirror
laid out like ../shared/supplierdata: restricted/<list>/<files as published>),
parse the lists that changed since the last update (HTTP conditional requests
and content digests) and atomically replace the snapshot in <home>/supplier.
A list that fails keeps its previous entries; the command then exits 2.`,
		Example: `  assay supplier lists update --mirror ../shared/supplierdata
  ASSAY_SUPPLIER_MIRROR=http://mirror.example/supplierdata assay supplier lists update`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, err := g.homeDir()
			if err != nil {
				return err
			}
			if mirror == "" {
				mirror = os.Getenv("ASSAY_SUPPLIER_MIRROR")
			}
			start := time.Now()
			opt := lists.Options{Mirror: mirror, Lists: only, Logger: g.logger(cmd.ErrOrStderr())}
			snap, uerr := lists.Update(cmd.Context(), supplier.ListsDir(home), opt)
			if snap == nil {
				return uerr
			}
			if err := supplier.SaveScreenIndex(home, snap); err != nil {
				uerr = errors.Join(uerr, err)
			}
			if len(only) == 0 {
				if _, err := eol.Update(cmd.Context(), supplier.ListsDir(home), opt); err != nil {
					uerr = errors.Join(uerr, err)
				}
			}
			if err := writeListStatus(cmd.OutOrStdout(), snap, format); err != nil {
				return err
			}
			if !g.quiet && format != "json" {
				fmt.Fprintf(cmd.ErrOrStderr(), "imported in %s\n", time.Since(start).Round(time.Millisecond))
			}
			return uerr
		},
	}
	cmd.Flags().StringVar(&mirror, "mirror", "", "directory or http(s) URL of a mirror laid out like ../shared/supplierdata (env ASSAY_SUPPLIER_MIRROR; default: official URLs)")
	cmd.Flags().StringSliceVar(&only, "list", nil, "update only these list IDs (see `lists status`)")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

func newSupplierListsStatusCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:     "status",
		Short:   "Show every imported list: entries, data date, source and last error",
		Example: `  assay supplier lists status --format json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, err := g.homeDir()
			if err != nil {
				return err
			}
			snap, err := lists.Load(supplier.ListsDir(home))
			if err != nil {
				return err
			}
			return writeListStatus(cmd.OutOrStdout(), snap, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

// listStatusJSON is the `lists status --format json` document.
type listStatusJSON struct {
	Schema    string             `json:"schema"`
	UpdatedAt time.Time          `json:"updated_at"`
	Lists     []*lists.ListState `json:"lists"`
}

func writeListStatus(w io.Writer, snap *lists.Snapshot, format string) error {
	var states []*lists.ListState
	for _, src := range lists.Sources() {
		if st, ok := snap.Lists[src.ID]; ok {
			states = append(states, st)
		}
	}
	switch format {
	case "json":
		return writeJSON(w, listStatusJSON{Schema: "assay.supplier-lists/v1", UpdatedAt: snap.UpdatedAt, Lists: states})
	case "table", "":
		fmt.Fprintf(w, "%-22s %7s  %-10s %-13s %s\n", "LIST", "ENTRIES", "DATE", "DATE FROM", "TITLE")
		for _, st := range states {
			fmt.Fprintf(w, "%-22s %7d  %-10s %-13s %s\n", st.ID, st.Entries, st.Date, st.DateSource, st.Title)
			if st.Error != "" {
				fmt.Fprintf(w, "  error: %s\n", st.Error)
			}
		}
		return nil
	}
	return fmt.Errorf("unknown --format %q (want table or json)", format)
}

func newSupplierScreenCmd(g *globals) *cobra.Command {
	var country, format, batch, failOn string
	var ids []string
	var opt screen.Options
	cmd := &cobra.Command{
		Use:   "screen NAME | --batch FILE",
		Short: "Screen a name (or a batch of names) against every imported list",
		Long: `Screen a company or person name against every imported restricted-party list.
Names are normalised (case, accents, punctuation, legal forms in many
languages, word order) and transliterated (Cyrillic, Hanzi to pinyin,
Arabic basics); every name and alias is compared with token-based
Jaro-Winkler, identifiers exactly, and the country counts as supporting
evidence. Matches at or above --review are reported with an explained
score; at or above --alert they are alerts.

--batch FILE reads JSON lines {"query": "...", "country": "CC"} ("-" for
stdin) and writes one JSON result line per input line.`,
		Example: `  assay supplier screen "Hangzhou Hikvision Digital Technology Co., Ltd." --country CN
  assay supplier screen "Рособоронэкспорт" --format json
  assay supplier screen --batch vendors.jsonl > results.jsonl`,
		Args: func(cmd *cobra.Command, args []string) error {
			if batch != "" && len(args) > 0 {
				return fmt.Errorf("give either NAME or --batch, not both")
			}
			if batch == "" && len(args) != 1 {
				return fmt.Errorf("screen needs exactly one NAME (quote names with spaces) or --batch FILE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains([]string{"none", "review", "alert"}, failOn) {
				return fmt.Errorf("unknown --fail-on %q (want none, review or alert)", failOn)
			}
			if country != "" && lists.CountryCode(country) == "" {
				return fmt.Errorf("unknown --country %q (want an ISO 3166-1 code or an English country name)", country)
			}
			home, err := g.homeDir()
			if err != nil {
				return err
			}
			s, _, err := supplier.OpenScreener(home, opt, g.logger(cmd.ErrOrStderr()))
			if err != nil {
				return err
			}
			if batch != "" {
				return runScreenBatch(cmd, s, batch, failOn)
			}
			res, err := s.Screen(screen.Query{Name: args[0], Country: country, Identifiers: ids})
			if err != nil {
				return err
			}
			switch format {
			case "json":
				err = writeJSON(cmd.OutOrStdout(), res)
			case "text", "table", "":
				err = screen.WriteText(cmd.OutOrStdout(), res)
			default:
				return fmt.Errorf("unknown --format %q (want text or json)", format)
			}
			if err != nil {
				return err
			}
			return screenGate(failOn, res.Decision == "alert", res.Decision != "clear")
		},
	}
	cmd.Flags().StringVar(&country, "country", "", "country of the screened party (ISO code or name), used as supporting evidence")
	cmd.Flags().StringSliceVar(&ids, "id", nil, "registration, tax or LEI number of the party, matched exactly")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json (schema assay.screen/v1)")
	cmd.Flags().StringVar(&batch, "batch", "", `screen JSON lines {"query","country"} from FILE ("-" for stdin); writes JSON lines`)
	cmd.Flags().Float64Var(&opt.Alert, "alert", screen.DefaultAlert, "score at or above which a match is an alert")
	cmd.Flags().Float64Var(&opt.Review, "review", screen.DefaultReview, "score at or above which a match is reported for review")
	cmd.Flags().IntVar(&opt.MaxMatches, "max-matches", screen.DefaultMaxMatches, "most matches reported per name")
	cmd.Flags().StringVar(&failOn, "fail-on", "none", "exit 1 when a match reaches this level: none, review or alert")
	return cmd
}

func runScreenBatch(cmd *cobra.Command, s *screen.Screener, file, failOn string) error {
	var r io.Reader = cmd.InOrStdin()
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("screen batch: %w", err)
		}
		defer f.Close()
		r = f
	}
	st, err := screen.Batch(cmd.Context(), s, r, cmd.OutOrStdout(), 0)
	if err != nil {
		return fmt.Errorf("screen batch %s: %w", file, err)
	}
	if st.Errors > 0 {
		return fmt.Errorf("screen batch %s: %d lines could not be screened", file, st.Errors)
	}
	return screenGate(failOn, st.Alerts > 0, st.Alerts+st.Reviews > 0)
}

// screenGate applies --fail-on.
func screenGate(failOn string, alert, review bool) error {
	switch {
	case failOn == "alert" && alert:
		return &policyError{"screening produced an alert"}
	case failOn == "review" && review:
		return &policyError{"screening produced a match for review"}
	}
	return nil
}

func newSupplierAssessCmd(g *globals) *cobra.Command {
	var format, failOn, destination, rulesFile, baseFile, date, stored string
	cmd := &cobra.Command{
		Use:   "assess vendor.yaml | --stored NAME",
		Short: "Assess a vendor profile: screening of vendor, owners, facilities and sub-suppliers",
		Long: `Read a vendor profile (YAML or JSON, format in docs/supplier.md), screen the
vendor with its aliases, names in other scripts and identifiers, every owner
up the chain, the facility operators and the sub-suppliers, apply the 50 %
ownership rule (an entity owned 50 % or more by listed parties counts as
listed) and report the evidence per review factor. --stored NAME assesses
the profile kept in the store ("assay supplier profile import").`,
		Example: `  assay supplier assess examples/vendor.yaml
  assay supplier assess examples/vendor.yaml --format json --fail-on listed
  assay supplier assess --stored "Example Networks Co., Ltd."`,
		Args: func(cmd *cobra.Command, args []string) error {
			if stored != "" && len(args) > 0 {
				return fmt.Errorf("give either a profile file or --stored NAME, not both")
			}
			if stored == "" && len(args) != 1 {
				return fmt.Errorf("assess needs one profile file or --stored NAME")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains([]string{"none", "review", "listed"}, failOn) {
				return fmt.Errorf("unknown --fail-on %q (want none, review or listed)", failOn)
			}
			var p *supplier.Profile
			var err error
			if stored != "" {
				p, err = storedProfile(cmd.Context(), g, stored)
			} else {
				p, err = supplier.LoadProfile(args[0])
			}
			if err != nil {
				return err
			}
			home, err := g.homeDir()
			if err != nil {
				return err
			}
			s, snap, err := supplier.OpenScreener(home, screen.Options{}, g.logger(cmd.ErrOrStderr()))
			if err != nil {
				return err
			}
			opt := supplier.AssessOptions{Destination: destination}
			if opt.On, err = parseDate(date); err != nil {
				return err
			}
			if rulesFile != "" {
				if opt.Rules, err = loadExportRules(rulesFile); err != nil {
					return err
				}
			}
			if baseFile != "" {
				if opt.Base, err = supplier.LoadInstalledBase(baseFile); err != nil {
					return err
				}
			}
			if db, err := eol.Load(supplier.ListsDir(home)); err == nil {
				opt.EOL = db
			} else {
				g.logger(cmd.ErrOrStderr()).Warn("no end-of-life data; end-of-life dates skipped", "err", err)
			}
			a, err := supplier.Assess(cmd.Context(), s, snap, p, opt)
			if err != nil {
				return err
			}
			switch format {
			case "json":
				err = writeJSON(cmd.OutOrStdout(), a)
			case "text", "":
				err = supplier.WriteText(cmd.OutOrStdout(), a)
			default:
				return fmt.Errorf("unknown --format %q (want text or json)", format)
			}
			if err != nil {
				return err
			}
			switch {
			case failOn == "listed" && a.Decision == "listed":
				return &policyError{fmt.Sprintf("vendor %q is listed", a.Vendor)}
			case failOn == "review" && a.Decision != "clear":
				return &policyError{fmt.Sprintf("vendor %q needs review (%s)", a.Vendor, a.Decision)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json (schema assay.supplier-assessment/v1)")
	cmd.Flags().StringVar(&failOn, "fail-on", "none", "exit 1 when the decision reaches this level: none, review or listed")
	cmd.Flags().StringVar(&destination, "destination", "", "country the products are delivered to (ISO code or name); enables the export-control check")
	cmd.Flags().StringVar(&rulesFile, "export-rules", "", "export-control rule file (assay.export-rules/v1; default: the built-in rules)")
	cmd.Flags().StringVar(&baseFile, "installed-base", "", "operator installed base (assay.installed-base/v1) for dependence evidence")
	cmd.Flags().StringVar(&date, "date", "", "evaluation date YYYY-MM-DD for rules and end-of-life dates (default today)")
	cmd.Flags().StringVar(&stored, "stored", "", "assess the vendor profile of this name kept in the store instead of a file")
	return cmd
}

func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC(), nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--date %q: want YYYY-MM-DD", s)
	}
	return t, nil
}

func loadExportRules(path string) (*supplier.ExportRules, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("export rules: %w", err)
	}
	rs, err := supplier.ParseExportRules(b)
	if err != nil {
		return nil, fmt.Errorf("export rules %s: %w", path, err)
	}
	return rs, nil
}

func newSupplierDependenceCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "dependence installed-base.yaml",
		Short: "Vendor shares, HHI, single-source flags and alternatives per product category",
		Long: `Read an operator's installed base (YAML or JSON, assay.installed-base/v1) and
report per product category each vendor's share of deployed units, the
Herfindahl–Hirschman index (0–10,000; above 2,500 is highly concentrated),
whether the category is single-source and which qualified suppliers are not
deployed.`,
		Example: `  assay supplier dependence examples/installed-base.yaml --format json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ib, err := supplier.LoadInstalledBase(args[0])
			if err != nil {
				return err
			}
			cs := supplier.Dependence(ib)
			switch format {
			case "json":
				return writeJSON(cmd.OutOrStdout(), map[string]any{"schema": supplier.DependenceSchema, "operator": ib.Operator, "categories": cs})
			case "text", "":
				w := cmd.OutOrStdout()
				for _, c := range cs {
					fmt.Fprintf(w, "%s: %.0f units, HHI %.0f (%s), single source %v\n", c.Category, c.Units, c.HHI, c.Level, c.SingleSource)
					for _, v := range c.Shares {
						fmt.Fprintf(w, "  %6.2f%%  %s\n", v.Share, v.Vendor)
					}
					if len(c.Alternatives) > 0 {
						fmt.Fprintf(w, "  qualified, not deployed: %s\n", strings.Join(c.Alternatives, ", "))
					}
				}
				return nil
			}
			return fmt.Errorf("unknown --format %q (want text or json)", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json (schema assay.supplier-dependence/v1)")
	return cmd
}

func newSupplierExportCmd(g *globals) *cobra.Command {
	var destination, rulesFile, date, format string
	cmd := &cobra.Command{
		Use:   "export CLASSIFICATION...",
		Short: "Check whether items with these control classifications need a licence for a destination",
		Long: `Evaluate the export-control rules (data with effective-date ranges; built-in
rules cover the US EAR advanced-computing and semiconductor-equipment rules of
2022 and 2023, Japan's 2023 equipment controls and the Dutch 2023 DUV
controls) for items with the given classifications (ECCNs such as 3A090 or
3B001.f, or the labels JP-SME-2023 and NL-ASME-2023) exported to --destination.`,
		Example: `  assay supplier export 3A090 4A090 --destination CN
  assay supplier export 3B001.f --destination CN --date 2023-01-01 --format json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if destination == "" {
				return fmt.Errorf("--destination is required")
			}
			dest := lists.CountryCode(destination)
			if dest == "" {
				return fmt.Errorf("unknown destination country %q", destination)
			}
			on, err := parseDate(date)
			if err != nil {
				return err
			}
			rules, err := supplier.DefaultExportRules()
			if rulesFile != "" {
				rules, err = loadExportRules(rulesFile)
			}
			if err != nil {
				return err
			}
			var fs []supplier.ExportFinding
			for _, c := range args {
				fs = append(fs, rules.Evaluate(c, []string{c}, dest, on)...)
			}
			switch format {
			case "json":
				if fs == nil {
					fs = []supplier.ExportFinding{}
				}
				return writeJSON(cmd.OutOrStdout(), map[string]any{"schema": "assay.export-check/v1", "destination": dest, "date": on.Format("2006-01-02"), "findings": fs})
			case "text", "":
				if len(fs) == 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "no licence requirement found for %s to %s on %s\n", strings.Join(args, ", "), dest, on.Format("2006-01-02"))
				}
				for _, f := range fs {
					fmt.Fprintf(cmd.OutOrStdout(), "%s to %s: licence required under %s (%s) — %s; %s\n", f.Classification, f.Destination, f.Regime, f.Rule, f.Title, f.Policy)
				}
				return nil
			}
			return fmt.Errorf("unknown --format %q (want text or json)", format)
		},
	}
	cmd.Flags().StringVar(&destination, "destination", "", "destination country (ISO code or name)")
	cmd.Flags().StringVar(&rulesFile, "export-rules", "", "export-control rule file (assay.export-rules/v1; default: the built-in rules)")
	cmd.Flags().StringVar(&date, "date", "", "evaluation date YYYY-MM-DD (default today)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json (schema assay.export-check/v1)")
	return cmd
}
