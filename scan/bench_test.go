package scan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/assayhq/assay/internal/vulndbtest"
)

// BenchmarkScanGoMod measures one whole `assay scan go.mod` after the
// database is imported: opening the scanner (snapshot summary) and
// inventory + matching of testdata/go.mod. The side-by-side wall times
// against osv-scanner and govulncheck are in docs/accuracy.md
// (bench/accuracy.sh).
func BenchmarkScanGoMod(b *testing.B) {
	benchScan(b, filepath.Join("testdata", "go.mod"))
}

// BenchmarkScanGoBinary is BenchmarkScanGoMod for a Go binary named by
// ASSAY_BENCH_BINARY (bench/accuracy-inputs.sh builds some); it is
// skipped when unset.
func BenchmarkScanGoBinary(b *testing.B) {
	path := os.Getenv("ASSAY_BENCH_BINARY")
	if path == "" {
		b.Skip("ASSAY_BENCH_BINARY not set")
	}
	benchScan(b, path)
}

// benchScan measures a new Scanner scanning path, as one assay scan does
// after opening the database.
func benchScan(b *testing.B, path string) {
	db := vulndbtest.Open(b)
	ctx := context.Background()
	for b.Loop() {
		s, err := New(ctx, db, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Scan(ctx, []string{path}); err != nil {
			b.Fatal(err)
		}
	}
}
