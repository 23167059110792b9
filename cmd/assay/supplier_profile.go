package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/assayhq/assay/review"
	"github.com/assayhq/assay/store"
	"github.com/assayhq/assay/supplier"
)

// vendorProfileSchema is the JSON schema name of `supplier profile list
// --format json`.
const vendorProfileSchema = "assay.vendor-profiles/v1"

func newSupplierProfileCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "Keep vendor profiles in the store: import, list, show",
		Long: `Vendor profiles (YAML or JSON, schema assay.vendor/v1, see docs/supplier.md)
are kept in the store (SQLite in the data directory, or PostgreSQL when
$ASSAY_DATABASE_URL is a postgres:// URL), keyed by the case-folded legal name.
Every import is a new version and an audit-log record; "assay audit verify"
checks the stored profiles against it. "assay supplier assess --stored NAME"
assesses a stored profile.`,
	}
	cmd.AddCommand(newSupplierProfileImportCmd(g), newSupplierProfileListCmd(g), newSupplierProfileShowCmd(g))
	return cmd
}

// withStore opens the store for one command.
func withStore(ctx context.Context, g *globals, fn func(st *store.Store) error) error {
	home, err := g.homeDir()
	if err != nil {
		return err
	}
	st, err := store.OpenURL(ctx, home, os.Getenv("ASSAY_DATABASE_URL"))
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

func newSupplierProfileImportCmd(g *globals) *cobra.Command {
	var actor, reason string
	cmd := &cobra.Command{
		Use:     "import FILE...",
		Short:   "Validate vendor profile files and store them (a new version per import)",
		Example: `  assay supplier profile import examples/vendor.yaml --reason "annual review"`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if actor == "" {
				actor = os.Getenv("USER")
			}
			if actor == "" {
				actor = "cli"
			}
			// Validate every file before storing any.
			profiles := make([]*supplier.Profile, len(args))
			for i, path := range args {
				p, err := supplier.LoadProfile(path)
				if err != nil {
					return err
				}
				profiles[i] = p
			}
			return withStore(cmd.Context(), g, func(st *store.Store) error {
				for i, p := range profiles {
					doc, err := json.Marshal(p)
					if err != nil {
						return fmt.Errorf("encode vendor profile %s: %w", args[i], err)
					}
					v, err := st.PutVendorProfile(cmd.Context(), p.Name, doc, review.Change{Actor: actor, Action: "vendor.import", Reason: reason,
						At: time.Now().UTC(), Detail: map[string]string{"file": args[i]}})
					if err != nil {
						return err
					}
					if !g.quiet {
						fmt.Fprintf(cmd.OutOrStdout(), "stored %q version %d\n", p.Name, v)
					}
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&actor, "actor", "", `who imports, recorded in the audit log (default $USER, else "cli")`)
	cmd.Flags().StringVar(&reason, "reason", "", "why, recorded in the audit log")
	return cmd
}

// profileSummary is one row of `supplier profile list --format json`.
type profileSummary struct {
	Name       string    `json:"name"`
	Version    int       `json:"version"`
	Country    string    `json:"country,omitempty"`
	Owners     int       `json:"owners"`
	Facilities int       `json:"facilities"`
	SHA256     string    `json:"sha256"`
	Updated    time.Time `json:"updated_at"`
}

func newSupplierProfileListCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the stored vendor profiles",
		Example: `  assay supplier profile list --format json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("unknown --format %q (want table or json)", format)
			}
			return withStore(cmd.Context(), g, func(st *store.Store) error {
				ps, err := st.VendorProfiles(cmd.Context())
				if err != nil {
					return err
				}
				rows := make([]profileSummary, 0, len(ps))
				for _, sp := range ps {
					p, err := supplier.ParseProfile(sp.Doc)
					if err != nil {
						return fmt.Errorf("stored vendor profile %q: %w", sp.Name, err)
					}
					rows = append(rows, profileSummary{Name: sp.Name, Version: sp.Version, Country: p.Country, Owners: len(p.Owners),
						Facilities: len(p.Facilities), SHA256: sp.SHA256, Updated: sp.Updated})
				}
				w := cmd.OutOrStdout()
				if format == "json" {
					return writeJSON(w, map[string]any{"schema": vendorProfileSchema, "profiles": rows})
				}
				fmt.Fprintf(w, "%-40s %7s %-7s %6s %10s  %s\n", "NAME", "VERSION", "COUNTRY", "OWNERS", "FACILITIES", "UPDATED")
				for _, r := range rows {
					fmt.Fprintf(w, "%-40s %7d %-7s %6d %10d  %s\n", r.Name, r.Version, r.Country, r.Owners, r.Facilities, r.Updated.Format(time.RFC3339))
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json (schema "+vendorProfileSchema+")")
	return cmd
}

func newSupplierProfileShowCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:     "show NAME",
		Short:   "Print a stored vendor profile (YAML, or JSON with --format json)",
		Example: `  assay supplier profile show "Example Networks Co., Ltd." --format json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := storedProfile(cmd.Context(), g, args[0])
			if err != nil {
				return err
			}
			switch format {
			case "json":
				if p.Schema == "" {
					p.Schema = "assay.vendor/v1"
				}
				return writeJSON(cmd.OutOrStdout(), p)
			case "yaml", "":
				enc := yaml.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent(2)
				if err := enc.Encode(p); err != nil {
					return err
				}
				return enc.Close()
			}
			return fmt.Errorf("unknown --format %q (want yaml or json)", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "yaml", "output format: yaml or json (schema assay.vendor/v1)")
	return cmd
}

// storedProfile reads and validates the stored profile of a vendor.
func storedProfile(ctx context.Context, g *globals, name string) (*supplier.Profile, error) {
	var p *supplier.Profile
	err := withStore(ctx, g, func(st *store.Store) error {
		sp, err := st.VendorProfile(ctx, name)
		if err != nil {
			return err
		}
		if p, err = supplier.ParseProfile(sp.Doc); err != nil {
			return fmt.Errorf("stored vendor profile %q: %w", sp.Name, err)
		}
		return nil
	})
	return p, err
}
