package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/assayhq/assay/review"
)

func newCaseAttachCmd(g *globals) *cobra.Command {
	var in review.EvidenceInput
	var ef eventFlags
	var format string
	cmd := &cobra.Command{
		Use:   "attach ID FILE",
		Short: "Attach any file as evidence (stored by SHA-256 with confidentiality class and consent scope)",
		Example: `  assay case attach CR-0001 sbom.cdx.json --type SBOM --factor F1 --factor F3
  assay case attach CR-0001 pentest.pdf --type PENTEST --confidentiality TRADE_SECRET --consent THIS_REVIEW --issuer "Lab X" --date 2024-02-01
  assay case attach CR-0001 cc-cert.pdf --type CERTIFICATE --valid-until 2027-06-30 --factor F1`,
		Args: cobra.ExactArgs(2),
		RunE: withReview(g, func(cmd *cobra.Command, args []string, svc *review.Service) error {
			ctx := cmd.Context()
			f, err := os.Open(args[1])
			if err != nil {
				return fmt.Errorf("attach: %w", err)
			}
			defer f.Close()
			if in.Name == "" {
				in.Name = filepath.Base(args[1])
			}
			in.Date = ef.date
			_, e, err := svc.Attach(ctx, args[0], f, in, ef.event())
			if err != nil {
				return err
			}
			if format == "json" {
				return printCase(ctx, cmd.OutOrStdout(), svc, args[0], format)
			}
			fmt.Fprintln(cmd.OutOrStdout(), e.SHA256)
			return nil
		}),
	}
	ef.register(cmd, "optional note")
	fl := cmd.Flags()
	fl.Lookup("date").Usage = "date the evidence was issued, YYYY-MM-DD"
	fl.StringVar(&in.Type, "type", "OTHER", "evidence type: "+strings.Join(review.EvidenceTypes(), ", "))
	fl.StringVar(&in.Name, "name", "", "display name (default the file name)")
	fl.StringVar(&in.Issuer, "issuer", "", "who issued the evidence (lab, vendor, tool)")
	fl.StringVar(&in.Supplier, "supplier", "", "supplier the evidence concerns")
	fl.StringVar(&in.ValidUntil, "valid-until", "", "last day the evidence is valid (e.g. a certificate), YYYY-MM-DD")
	fl.StringVar(&in.Confidentiality, "confidentiality", "CONFIDENTIAL", "class (Art. 17): "+strings.Join(review.ConfidentialityClasses(), ", "))
	fl.StringVar(&in.Consent, "consent", "THIS_REVIEW", "supplier's consent scope: "+strings.Join(review.ConsentScopes(), ", "))
	fl.StringArrayVar(&in.Factors, "factor", nil, "factor this evidence supports, F1..F7 (repeatable)")
	fl.StringVar(&format, "format", "text", "output: text (the SHA-256) or json (assay.case/v1)")
	return cmd
}

func newCaseAssessCmd(g *globals) *cobra.Command {
	var in review.AssessInput
	cmd := caseAction(g, "assess ID", "Confirm (--confirm) or override a factor's proposal, or score it by hand, with a written rationale", "same as --rationale",
		func(ctx context.Context, svc *review.Service, id string, ev review.Event) error {
			if in.Rationale == "" {
				in.Rationale = ev.Reason
			}
			_, err := svc.Assess(ctx, id, in, ev)
			return err
		}, func(cmd *cobra.Command) {
			fl := cmd.Flags()
			fl.StringVar(&in.Factor, "factor", "", "factor F1..F7 (required)")
			fl.BoolVar(&in.Confirm, "confirm", false, "accept the automated proposal's score")
			fl.IntVar(&in.Likelihood, "likelihood", 0, "likelihood 1..5 (override or manual score)")
			fl.IntVar(&in.Impact, "impact", 0, "impact 1..5 (override or manual score)")
			fl.StringVar(&in.Confidence, "confidence", "MEDIUM", "LOW, MEDIUM or HIGH")
			fl.StringVar(&in.Rationale, "rationale", "", "written rationale (required)")
			fl.StringArrayVar(&in.Evidence, "evidence", nil, "SHA-256 of attached evidence supporting the assessment (repeatable)")
		})
	cmd.Example = `  assay case assess CR-0001 --factor F1 --confirm --rationale "KEV entries verified on the deployed build"
  assay case assess CR-0001 --factor F1 --likelihood 2 --impact 5 --confidence HIGH --rationale "service disabled in deployment"`
	return cmd
}

// parseCommitment reads TYPE:DUE:TEXT (DUE may be empty).
func parseCommitment(s string) (review.Commitment, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 {
		return review.Commitment{}, fmt.Errorf("--commitment %q: want TYPE:DUE:TEXT (DUE YYYY-MM-DD or empty)", s)
	}
	return review.Commitment{Type: parts[0], Due: parts[1], Text: parts[2]}, nil
}

func newCaseDecideCmd(g *globals) *cobra.Command {
	var (
		in          review.DecideInput
		commitments []string
	)
	cmd := caseAction(g, "decide ID", "Record the decision: NO_REVIEW_REQUIRED, PASSED, PASSED_WITH_COMMITMENTS or NOT_PASSED", "rationale of the decision (required)",
		func(ctx context.Context, svc *review.Service, id string, ev review.Event) error {
			in.Commitments = nil
			for _, s := range commitments {
				c, err := parseCommitment(s)
				if err != nil {
					return err
				}
				in.Commitments = append(in.Commitments, c)
			}
			_, err := svc.Decide(ctx, id, in, ev)
			return err
		}, func(cmd *cobra.Command) {
			fl := cmd.Flags()
			fl.StringVar(&in.Outcome, "outcome", "", "NO_REVIEW_REQUIRED (from SCREENING), PASSED, PASSED_WITH_COMMITMENTS or NOT_PASSED (from OPINIONS or SPECIAL_REVIEW)")
			fl.StringVar(&in.Statement, "statement", "", "public statement text")
			fl.StringArrayVar(&commitments, "commitment", nil, "commitment TYPE:DUE:TEXT, TYPE one of "+strings.Join(review.CommitmentTypes(), ", ")+" (repeatable)")
		})
	cmd.Example = `  assay case decide CR-0001 --outcome NOT_PASSED --reason "serious hidden risks" --date 2023-05-21
  assay case decide CR-0002 --outcome PASSED_WITH_COMMITMENTS --reason "mitigated" --commitment "PATCH_SLA:2025-12-31:Fix critical vulnerabilities within 30 days"`
	return cmd
}

func newCaseOpinionCmd(g *globals) *cobra.Command {
	var in review.OpinionInput
	cmd := caseAction(g, "opinion ID", "Record a member unit's or protection department's opinion (OPINIONS, Art. 12)", "optional note",
		func(ctx context.Context, svc *review.Service, id string, ev review.Event) error {
			_, err := svc.Opinion(ctx, id, in, ev)
			return err
		}, func(cmd *cobra.Command) {
			fl := cmd.Flags()
			fl.StringVar(&in.From, "from", "", "member unit or CII protection department (required)")
			fl.StringVar(&in.Position, "position", "", "AGREE, DISAGREE or CONDITIONS (a disagreement blocks decide: advance to SPECIAL_REVIEW)")
			fl.StringVar(&in.Text, "text", "", "the opinion text")
		})
	cmd.Example = `  assay case opinion CR-0001 --from MIIT --position AGREE --date 2024-05-27`
	return cmd
}

func newCaseBreachCmd(g *globals) *cobra.Command {
	var ef eventFlags
	var commitment string
	cmd := &cobra.Command{
		Use:     "breach ID",
		Short:   "Report a breach of a monitored commitment; reopens the matter as a new ex-officio case (prints its ID)",
		Example: `  assay case breach CR-0001 --commitment C1 --reason "critical fix shipped 75 days late"`,
		Args:    cobra.ExactArgs(1),
		RunE: withReview(g, func(cmd *cobra.Command, args []string, svc *review.Service) error {
			_, reopened, err := svc.ReportBreach(cmd.Context(), args[0], commitment, ef.event())
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), reopened.ID)
			return nil
		}),
	}
	ef.register(cmd, "the breach report (required)")
	cmd.Flags().StringVar(&commitment, "commitment", "", "commitment ID, e.g. C1 (required)")
	return cmd
}
