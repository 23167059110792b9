package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/assayhq/assay/firmware"
	"github.com/assayhq/assay/firmware/detect"
)

// detectReport is the assay.firmware-detect/v1 document.
type detectReport struct {
	Schema     string                `json:"schema"`
	Image      string                `json:"image"`
	Problems   []detect.Problem      `json:"problems"`
	Unassessed []firmware.Unassessed `json:"unassessed"`
}

func newFirmwareDetectCmd(g *globals) *cobra.Command {
	var (
		format  string
		failOn  string
		maxFile int64
		lim     = firmware.DefaultLimits()
	)
	cmd := &cobra.Command{
		Use:   "detect IMAGE",
		Short: "Find hidden problems in a firmware image",
		Long: `Detect unpacks IMAGE (as "assay firmware unpack" does, in a temporary spool
that is removed afterwards) and looks for hidden problems: weak, default or
empty passwords, extra uid-0 accounts, private keys (with fingerprints to
find reuse across images), API tokens and cloud secrets, remote-access,
debug and backdoor services started at boot, serial-console root shells,
outbound endpoints, insecure update scripts, weak TLS/SSH configuration,
setuid and world-writable files, and command injection in CGI scripts.
Nothing from the image is executed. docs/firmware-detect.md lists each
detector and what it ignores.

The table (or with --format json the assay.firmware-detect/v1 document)
lists each problem with category, severity, confidence, the path inside
the innermost filesystem, the enclosing containers and the evidence,
secrets redacted.`,
		Example: `  assay firmware detect router.bin
  assay firmware detect router.bin --format json --fail-on high`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format must be table or json, not %q", format)
			}
			if failOn != "" && detect.SeverityRank(failOn) < 0 {
				return fmt.Errorf("--fail-on must be info, low, medium, high or critical, not %q", failOn)
			}
			log := g.logger(cmd.ErrOrStderr())
			res, err := firmware.UnpackLogger(cmd.Context(), args[0], lim, log)
			if err != nil {
				return err
			}
			defer res.Close()
			probs, err := detect.Detect(cmd.Context(), res, detect.Options{Log: log, MaxFileSize: maxFile})
			if err != nil {
				return err
			}
			if probs == nil {
				probs = []detect.Problem{}
			}
			if format == "json" {
				err = writeJSON(cmd.OutOrStdout(), detectReport{Schema: "assay.firmware-detect/v1", Image: args[0],
					Problems: probs, Unassessed: nonNil(res.Unassessed)})
			} else {
				err = writeDetectTable(cmd.OutOrStdout(), probs, res.Unassessed)
			}
			if err != nil {
				return err
			}
			if failOn != "" {
				n := 0
				for _, p := range probs {
					if detect.SeverityRank(p.Severity) >= detect.SeverityRank(failOn) {
						n++
					}
				}
				if n > 0 {
					return &policyError{fmt.Sprintf("%d problem(s) meet --fail-on %s", n, failOn)}
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "table", "output format: table or json")
	f.StringVar(&failOn, "fail-on", "", "exit 1 when a problem is at this severity or above (info, low, medium, high, critical)")
	f.Int64Var(&maxFile, "max-scan-size", detect.DefaultMaxFileSize, "bytes of one file read by the content detectors (larger files are skipped)")
	f.Int64Var(&lim.MaxTotalBytes, "max-total-bytes", lim.MaxTotalBytes, "unpack limit: bytes extracted in total")
	f.IntVar(&lim.MaxDepth, "max-depth", lim.MaxDepth, "unpack limit: nested container layers")
	f.IntVar(&lim.MaxFiles, "max-files", lim.MaxFiles, "unpack limit: entries extracted")
	f.DurationVar(&lim.Timeout, "timeout", lim.Timeout, "unpack limit: wall-clock time of the unpack")
	return cmd
}

func writeDetectTable(w io.Writer, probs []detect.Problem, un []firmware.Unassessed) error {
	if len(probs) == 0 {
		fmt.Fprintln(w, "No problems found.")
	} else {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEVERITY\tCATEGORY\tPATH\tDETAIL\tEVIDENCE")
		for _, p := range probs {
			loc := p.Path
			if len(p.Container) > 0 {
				loc = strings.Join(p.Container, " > ") + " > " + p.Path
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Severity, p.Category, loc, oneLine(p.Detail, 100), oneLine(p.Evidence, 80))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(un) > 0 {
		fmt.Fprintf(w, "\nNot assessed (%d): %s: %s", len(un), un[0].Path, un[0].Reason)
		if len(un) > 1 {
			fmt.Fprint(w, " …")
		}
		fmt.Fprintln(w)
	}
	return nil
}

// oneLine flattens s and shortens it to n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
