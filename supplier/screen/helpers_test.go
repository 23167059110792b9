package screen

import (
	"context"
	"sync"
	"testing"

	"github.com/assayhq/assay/internal/mirrortest"
	"github.com/assayhq/assay/supplier/lists"
)

var shared struct {
	once sync.Once
	snap *lists.Snapshot
	err  error
}

// sharedSnapshot imports every list from the shared mirror once per test
// binary, through the same HTTP code path as `lists update --mirror URL`.
func sharedSnapshot(t testing.TB) *lists.Snapshot {
	t.Helper()
	dir := mirrortest.SupplierDir(t)
	url := mirrortest.Serve(t, dir)
	shared.once.Do(func() {
		home, err := tempDir()
		if err != nil {
			shared.err = err
			return
		}
		shared.snap, shared.err = lists.Update(context.Background(), home, lists.Options{Mirror: url})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.snap
}

// benchQueries returns n realistic queries: list names with small
// variations, mixed with names that are on no list.
func benchQueries(snap *lists.Snapshot, n int) []Query {
	all := snap.All()
	var out []Query
	for i := 0; len(out) < n && len(all) > 0; i++ {
		e := all[(i*7919)%len(all)]
		name := e.Name
		switch i % 4 {
		case 1:
			name = typo(name, i)
		case 2:
			name = "Northwind " + name + " Trading"
		}
		out = append(out, Query{Name: name})
	}
	return out
}
