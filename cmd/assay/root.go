package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"

	"github.com/spf13/cobra"
)

// gcAnnotation names a command annotation holding the garbage collector
// target (GOGC) the command runs with; without it, the default 100.
const gcAnnotation = "assay.gogc"

// globals holds the flags shared by every subcommand.
type globals struct {
	home    string
	verbose bool
	quiet   bool
}

// logger returns the slog logger configured by the global flags. Logs go
// to stderr so that stdout stays clean for machine-readable output.
func (g *globals) logger(w io.Writer) *slog.Logger {
	level := slog.LevelWarn
	if g.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// homeDir resolves the data directory: --home, then $ASSAY_HOME, then the
// user's data directory ($XDG_DATA_HOME/assay or ~/.local/share/assay).
func (g *globals) homeDir() (string, error) {
	if g.home != "" {
		return filepath.Abs(g.home)
	}
	if h := os.Getenv("ASSAY_HOME"); h != "" {
		return filepath.Abs(h)
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "assay"), nil
	}
	u, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no --home given and no user home directory: %w", err)
	}
	return filepath.Join(u, ".local", "share", "assay"), nil
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "assay",
		Short: "Review the security of products and suppliers in critical-infrastructure supply chains",
		Long: `Assay reviews what a vendor submits (SBOMs, lockfiles, binaries, images,
firmware), matches every component against real vulnerability data, and
reports the evidence a product security review needs.

Exit codes: 0 ok, 1 a policy gate failed (e.g. --fail-on), 2 error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// A command may ask for another collector target (see
		// gcAnnotation); GOGC, when set, stands.
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			if p, err := strconv.Atoi(cmd.Annotations[gcAnnotation]); err == nil && os.Getenv("GOGC") == "" {
				debug.SetGCPercent(p)
			}
		},
	}
	root.PersistentFlags().StringVar(&g.home, "home", "", "data directory for the advisory database and the store (env ASSAY_HOME; default ~/.local/share/assay)")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log debug details to stderr")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "no progress bars")
	root.AddCommand(newDBCmd(g))
	root.AddCommand(newInventoryCmd(g))
	root.AddCommand(newScanCmd(g))
	root.AddCommand(newSupplierCmd(g))
	root.AddCommand(newCalendarCmd(g))
	root.AddCommand(newCaseCmd(g))
	root.AddCommand(newAuditCmd(g))
	root.AddCommand(newFirmwareCmd(g))
	return root
}
