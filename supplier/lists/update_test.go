package lists

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/assayhq/assay/internal/mirrortest"
)

// wantLists are lower bounds on the entries imported from the shared
// mirror, from the counts its README documents.
var wantLists = map[string]int{
	"us-ofac-sdn":           14900,
	"us-ofac-cons":          440,
	"us-ofac-cons-enhanced": 440,
	"us-trade-csl":          14000,
	"us-bis-dpl":            570,
	"un-sc":                 1000,
	"us-fcc-covered":        14,
	"cn-mofcom":             600,
	"us-dod-1260h":          390,
	"us-ndaa-889":           5,
	"us-ndaa-5949":          3,
	"us-ndaa-154":           6,
	"us-ndaa-1286":          440,
	"us-state-inksna":       28,
	"us-bis-mieu":           13,
}

func TestUpdateFromMirror(t *testing.T) {
	dir := mirrortest.SupplierDir(t)
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.FileServer(http.Dir(dir)).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	home := t.TempDir()
	snap, err := Update(context.Background(), home, Options{Mirror: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	for id, min := range wantLists {
		st := snap.Lists[id]
		if st == nil {
			t.Errorf("%s: not imported", id)
			continue
		}
		if st.Entries < min || len(snap.Entries[id]) != st.Entries {
			t.Errorf("%s: %d entries (state %d), want >= %d", id, len(snap.Entries[id]), st.Entries, min)
		}
		if st.Date == "" {
			t.Errorf("%s: no list date", id)
		}
		t.Logf("%-22s %6d entries, date %s", id, st.Entries, st.Date)
	}
	loaded, err := Load(home)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded.All()) != len(snap.All()) {
		t.Fatalf("reloaded %d entries, want %d", len(loaded.All()), len(snap.All()))
	}
	// A second update against an unchanged mirror reuses every list.
	before := loaded.Lists["us-ofac-sdn"].ImportedAt
	snap2, err := Update(context.Background(), home, Options{Mirror: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if got := snap2.Lists["us-ofac-sdn"].ImportedAt; !got.Equal(before) {
		t.Errorf("unchanged list was re-imported: %v -> %v", before, got)
	}
}

// BenchmarkImport measures importing every list from the shared mirror
// over HTTP into an empty data directory (target: under 10 s).
func BenchmarkImport(b *testing.B) {
	url := mirrortest.Serve(b, mirrortest.SupplierDir(b))
	for b.Loop() {
		home := b.TempDir()
		if _, err := Update(context.Background(), home, Options{Mirror: url}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestUpdateFailureKeepsPrevious checks that a list that cannot be fetched
// keeps its previous entries and records the error.
func TestUpdateFailureKeepsPrevious(t *testing.T) {
	dir := mirrortest.SupplierDir(t)
	home := t.TempDir()
	only := []string{"us-ndaa-889", "un-sc"}
	if _, err := Update(context.Background(), home, Options{Mirror: dir, Lists: only}); err != nil {
		t.Fatal(err)
	}
	snap, err := Update(context.Background(), home, Options{Mirror: t.TempDir(), Lists: only})
	if err == nil {
		t.Fatal("want an error from an empty mirror")
	}
	for _, id := range only {
		st := snap.Lists[id]
		if st == nil || st.Error == "" || len(snap.Entries[id]) == 0 || st.Entries != len(snap.Entries[id]) {
			t.Errorf("%s: state %+v, %d entries; want the previous entries and an error", id, st, len(snap.Entries[id]))
		}
	}
	loaded, err := Load(home)
	if err != nil || len(loaded.Entries["un-sc"]) == 0 {
		t.Fatalf("reload after failure: %v", err)
	}
}
