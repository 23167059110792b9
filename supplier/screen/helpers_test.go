package screen

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/assayhq/assay/internal/mirrortest"
	"github.com/assayhq/assay/supplier/lists"
)

var shared struct {
	once sync.Once
	// dir is the data directory the lists are imported into; TestMain
	// creates it and removes it when every test has run.
	dir  string
	snap *lists.Snapshot
	err  error
}

// TestMain creates the shared import directory and removes it afterwards
// (os.MkdirTemp directories are not removed by the testing package).
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "assay-screen-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	shared.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sharedSnapshot imports every list from the shared mirror once per test
// binary, through the same HTTP code path as `lists update --mirror URL`.
func sharedSnapshot(t testing.TB) *lists.Snapshot {
	t.Helper()
	dir := mirrortest.SupplierDir(t)
	url := mirrortest.Serve(t, dir)
	shared.once.Do(func() {
		shared.snap, shared.err = lists.Update(context.Background(), shared.dir, lists.Options{Mirror: url})
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
