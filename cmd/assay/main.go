// Command assay reviews the products that enter critical-infrastructure
// supply chains: it reads what a vendor submits, matches it against real
// vulnerability data and reports the evidence.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is the release version, set at build time with
// -ldflags "-X main.version=…".
var version = "dev"

// profileStop holds the functions that finish the profiles a pprof build
// writes (see pprof.go); empty otherwise.
var profileStop []func()

// Exit codes shared by every command.
const (
	exitOK     = 0 // success
	exitPolicy = 1 // a policy gate (such as --fail-on) failed
	exitError  = 2 // usage, input or runtime error
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	for _, f := range profileStop {
		f()
	}
	os.Exit(code)
}

// run executes the command line and maps its outcome to an exit code.
func run(ctx context.Context, args []string) int {
	cmd := newRootCmd()
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var pe *policyError
	if errors.As(err, &pe) {
		fmt.Fprintln(os.Stderr, "assay:", pe.msg)
		return exitPolicy
	}
	fmt.Fprintln(os.Stderr, "assay:", err)
	return exitError
}

// policyError reports that the command ran correctly but a policy gate
// failed; it maps to exit code 1.
type policyError struct{ msg string }

func (e *policyError) Error() string { return e.msg }
