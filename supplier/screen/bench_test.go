package screen

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkNew measures building the index over every imported list.
func BenchmarkNew(b *testing.B) {
	snap := sharedSnapshot(b)
	b.ResetTimer()
	for b.Loop() {
		New(snap, Options{})
	}
}

// BenchmarkScreen measures screening throughput with every list loaded
// and reports the per-name p99 latency.
func BenchmarkScreen(b *testing.B) {
	snap := sharedSnapshot(b)
	s := New(snap, Options{})
	queries := benchQueries(snap, 2000)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		t0 := time.Now()
		if _, err := s.Screen(q); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "names/s")
	}
}
