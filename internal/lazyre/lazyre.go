// Package lazyre compiles package-level regular expressions on first use
// instead of at program start, where every command would pay for the
// expressions of every package linked into the binary.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr on its first call, as
// regexp.MustCompile does (so an invalid expression panics there), and
// returns the same *regexp.Regexp on every call. It is safe for
// concurrent use.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
