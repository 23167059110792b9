package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/report"
	"github.com/assayhq/assay/store"
)

// caseReportFormats maps --format values to renderers.
var caseReportFormats = map[string]func(io.Writer, *report.CaseReport) error{
	"json": report.CaseJSON,
	"text": report.CaseText,
	"html": report.CaseHTML,
	"pdf":  report.CasePDF,
}

func newCaseReportCmd(g *globals) *cobra.Command {
	var format, output, audience string
	cmd := &cobra.Command{
		Use:   "report ID",
		Short: "Write the review report: JSON (assay.case/v1), text, one self-contained HTML file, or PDF",
		Long: `Write the review report of a case for one audience.

  json  the whole case as "schema":"assay.case/v1": factors F1..F7 with the
        automated proposal, the reviewer assessment and evidence links,
        decision, deadlines, plus the audit checkpoint and evidence findings
  text  a plain summary
  html  one self-contained page (inline CSS and SVG charts, no external
        references): summary and decision, scope, factors with the risk
        matrix, findings read back from attached scan, firmware and supplier
        evidence, evidence, opinions, timeline with deadlines, audit checkpoint
  pdf   the same as PDF (A4); refused on a terminal, use --output

--audience decides what is shown (Art. 17): reviewer (the review office, everything),
applicant (the operator: the supplier's confidential evidence without its consent
is withheld, and so are its findings), public (the conclusion only); member-units
is accepted too. Without --format the format follows the --output extension
(.json, .txt, .html, .pdf), else json.`,
		Example: `  assay case report CR-0001 --format json
  assay case report CR-0001 -o CR-0001.html
  assay case report CR-0001 --format pdf --audience applicant -o CR-0001-applicant.pdf`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("format") {
				format = formatFromExt(output)
			}
			format = strings.ToLower(format)
			render, ok := caseReportFormats[format]
			if !ok {
				return fmt.Errorf("unknown --format %q (want json, text, html or pdf)", format)
			}
			if _, err := report.ParseAudience(audience); err != nil {
				return err
			}
			if format == "pdf" && output == "" && isTerminal(cmd.OutOrStdout()) {
				return errors.New("refusing to write PDF to a terminal: give --output FILE or redirect standard output")
			}
			cr, err := buildCaseReport(cmd.Context(), g, args[0], audience)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := render(&buf, cr); err != nil {
				return err
			}
			if output == "" || output == "-" {
				_, err := cmd.OutOrStdout().Write(buf.Bytes())
				return err
			}
			// Reports for anyone but the public hold confidential material.
			perm := os.FileMode(0o600)
			if cr.Public() {
				perm = 0o644
			}
			if err := os.WriteFile(output, buf.Bytes(), perm); err != nil {
				return fmt.Errorf("write report: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "json", "output: json (assay.case/v1), text, html or pdf (default from the --output extension, else json)")
	f.StringVarP(&output, "output", "o", "", "write the report to FILE instead of standard output")
	f.StringVar(&audience, "audience", "reviewer", "who the report is for (Art. 17): reviewer, applicant or public (also office, member-units, operator)")
	return cmd
}

// formatFromExt picks the report format from an output file name.
func formatFromExt(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".html", ".htm":
		return "html"
	case ".pdf":
		return "pdf"
	case ".txt":
		return "text"
	}
	return "json"
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// buildCaseReport loads the case, its audit head and a reader of its
// evidence, and builds the report for the audience.
func buildCaseReport(ctx context.Context, g *globals, id, audience string) (*report.CaseReport, error) {
	svc, st, err := openReview(ctx, g)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	r, err := svc.Report(ctx, id)
	if err != nil {
		return nil, err
	}
	head, err := auditHead(ctx, st, id)
	if err != nil {
		return nil, err
	}
	home, err := g.homeDir()
	if err != nil {
		return nil, err
	}
	blobs := store.Blobs{Dir: store.EvidenceDir(home)}
	return report.NewCaseReport(r, audience, report.CaseOptions{Audit: head, Evidence: func(sha string) (io.ReadCloser, error) {
		if b, err := hex.DecodeString(sha); err != nil || len(b) != 32 {
			return nil, fmt.Errorf("evidence digest %q is not a SHA-256", sha)
		}
		return os.Open(blobs.Path(sha))
	}})
}

// auditHead reads the latest signed checkpoint (verifying its signature)
// and the case's latest audit record.
func auditHead(ctx context.Context, st *store.Store, id string) (*report.AuditHead, error) {
	signed, err := st.LatestCheckpoint(ctx)
	if err != nil || signed == nil {
		return nil, err
	}
	keys := st.Keys()
	cp, err := audit.OpenCheckpoint(signed, keys.Verifier)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint: %w", err)
	}
	recs, err := st.Records(ctx, id)
	if err != nil {
		return nil, err
	}
	h := &report.AuditHead{LogSize: cp.Size, Root: base64.StdEncoding.EncodeToString(cp.Root), Checkpoint: string(signed),
		VerifierKey: keys.VerifierKey, CaseRecords: len(recs)}
	if n := len(recs); n > 0 {
		h.CaseLastSeq, h.CaseStateSHA256 = recs[n-1].Seq, recs[n-1].StateSHA256
	}
	return h, nil
}
