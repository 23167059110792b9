package lazyre

import (
	"sync"
	"testing"
)

func TestNew(t *testing.T) {
	tests := []struct {
		expr, in string
		want     bool
	}{
		{`^CVE-\d{4}-\d{4,}$`, "CVE-2024-12345", true},
		{`^CVE-\d{4}-\d{4,}$`, "CVE-24-1", false},
		{`(?i)href`, "HREF", true},
	}
	for _, tc := range tests {
		re := New(tc.expr)
		if got := re().MatchString(tc.in); got != tc.want {
			t.Errorf("%s on %q = %v, want %v", tc.expr, tc.in, got, tc.want)
		}
	}
}

func TestNewCompilesOnce(t *testing.T) {
	re := New(`a+`)
	first := re()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if re() != first {
				t.Error("a second *Regexp was compiled")
			}
		})
	}
	wg.Wait()
}

func TestNewInvalidPanicsOnUse(t *testing.T) {
	re := New(`(`) // must not panic here
	defer func() {
		if recover() == nil {
			t.Error("an invalid expression did not panic on first use")
		}
	}()
	re()
}
