// Package startup keeps the garbage collector paused while the program's
// packages initialise, until the command that runs decides how it should
// collect. Package main imports it and calls ResumeGC before doing work.
//
// A short command such as `assay scan go.mod` spends most of its time
// starting up: the packages linked into assay allocate about 3.5 MB while
// they initialise, enough for a collection cycle that finds almost
// everything still live. Package initialisation runs in import-path order
// among the packages whose own imports are initialised, and this package
// imports only the most basic parts of the standard library (not even
// runtime/debug, which would be initialised after most third-party
// packages), so it runs before nearly all of them.
package startup

import (
	"os"
	_ "unsafe" // for go:linkname
)

// setGCPercent is runtime/debug.SetGCPercent's implementation in the
// runtime, which exports it under this name for runtime/debug.
//
//go:linkname setGCPercent runtime/debug.setGCPercent
func setGCPercent(int32) int32

// paused reports that init paused the collector and ResumeGC has not yet
// run. Only init and ResumeGC touch it, both on the main goroutine.
var paused bool

func init() {
	if os.Getenv("GOGC") != "" {
		return // the user's setting stands
	}
	setGCPercent(-1)
	paused = true
}

// ResumeGC restarts the garbage collector with target percent (GOGC), or
// 100 when percent is 0. It does nothing when GOGC is set in the
// environment (the runtime applied it) or when called again.
func ResumeGC(percent int) {
	if !paused {
		return
	}
	if percent <= 0 {
		percent = 100
	}
	setGCPercent(int32(percent))
	paused = false
}
