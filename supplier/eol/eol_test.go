package eol

import (
	"context"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/mirrortest"
	"github.com/assayhq/assay/supplier/lists"
)

func TestUpdateAndLookup(t *testing.T) {
	dir := t.TempDir()
	db, err := Update(context.Background(), dir, lists.Options{Mirror: mirrortest.Serve(t, mirrortest.SupplierDir(t))})
	if err != nil {
		t.Fatal(err)
	}
	if len(db) < 400 {
		t.Fatalf("%d products, want >= 400", len(db))
	}
	db, err = Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	on := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	tests := []struct{ product, cycle, state, eol string }{
		{"debian", "11", "eol", "2024-08-14"},
		{"debian", "13", "supported", "2028-08-09"},
	}
	for _, tt := range tests {
		st, err := db.Lookup(tt.product, tt.cycle, on)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != tt.state || st.EOL != tt.eol {
			t.Errorf("%s %s: %+v", tt.product, tt.cycle, st)
		}
	}
	if _, err := db.Lookup("debian", "1.0-nope", on); err == nil {
		t.Error("want an error for an unknown cycle")
	}
}

func FuzzParseProduct(f *testing.F) {
	f.Add([]byte("---\ntitle: X\nreleases:\n  - releaseCycle: \"1\"\n    eol: 2020-01-01\n---\n"))
	f.Add([]byte("---\nreleases: [\n---"))
	f.Add([]byte("no front matter"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseProduct("x", b)
	})
}
