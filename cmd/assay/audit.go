package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/store"
)

func newAuditCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "The tamper-evident audit log of every change to the review state",
	}
	cmd.AddCommand(newAuditVerifyCmd(g), newAuditCheckpointCmd(g), newAuditLogCmd(g))
	return cmd
}

// withReviewStore wraps a command body with the open store.
func withReviewStore(g *globals, run func(cmd *cobra.Command, args []string, st *store.Store) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		home, err := g.homeDir()
		if err != nil {
			return err
		}
		st, err := store.OpenURL(cmd.Context(), home, os.Getenv("ASSAY_DATABASE_URL"))
		if err != nil {
			return err
		}
		defer st.Close()
		return run(cmd, args, st)
	}
}

func newAuditVerifyCmd(g *globals) *cobra.Command {
	var checkpoints []string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Verify the audit log against its signed checkpoints (exit 1 if tampered)",
		Long: `Recompute the Merkle tree of the audit log and check every signed checkpoint,
then check that every stored case is the state its latest audit record
recorded and that every evidence file still has its SHA-256. Any modified, deleted, inserted or reordered record fails with exit
code 1. Give checkpoints published elsewhere (assay audit checkpoint) with
--checkpoint to also detect truncation of the log together with its latest
checkpoints.`,
		Example: `  assay audit checkpoint > published.ckpt
  assay audit verify --checkpoint published.ckpt`,
		Args: cobra.NoArgs,
		RunE: withReviewStore(g, func(cmd *cobra.Command, _ []string, st *store.Store) error {
			var extra [][]byte
			for _, p := range checkpoints {
				b, err := os.ReadFile(p)
				if err != nil {
					return fmt.Errorf("read checkpoint: %w", err)
				}
				extra = append(extra, b)
			}
			res, err := st.Verify(cmd.Context(), extra)
			if err == nil {
				home, herr := g.homeDir()
				if herr != nil {
					return herr
				}
				res.Evidence, err = st.VerifyEvidence(cmd.Context(), store.Blobs{Dir: store.EvidenceDir(home)})
			}
			if errors.Is(err, audit.ErrTampered) {
				return &policyError{msg: err.Error()}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "audit log verified: %d records, %d checkpoints, %d evidence items, root %s\n",
				res.Records, res.Checkpoints, res.Evidence, base64.StdEncoding.EncodeToString(res.Root))
			return nil
		}),
	}
	cmd.Flags().StringArrayVar(&checkpoints, "checkpoint", nil, "file with a signed checkpoint published earlier (repeatable)")
	return cmd
}

func newAuditCheckpointCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "checkpoint",
		Short: "Print the latest signed checkpoint, to publish outside the store",
		Args:  cobra.NoArgs,
		RunE: withReviewStore(g, func(cmd *cobra.Command, _ []string, st *store.Store) error {
			cp, err := st.LatestCheckpoint(cmd.Context())
			if err != nil {
				return err
			}
			if cp == nil {
				return errors.New("the audit log is empty")
			}
			_, err = cmd.OutOrStdout().Write(cp)
			return err
		}),
	}
}

func newAuditLogCmd(g *globals) *cobra.Command {
	var subject, format string
	cmd := &cobra.Command{
		Use:     "log",
		Short:   "Print audit records (all, or one case's with --case)",
		Example: "  assay audit log --case CR-0001",
		Args:    cobra.NoArgs,
		RunE: withReviewStore(g, func(cmd *cobra.Command, _ []string, st *store.Store) error {
			recs, err := st.Records(cmd.Context(), subject)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				if recs == nil {
					recs = []audit.Record{}
				}
				return writeReviewJSON(out, map[string]any{"schema": "assay.audit-log/v1", "records": recs})
			}
			for _, r := range recs {
				fmt.Fprintf(out, "%6d  %s  %-8s %-16s %s", r.Seq, r.Time, r.Subject, r.Action, r.Actor)
				if r.Reason != "" {
					fmt.Fprintf(out, ": %s", r.Reason)
				}
				fmt.Fprintln(out)
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&subject, "case", "", "only records of this case")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json (assay.audit-log/v1)")
	return cmd
}
