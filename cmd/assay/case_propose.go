package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	extractlimit "github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/review"
	"github.com/assayhq/assay/review/signals"
)

// proposeFlags are the flags of "case propose".
type proposeFlags struct {
	p                  review.Proposal
	likelihood, impact int
	confidence, factor string
	signals            string
	from               []string
	criticality        int
	opt                signals.Options
}

func newCaseProposeCmd(g *globals) *cobra.Command {
	var pf proposeFlags
	cmd := caseAction(g, "propose ID", "Record automated factor proposals: from Assay's own evidence documents (--from), a signals file (--signals) or one factor by hand", "optional note",
		func(ctx context.Context, svc *review.Service, id string, ev review.Event) error {
			return pf.run(ctx, svc, id, ev)
		}, func(cmd *cobra.Command) {
			fl := cmd.Flags()
			fl.StringArrayVar(&pf.from, "from", nil, "evidence document: assay.scan/v1 (assay scan --format json, firmware problems included) or assay.supplier-assessment/v1 (assay supplier assess --format json); attached to the case unless already attached (repeatable)")
			fl.IntVar(&pf.criticality, "criticality", 0, "criticality of the products to the operator's CII, 1..5: the impact of F1, F2 and F3 (with --from or --signals; default 4)")
			fl.StringVar(&pf.opt.Jurisdiction, "jurisdiction", "CN", "ISO country of the reviewing state: its own government's ownership is not foreign (with --from)")
			fl.Float64Var(&pf.opt.StateShare, "foreign-state-share", 25, "effective foreign-state ownership in percent from which the vendor counts as foreign-state controlled (with --from)")
			fl.StringVar(&pf.signals, "signals", "", "JSON file of evidence signals (see docs/review.md); proposes F1, F2, F3 and F5 by the documented rules")
			fl.StringVar(&pf.factor, "factor", "", "factor F1..F7 (by hand)")
			fl.IntVar(&pf.likelihood, "likelihood", 0, "likelihood 1..5 (by hand)")
			fl.IntVar(&pf.impact, "impact", 0, "impact 1..5 (by hand)")
			fl.StringVar(&pf.confidence, "confidence", "MEDIUM", "LOW, MEDIUM or HIGH (by hand)")
			fl.StringVar(&pf.p.Source, "source", "", "producer of the proposal, e.g. scan, firmware, supplier (required by hand and with --signals; default with --from: assay)")
			fl.StringVar(&pf.p.Summary, "summary", "", "one-line summary of the finding (by hand)")
			fl.StringArrayVar(&pf.p.Evidence, "evidence", nil, "SHA-256 of attached evidence behind the proposal (repeatable; by hand)")
		})
	cmd.Example = `  assay case propose CR-0001 --from scan.json --from firmware.json --from supplier.json --criticality 5
  assay case propose CR-0001 --signals scan-signals.json --source scan
  assay case propose CR-0001 --factor F1 --likelihood 4 --impact 5 --confidence HIGH --source scan --summary "2 KEV vulnerabilities" --evidence SHA256`
	return cmd
}

func (pf *proposeFlags) run(ctx context.Context, svc *review.Service, id string, ev review.Event) error {
	if pf.criticality < 0 || pf.criticality > 5 {
		return fmt.Errorf("--criticality %d: want 1..5", pf.criticality)
	}
	switch {
	case len(pf.from) > 0 && (pf.signals != "" || pf.factor != ""):
		return errors.New("give --from, --signals or --factor, not several")
	case len(pf.from) > 0:
		return proposeFrom(ctx, svc, id, pf.from, pf.criticality, pf.p.Source, pf.opt, ev)
	case pf.signals != "":
		sig, err := readSignals(pf.signals)
		if err != nil {
			return err
		}
		if pf.criticality != 0 {
			sig.Criticality = pf.criticality
		}
		_, err = svc.ApplySignals(ctx, id, pf.p.Source, sig, ev)
		return err
	}
	p := pf.p
	p.Score = review.Score{Likelihood: pf.likelihood, Impact: pf.impact, Confidence: pf.confidence}
	_, err := svc.Propose(ctx, id, pf.factor, p, ev)
	return err
}

// proposeFrom reads evidence documents, attaches the ones the case does
// not hold yet and records the proposals made from their signals, each
// linked to the documents it used.
func proposeFrom(ctx context.Context, svc *review.Service, id string, files []string, criticality int, source string, opt signals.Options, ev review.Event) error {
	c, err := svc.Get(ctx, id)
	if err != nil {
		return err
	}
	held := map[string]bool{}
	for _, e := range c.Evidence {
		held[e.SHA256] = true
	}
	// Read every document before attaching any, so a bad file changes nothing.
	docs := make([]*signals.Document, 0, len(files))
	contents := make([][]byte, 0, len(files))
	for _, path := range files {
		data, err := readBounded(path, signals.MaxDocumentBytes)
		if err != nil {
			return err
		}
		d, err := signals.Parse(path, data, opt)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		d.SHA256 = hex.EncodeToString(sum[:])
		docs = append(docs, d)
		contents = append(contents, data)
	}
	for i, d := range docs {
		if held[d.SHA256] {
			continue
		}
		in := review.EvidenceInput{Name: filepath.Base(d.Name), Type: d.EvidenceType(), Issuer: "assay (" + d.Schema + ")",
			Supplier: c.Scope.Vendor, Date: ev.Date, Factors: d.Factors()}
		_, e, err := svc.Attach(ctx, id, bytes.NewReader(contents[i]), in, ev)
		if err != nil {
			return err
		}
		if e.SHA256 != d.SHA256 {
			return fmt.Errorf("%s: stored digest %s differs from read digest %s", d.Name, e.SHA256, d.SHA256)
		}
		held[d.SHA256] = true
	}
	if source == "" {
		var kinds []string
		for _, d := range docs {
			for _, f := range d.Families {
				if !slices.Contains(kinds, f) {
					kinds = append(kinds, f)
				}
			}
		}
		source = "assay " + strings.Join(kinds, "+")
	}
	for _, p := range signals.Proposals(docs, criticality, source, time.Time{}) {
		if _, err := svc.Propose(ctx, id, p.Factor, p.Proposal, ev); err != nil {
			return err
		}
	}
	return nil
}

// readBounded reads a file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := extractlimit.ReadAll(f, limit)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

// readSignals reads a bounded signals file.
func readSignals(path string) (review.Signals, error) {
	data, err := readBounded(path, review.MaxSignalsBytes)
	if err != nil {
		return review.Signals{}, fmt.Errorf("signals: %w", err)
	}
	return review.ParseSignals(path, data)
}
