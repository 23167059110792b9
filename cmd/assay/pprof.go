//go:build pprof

package main

import (
	"os"
	"runtime"
	"runtime/pprof"
)

// With -tags pprof, ASSAY_CPUPROFILE and ASSAY_MEMPROFILE name files that
// receive a CPU profile of the whole run and a heap profile at exit.
func init() {
	if p := os.Getenv("ASSAY_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			profileStop = append(profileStop, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if p := os.Getenv("ASSAY_MEMPROFILE"); p != "" {
		runtime.MemProfileRate = 64 << 10
		profileStop = append(profileStop, func() {
			if f, err := os.Create(p); err == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		})
	}
}
