package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/assayhq/assay/calendar"
	"github.com/assayhq/assay/review"
	"github.com/assayhq/assay/store"
)

// openReview opens the store (SQLite in the data directory, or PostgreSQL
// when $ASSAY_DATABASE_URL is a postgres:// URL) and the review service
// over it. The caller closes the store.
func openReview(ctx context.Context, g *globals) (*review.Service, *store.Store, error) {
	home, err := g.homeDir()
	if err != nil {
		return nil, nil, err
	}
	st, err := store.OpenURL(ctx, home, os.Getenv("ASSAY_DATABASE_URL"))
	if err != nil {
		return nil, nil, err
	}
	svc := &review.Service{
		Repo:  st,
		Blobs: store.Blobs{Dir: store.EvidenceDir(home)},
		Calendars: func(name string) (*calendar.Calendar, error) {
			return calendar.Load(filepath.Join(home, "calendars"), name)
		},
	}
	return svc, st, nil
}

// withReview wraps a command body with an open review service.
func withReview(g *globals, run func(cmd *cobra.Command, args []string, svc *review.Service) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		svc, st, err := openReview(cmd.Context(), g)
		if err != nil {
			return err
		}
		defer st.Close()
		return run(cmd, args, svc)
	}
}

// eventFlags are the who/when/why flags shared by case changes.
type eventFlags struct {
	actor, reason, date string
}

func (f *eventFlags) register(cmd *cobra.Command, reasonHelp string) {
	cmd.Flags().StringVar(&f.actor, "actor", "", "who makes the change, recorded in the audit log (default $USER, else \"cli\")")
	cmd.Flags().StringVar(&f.reason, "reason", "", reasonHelp)
	cmd.Flags().StringVar(&f.date, "date", "", "effective date YYYY-MM-DD, the clock basis (default today; not before the previous transition, not in the future)")
}

func (f *eventFlags) event() review.Event {
	actor := f.actor
	if actor == "" {
		actor = os.Getenv("USER")
	}
	if actor == "" {
		actor = "cli"
	}
	return review.Event{Actor: actor, Reason: f.reason, Date: f.date}
}

// writeReviewJSON writes v as indented JSON.
func writeReviewJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printCase prints a case summary, or with --format json the full report.
func printCase(ctx context.Context, w io.Writer, svc *review.Service, id, format string) error {
	return printCaseFor(ctx, w, svc, id, format, review.AudienceOffice)
}

// printCaseFor prints the case as the audience may see it.
func printCaseFor(ctx context.Context, w io.Writer, svc *review.Service, id, format, audience string) error {
	r, err := svc.Report(ctx, id)
	if err != nil {
		return err
	}
	if r, err = r.Redact(audience); err != nil {
		return err
	}
	switch format {
	case "json":
		return writeReviewJSON(w, r)
	case "text", "":
		return r.WriteText(w)
	}
	return fmt.Errorf("unknown --format %q (want text or json)", format)
}

// caseAction builds a subcommand that changes one case and prints it.
func caseAction(g *globals, use, short, reasonHelp string, run func(ctx context.Context, svc *review.Service, id string, ev review.Event) error, extra func(*cobra.Command)) *cobra.Command {
	var ef eventFlags
	var format string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: withReview(g, func(cmd *cobra.Command, args []string, svc *review.Service) error {
			ctx := cmd.Context()
			if err := run(ctx, svc, args[0], ef.event()); err != nil {
				return err
			}
			return printCase(ctx, cmd.OutOrStdout(), svc, args[0], format)
		}),
	}
	ef.register(cmd, reasonHelp)
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json (assay.case/v1)")
	if extra != nil {
		extra(cmd)
	}
	return cmd
}

// simpleCaseAction builds a subcommand for a Service method that needs
// only the case ID and the event.
func simpleCaseAction(g *globals, use, short, reasonHelp string, m func(*review.Service, context.Context, string, review.Event) (*review.Case, error)) *cobra.Command {
	return caseAction(g, use, short, reasonHelp, func(ctx context.Context, svc *review.Service, id string, ev review.Event) error {
		_, err := m(svc, ctx, id, ev)
		return err
	}, nil)
}

func newCaseCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "case",
		Short: "Review cases: application or ex-officio review through to decision",
		Long: `Review cases follow the state machine of the 2021 Cybersecurity Review Measures:

  DRAFT -submit-> SUBMITTED -accept-> SCREENING (10 WD) -advance-> INITIAL_REVIEW (30 WD, +15)
  -advance-> OPINIONS (15 WD) -decide-> DECIDED -advance-> MONITORING | CLOSED
  OPINIONS -advance (disagreement)-> SPECIAL_REVIEW (90 WD + extensions) -decide-> DECIDED
  SCREENING -decide NO_REVIEW_REQUIRED-> CLOSED_NO_REVIEW
  Ex-officio cases start in INITIAL_REVIEW. Any clocked state can be paused
  while requested materials are outstanding; paused days do not count.

Deadlines are derived from the working-day calendar (default cn; import it
with "assay calendar update"). Every change is recorded in the audit log.`,
	}
	cmd.AddCommand(newCaseCreateCmd(g), newCaseListCmd(g), newCaseShowCmd(g, "show", "Show a case with its deadlines, factors and history", "text"),
		newCaseReportCmd(g),
		newCaseSubmitCmd(g), newCaseAcceptCmd(g), newCaseAdvanceCmd(g), newCasePauseCmd(g), newCaseResumeCmd(g),
		newCaseAttachCmd(g), newCaseProposeCmd(g), newCaseAssessCmd(g), newCaseOpinionCmd(g), newCaseDecideCmd(g), newCaseBreachCmd(g),
		newCaseRestrictionsCmd(g))
	return cmd
}

// parseProduct reads NAME or NAME@V1,V2.
func parseProduct(s string) review.Product {
	name, versions, ok := strings.Cut(s, "@")
	p := review.Product{Name: name}
	if ok {
		p.Versions = strings.Split(versions, ",")
	}
	return p
}

func newCaseCreateCmd(g *globals) *cobra.Command {
	var (
		ef                     eventFlags
		in                     review.CreateInput
		trigger, scope, format string
		products               []string
	)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Open a case (prints its ID)",
		Example: `  assay case create --trigger APPLICATION --operator "Grid Co" --vendor "Acme Networks" --product "EdgeRouter@2.1,2.2"
  assay case create --trigger EX_OFFICIO --vendor "Micron Technology" --date 2023-03-31 --reason "Central Commission approval"`,
		Args: cobra.NoArgs,
		RunE: withReview(g, func(cmd *cobra.Command, _ []string, svc *review.Service) error {
			ctx := cmd.Context()
			in.Trigger = review.Trigger(strings.ToUpper(trigger))
			in.Scope.Kind = review.ScopeKind(strings.ToUpper(scope))
			for _, p := range products {
				in.Scope.Products = append(in.Scope.Products, parseProduct(p))
			}
			in.Event = ef.event()
			c, err := svc.Create(ctx, in)
			if err != nil {
				return err
			}
			if format == "json" {
				return printCase(ctx, cmd.OutOrStdout(), svc, c.ID, format)
			}
			fmt.Fprintln(cmd.OutOrStdout(), c.ID)
			return nil
		}),
	}
	ef.register(cmd, "why the case is opened")
	f := cmd.Flags()
	f.StringVar(&trigger, "trigger", "APPLICATION", "APPLICATION (operator's procurement; starts as DRAFT) or EX_OFFICIO (starts in INITIAL_REVIEW on --date)")
	f.StringVar(&scope, "scope", "", "PROCUREMENT or VENDOR_PRODUCTS (default by trigger)")
	f.StringVar(&in.Scope.Vendor, "vendor", "", "vendor (provider) under review (required)")
	f.StringVar(&in.Scope.Operator, "operator", "", "applicant CII operator")
	f.StringArrayVar(&products, "product", nil, "product in scope, NAME or NAME@VERSION,VERSION (repeatable)")
	f.StringArrayVar(&in.Scope.Deployments, "deployment", nil, "deployment in scope (repeatable)")
	f.StringVar(&in.Title, "title", "", "case title")
	f.StringVar(&in.Calendar, "calendar", "cn", "working-day calendar of the clocks: cn, jp, us or nl")
	f.StringVar(&format, "format", "text", "output: text (the ID) or json (assay.case/v1)")
	return cmd
}

func newCaseListCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List cases",
		Args:  cobra.NoArgs,
		RunE: withReview(g, func(cmd *cobra.Command, _ []string, svc *review.Service) error {
			ctx := cmd.Context()
			cases, err := svc.List(ctx)
			if err != nil {
				return err
			}
			type item struct {
				ID       string         `json:"id"`
				Title    string         `json:"title"`
				Trigger  review.Trigger `json:"trigger"`
				State    review.State   `json:"state"`
				Paused   bool           `json:"paused"`
				Vendor   string         `json:"vendor"`
				Decision string         `json:"decision,omitempty"`
			}
			items := []item{}
			for _, c := range cases {
				it := item{ID: c.ID, Title: c.Title, Trigger: c.Trigger, State: c.State, Paused: c.Paused(), Vendor: c.Scope.Vendor}
				if c.Decision != nil {
					it.Decision = c.Decision.Outcome
				}
				items = append(items, it)
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return writeReviewJSON(out, map[string]any{"schema": "assay.case-list/v1", "cases": items})
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATE\tTRIGGER\tVENDOR\tDECISION\tTITLE")
			for _, it := range items {
				state := string(it.State)
				if it.Paused {
					state += " (paused)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", it.ID, state, it.Trigger, it.Vendor, it.Decision, it.Title)
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json (assay.case-list/v1)")
	return cmd
}

func newCaseShowCmd(g *globals, use, short, defFormat string) *cobra.Command {
	var format, audience string
	cmd := &cobra.Command{
		Use:     use + " ID",
		Short:   short,
		Example: "  assay case " + use + " CR-0001 --format " + defFormat + "\n  assay case " + use + " CR-0001 --audience operator",
		Args:    cobra.ExactArgs(1),
		RunE: withReview(g, func(cmd *cobra.Command, args []string, svc *review.Service) error {
			return printCaseFor(cmd.Context(), cmd.OutOrStdout(), svc, args[0], format, audience)
		}),
	}
	cmd.Flags().StringVar(&format, "format", defFormat, "output: text or json (assay.case/v1)")
	cmd.Flags().StringVar(&audience, "audience", "office", "who the output is for (Art. 17): office (everything), member-units, operator (confidential evidence without the supplier's consent is redacted) or public (the conclusion only)")
	return cmd
}

func newCaseSubmitCmd(g *globals) *cobra.Command {
	return simpleCaseAction(g, "submit ID", "Submit a draft application (DRAFT -> SUBMITTED)", "optional note", (*review.Service).Submit)
}

func newCaseAcceptCmd(g *globals) *cobra.Command {
	var incomplete bool
	return caseAction(g, "accept ID", "Accept complete materials and start screening (10 WD), or --incomplete to request more",
		"reason (required with --incomplete: what is missing)",
		func(ctx context.Context, svc *review.Service, id string, ev review.Event) error {
			var err error
			if incomplete {
				_, err = svc.RequestMaterials(ctx, id, ev)
			} else {
				_, err = svc.Accept(ctx, id, ev)
			}
			return err
		}, func(cmd *cobra.Command) {
			cmd.Flags().BoolVar(&incomplete, "incomplete", false, "materials incomplete: move to AWAITING_MATERIALS (clock not started)")
		})
}

func newCaseAdvanceCmd(g *globals) *cobra.Command {
	var (
		to     string
		extend bool
		days   int
	)
	cmd := caseAction(g, "advance ID", "Move a case to its next stage (--to) or extend the running clock (--extend)",
		"reason (required for SPECIAL_REVIEW and --extend)",
		func(ctx context.Context, svc *review.Service, id string, ev review.Event) error {
			var err error
			switch {
			case extend && to != "":
				return fmt.Errorf("give either --to or --extend")
			case extend:
				_, err = svc.Extend(ctx, id, days, ev)
			case to != "":
				_, err = svc.Advance(ctx, id, review.State(strings.ToUpper(to)), ev)
			default:
				return fmt.Errorf("give --to STATE or --extend")
			}
			return err
		}, func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&to, "to", "", "target state: INITIAL_REVIEW, OPINIONS, SPECIAL_REVIEW, MONITORING or CLOSED")
			cmd.Flags().BoolVar(&extend, "extend", false, "extend the running clock: INITIAL_REVIEW once by 15 WD (Art. 11), SPECIAL_REVIEW by --days (Art. 14)")
			cmd.Flags().IntVar(&days, "days", 0, "working days of a special-review extension")
		})
	cmd.Example = `  assay case advance CR-0001 --to INITIAL_REVIEW --date 2024-03-18
  assay case advance CR-0001 --extend --reason "complex case"
  assay case advance CR-0001 --to SPECIAL_REVIEW --reason "MIIT disagrees"`
	return cmd
}

func newCasePauseCmd(g *globals) *cobra.Command {
	return simpleCaseAction(g, "pause ID", "Pause the clock while requested materials are outstanding (Art. 15)", "what was requested (required)", (*review.Service).Pause)
}

func newCaseResumeCmd(g *globals) *cobra.Command {
	return simpleCaseAction(g, "resume ID", "Resume a paused clock (materials received on --date)", "optional note", (*review.Service).Resume)
}

func newCaseRestrictionsCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "restrictions",
		Short: "List the restricted entries created by NOT_PASSED decisions (for screenings)",
		Args:  cobra.NoArgs,
		RunE: withReview(g, func(cmd *cobra.Command, _ []string, svc *review.Service) error {
			rs, err := svc.Restrictions(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				if rs == nil {
					rs = []review.Restriction{}
				}
				return writeReviewJSON(out, map[string]any{"schema": "assay.restrictions/v1", "restrictions": rs})
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CASE\tEFFECTIVE\tSCOPE\tVENDOR\tPRODUCTS")
			for _, r := range rs {
				var names []string
				for _, p := range r.Products {
					names = append(names, p.Name)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.CaseID, r.Effective, r.ScopeKind, r.Vendor, strings.Join(names, ", "))
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json (assay.restrictions/v1)")
	return cmd
}
