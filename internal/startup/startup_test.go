package startup

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestResumeGC(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: init leaves the collector alone")
	}
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Fatalf("after init GOGC = %d, want -1 (paused)", got)
	}
	defer debug.SetGCPercent(100)
	for _, tc := range []struct {
		percent, want int
	}{
		{250, 250},
		{300, -1}, // second call: no change
	} {
		ResumeGC(tc.percent)
		if got := debug.SetGCPercent(-1); got != tc.want {
			t.Errorf("ResumeGC(%d): GOGC = %d, want %d", tc.percent, got, tc.want)
		}
	}
}

func TestResumeGCDefault(t *testing.T) {
	defer func(p bool) { paused = p }(paused)
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	paused = true
	ResumeGC(0)
	if got := debug.SetGCPercent(-1); got != 100 {
		t.Errorf("ResumeGC(0): GOGC = %d, want 100", got)
	}
}
