package screen

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/assayhq/assay/supplier/lists"
)

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkNew measures building the index over every imported list.
func BenchmarkNew(b *testing.B) {
	snap := sharedSnapshot(b)
	var s *Screener
	for b.Loop() {
		s = New(snap, Options{})
	}
	b.ReportMetric(float64(s.Names()), "names")
	b.ReportMetric(float64(s.Entries()), "entries")
}

// BenchmarkScreen measures screening throughput with every list loaded
// and reports the per-name p50 and p99 latency, over realistic queries
// (list names, misspelt list names, names on no list).
func BenchmarkScreen(b *testing.B) {
	snap := sharedSnapshot(b)
	benchLatency(b, New(snap, Options{}), benchQueries(snap, 2000))
}

// BenchmarkScreenEval is BenchmarkScreen over the labelled evaluation set
// (the queries of bench/supplier-screen.sh).
func BenchmarkScreenEval(b *testing.B) {
	snap := sharedSnapshot(b)
	es := buildEvalSet(snap, 8)
	qs := make([]Query, len(es.queries))
	for i, lq := range es.queries {
		qs[i] = lq.q
	}
	benchLatency(b, New(snap, Options{}), qs)
}

// benchLatency screens queries one at a time and reports names/s, the
// CPU time per name and the p50 and p99 wall-clock latency.
func benchLatency(b *testing.B, s *Screener, queries []Query) {
	lat := make([]time.Duration, 0, b.N)
	cpu0 := cpuTime()
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
	cpu := cpuTime() - cpu0
	slices.Sort(lat)
	if len(lat) > 0 {
		// On a shared, overloaded machine wall-clock latency includes time
		// waiting for a CPU; cpu-ms/name is the processor time per name.
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(lat)), "cpu-ms/name")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "names/s")
	}
}

// BenchmarkReadIndex measures opening a screener from the saved index
// (what every screening command does at start) against BenchmarkNew.
func BenchmarkReadIndex(b *testing.B) {
	snap := sharedSnapshot(b)
	var buf bytes.Buffer
	if err := New(snap, Options{}).WriteIndex(&buf); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := ReadIndex(bytes.NewReader(buf.Bytes()), snap, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/(1<<20), "MiB")
}

// BenchmarkScreenParallel measures throughput with every core screening.
func BenchmarkScreenParallel(b *testing.B) {
	snap := sharedSnapshot(b)
	s := New(snap, Options{})
	queries := benchQueries(snap, 2000)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.Screen(queries[i%len(queries)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "names/s")
}

// BenchmarkStartAndBatch measures what one `assay supplier screen --batch`
// run does: load the stored snapshot, open the screener from the saved
// index and screen 5,000 names of the labelled set on every core.
func BenchmarkStartAndBatch(b *testing.B) {
	sharedSnapshot(b)
	es := buildEvalSet(shared.snap, 8)
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for i := range 5000 {
		enc.Encode(Query{Name: es.queries[i*len(es.queries)/5000].q.Name})
	}
	b.ResetTimer()
	for b.Loop() {
		snap, err := lists.Load(shared.dir)
		if err != nil {
			b.Fatal(err)
		}
		s, _, err := Open(shared.dir, snap, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Batch(context.Background(), s, bytes.NewReader(in.Bytes()), io.Discard, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(5000*b.N)/b.Elapsed().Seconds(), "names/s")
}
