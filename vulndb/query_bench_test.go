package vulndb

import (
	"context"
	"sort"
	"testing"
	"time"
)

// benchHome imports the whole shared mirror once for the query
// benchmarks.
func benchHome(b *testing.B) string {
	b.Helper()
	home := importedHome(&testing.T{})
	if home == "" {
		b.Skip("no shared mirror")
	}
	return home
}

type pkgKey struct{ eco, name string }

func allPackages(b *testing.B, db *DB) []pkgKey {
	rows, err := db.sql.Query(`SELECT DISTINCT ecosystem, name FROM affected`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []pkgKey
	for rows.Next() {
		var k pkgKey
		rows.Scan(&k.eco, &k.name)
		out = append(out, k)
	}
	return out
}

// BenchmarkAffecting measures the per-package query matching makes, over
// every package the database knows (warm cache), and reports the p50 and
// p99 latencies.
func BenchmarkAffecting(b *testing.B) {
	db, err := Open(context.Background(), benchHome(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	pkgs := allPackages(b, db)
	ctx := context.Background()
	for _, p := range pkgs { // warm up
		db.Affecting(ctx, p.eco, p.name)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		p := pkgs[i%len(pkgs)]
		i++
		t0 := time.Now()
		if _, err := db.Affecting(ctx, p.eco, p.name); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(len(pkgs)), "packages")
}

// BenchmarkOpen measures opening the current snapshot.
func BenchmarkOpen(b *testing.B) {
	home := benchHome(b)
	for b.Loop() {
		db, err := Open(context.Background(), home)
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// BenchmarkBriefs measures reading the briefs of every advisory naming
// the Go standard library (as matching a Go binary does): with one
// Briefs call, from the stored briefs and through the join (snapshots
// without them), and with one Brief call per advisory.
func BenchmarkBriefs(b *testing.B) {
	db, err := Open(context.Background(), benchHome(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	pas, err := db.Affecting(ctx, "Go", "stdlib")
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for _, pa := range pas {
		ids = append(ids, pa.ID)
	}
	b.Run("Briefs", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.Briefs(ctx, ids); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(ids)), "IDs")
	})
	b.Run("Joined", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.join.briefs(ctx, ids); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(ids)), "IDs")
	})
	b.Run("Brief", func(b *testing.B) {
		for b.Loop() {
			for _, id := range ids {
				if _, err := db.Brief(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(ids)), "IDs")
	})
}
