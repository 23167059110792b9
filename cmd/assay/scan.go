package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strconv"

	"github.com/assayhq/assay/report"
	"github.com/assayhq/assay/scan"
	"github.com/assayhq/assay/supplier"
	"github.com/assayhq/assay/supplier/eol"
	"github.com/assayhq/assay/vex"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func newScanCmd(g *globals) *cobra.Command {
	var (
		format     string
		output     string
		failOn     string
		vexFiles   []string
		ignoreFile string
	)
	cmd := &cobra.Command{
		Use:   "scan PATH...",
		Short: "Find known vulnerabilities in SBOMs, lockfiles, binaries, OS package databases, images, directories and firmware",
		Long: `Inventory each PATH (any input 'assay inventory' reads), match every component
against the advisory database ('assay db update' first), and report the
findings.

A PATH that no inventory parser reads, or an archive, is reviewed as a
firmware image, recognised by content: it is unpacked recursively (as
'assay firmware unpack' does, nothing from it is executed), the components
inside are identified (package databases, version signatures, Go binaries)
and matched like any other, end-of-life components are flagged ('assay
supplier lists update' imports that data), and hidden problems are reported:
backdoor accounts, weak password hashes, private keys, API secrets,
remote-access services started at boot, outbound endpoints, insecure
updates and more. JSON adds "components" (with their location inside the
image) and "problems". Known exploited vulnerabilities (CISA KEV) come first, then by EPSS
probability times CVSS score. Components that could not be assessed are
always listed: no findings never means "not checked".

Formats: table (default), json (schema assay.scan/v1), sarif (2.1.0,
schema-validated), cyclonedx (1.6 BOM with vulnerabilities), openvex, html
(one self-contained page with charts).
--vex applies vendor statements (OpenVEX, CycloneDX VEX, CSAF 2.0 VEX) and
the ignore file (.assay.yaml) accepted risks; suppressed findings stay in
the JSON output with the reason.
--fail-on LEVEL exits with status 1 when an unsuppressed finding or a firmware
problem is at LEVEL or above (low, medium, high, critical) or, with kev, a
finding is known exploited.`,
		Example: `  assay scan go.mod
  assay scan --format json sbom.cdx.json > result.json
  assay scan --fail-on high ./checkout image.tar
  assay scan --format json router-fw-2.1.bin > review.json`,
		Args:        cobra.MinimumNArgs(1),
		Annotations: map[string]string{gcAnnotation: strconv.Itoa(scanGCPercent)},
		RunE: func(cmd *cobra.Command, args []string) error {
			if failOn != "" {
				if _, err := scan.FailsOn(&scan.Result{}, failOn); err != nil {
					return err
				}
			}
			if os.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(scanMemoryLimit)
			}
			db, err := openDB(cmd.Context(), g)
			if err != nil {
				return err
			}
			var closed chan error // set once the database is closing in the background
			defer func() {
				if closed == nil {
					db.Close()
				} else {
					<-closed
				}
			}()
			opts, err := scanOptions(vexFiles, ignoreFile)
			if err != nil {
				return err
			}
			home, err := g.homeDir()
			if err != nil {
				return err
			}
			opts.Firmware.Log = g.logger(cmd.ErrOrStderr())
			opts.Firmware.Detect.Log = opts.Firmware.Log
			opts.Firmware.Identify.Log = opts.Firmware.Log
			opts.Firmware.LoadEOL = func() (eol.DB, error) { return eol.Load(supplier.ListsDir(home)) }
			s, err := scan.New(cmd.Context(), db, opts)
			if err != nil {
				return err
			}
			res, err := s.Scan(cmd.Context(), args)
			if err != nil {
				return err
			}
			// The report needs nothing more from the database: closing it
			// (unmapping the snapshot, 0.3 ms) overlaps writing the report.
			closed = make(chan error, 1)
			go func() { closed <- db.Close() }()
			w := cmd.OutOrStdout()
			if output != "" {
				f, err := os.Create(output)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			switch format {
			case "json":
				err = report.JSON(w, res)
			case "table":
				err = report.Table(w, res, useColor(w))
			case "sarif":
				err = report.SARIF(w, res, version)
			case "cyclonedx":
				err = report.CycloneDX(w, res, version)
			case "openvex":
				err = report.OpenVEX(w, res, "assay")
			case "html":
				err = report.HTML(w, res)
			default:
				return fmt.Errorf("--format %q: want table, json, sarif, cyclonedx, openvex or html", format)
			}
			if err != nil {
				return err
			}
			if failOn != "" {
				hits, _ := scan.FailsOn(res, failOn)
				problems := scan.ProblemsAtOrAbove(res, failOn)
				if len(hits)+len(problems) > 0 {
					return &policyError{fmt.Sprintf("%d finding(s) and %d firmware problem(s) meet --fail-on %s", len(hits), len(problems), failOn)}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "o", "table", "output format: table, json, sarif (2.1.0), cyclonedx (1.6 with vulnerabilities), openvex or html (one self-contained file)")
	cmd.Flags().StringVar(&output, "output-file", "", "write the report to this file instead of stdout")
	cmd.Flags().StringArrayVar(&vexFiles, "vex", nil, "apply an OpenVEX, CycloneDX VEX or CSAF VEX document (repeatable); not_affected and fixed statements suppress findings")
	cmd.Flags().StringVar(&ignoreFile, "ignore-file", "", "ignore rules (YAML: ignore: [{id, component, reason, expires}]); default ./"+vex.IgnoreFileName+" when present")
	cmd.Flags().StringVar(&failOn, "fail-on", "", "exit 1 when a finding is at this severity or above (low, medium, high, critical) or is in KEV (kev)")
	return cmd
}

// scanMemoryLimit is the soft heap limit of a scan (unless GOMEMLIMIT is
// set): past it the garbage collector runs more often instead of letting
// the heap double, which keeps a 100,000-component scan's peak resident
// memory under 400 MiB. It is soft: a scan that needs more still gets
// it.
const scanMemoryLimit = 300 << 20

// scanGCPercent is the garbage collector's target (GOGC) during a scan
// unless GOGC is set. A scan of a lockfile or a binary allocates a few
// MiB and exits within milliseconds; at the default of 100 it would start
// a collection at 4 MiB that frees almost nothing, at 400 the first target
// is 16 MiB and small scans never collect. Large scans are held to
// scanMemoryLimit as before.
const scanGCPercent = 400

// scanOptions loads the VEX documents and the ignore file.
func scanOptions(vexFiles []string, ignoreFile string) (scan.Options, error) {
	var opts scan.Options
	for _, f := range vexFiles {
		stmts, err := vex.Load(f)
		if err != nil {
			return opts, fmt.Errorf("--vex: %w", err)
		}
		opts.VEX = append(opts.VEX, stmts...)
	}
	if ignoreFile == "" {
		if _, err := os.Stat(vex.IgnoreFileName); err == nil {
			ignoreFile = vex.IgnoreFileName
		}
	}
	if ignoreFile != "" {
		rules, err := vex.LoadIgnore(ignoreFile)
		if err != nil {
			return opts, fmt.Errorf("ignore file: %w", err)
		}
		opts.Ignore = rules
	}
	return opts, nil
}

// useColor reports whether w is a terminal and NO_COLOR is unset.
func useColor(w any) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
