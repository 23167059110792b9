package vulndb

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// TestSummary checks that Summary is Status without the table-walking
// counts, and that the advisory count reads the small covering index
// rather than every record (a scan pays for it on every run).
func TestSummary(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, importedHome(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := db.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Withdrawn != 0 || sum.KEV != 0 || sum.EPSS != 0 {
		t.Errorf("Summary computed the expensive counts: %+v", sum)
	}
	want := *st
	want.Withdrawn, want.KEV, want.EPSS = 0, 0, 0
	if !reflect.DeepEqual(*sum, want) {
		t.Errorf("Summary = %+v\nwant     %+v", *sum, want)
	}
	if st.Advisories == 0 || st.KEV == 0 {
		t.Errorf("Status counts missing: %+v", st)
	}
	var id, parent, notused int
	var detail string
	if err := db.sql.QueryRowContext(ctx, `EXPLAIN QUERY PLAN SELECT COUNT(*) FROM advisories`).Scan(&id, &parent, &notused, &detail); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, "advisories_withdrawn") {
		t.Errorf("COUNT(*) FROM advisories plan = %q, want the covering index advisories_withdrawn", detail)
	}
}

// TestTotals checks that the counts stored when the snapshot was built
// equal the counts computed from the tables, which is how a snapshot
// without the totals table (built by an older assay) is read.
func TestTotals(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, importedHome(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.hasTotals {
		t.Fatal("a new snapshot has no totals table")
	}
	for _, summary := range []bool{false, true} {
		read := db.Status
		if summary {
			read = db.Summary
		}
		stored, err := read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		db.hasTotals = false
		counted, err := read(ctx)
		db.hasTotals = true
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(stored, counted) {
			t.Errorf("summary=%v: from totals %+v\ncounted      %+v", summary, *stored, *counted)
		}
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM totals`).Scan(&n); err != nil || n != len(totalQueries) {
		t.Errorf("totals rows = %d (%v), want %d", n, err, len(totalQueries))
	}
}

// TestHeavyPackages checks the stored list of heavy packages against the
// affected table, and that a snapshot without the list gives none.
func TestHeavyPackages(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, importedHome(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.hasHeavy {
		t.Fatal("a new snapshot has no heavy_packages table")
	}
	want := map[[2]string]int{}
	var pkgs [][2]string
	rows, err := db.sql.QueryContext(ctx, `SELECT ecosystem, name, COUNT(DISTINCT id) FROM affected GROUP BY ecosystem, name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k [2]string
		var n int
		if err := rows.Scan(&k[0], &k[1], &n); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, k)
		if n >= heavyAdvisories {
			want[k] = n
		}
	}
	rows.Close()
	// Every package (several chunks), one asked for by a name to
	// normalize (heavy when the imported mirror has PyPI), and one
	// unknown.
	pkgs = append(pkgs, [2]string{"PyPI", "Django"}, [2]string{"Go", "example.com/none"})
	if n := want[[2]string{"PyPI", "django"}]; n > 0 {
		want[[2]string{"PyPI", "Django"}] = n
	}
	got, err := db.HeavyPackages(ctx, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("HeavyPackages = %v\nwant %v", got, want)
	}
	if !raceEnabled && got[[2]string{"Go", "stdlib"}] == 0 {
		t.Errorf("the Go standard library is not heavy: %v", got)
	}
	db.hasHeavy = false
	if none, err := db.HeavyPackages(ctx, pkgs); err != nil || len(none) != 0 {
		t.Errorf("without the table: %v, %v; want none", none, err)
	}
}
