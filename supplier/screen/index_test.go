package screen

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/assayhq/assay/supplier/lists"
)

// fixtureSnapshot is a small hand-made snapshot (not real list data).
func fixtureSnapshot() *lists.Snapshot {
	return &lists.Snapshot{Version: 1, UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		Lists: map[string]*lists.ListState{"un-sc": {ID: "un-sc", Title: "UN", Date: "2026-01-02"}},
		Entries: map[string][]lists.Entry{"un-sc": {
			{List: "un-sc", ID: "1", Type: lists.TypeEntity, Name: "Example Front Trading Co., Ltd.", Aliases: []string{"EXFRONT", "Пример Фронт"},
				Identifiers: []lists.Identifier{{Type: "Registration", Number: "1027700167110"}}},
			{List: "un-sc", ID: "2", Type: lists.TypeIndividual, Name: "DOE, John", Countries: []string{"RU"}},
			{List: "un-sc", ID: "3", Type: lists.TypeEntity, Name: "华为技术有限公司"},
		}}}
}

// screenAll screens queries and returns the JSON of every result.
func screenAll(t testing.TB, s *Screener, queries []Query) string {
	t.Helper()
	var b bytes.Buffer
	for _, q := range queries {
		res, err := s.Screen(q)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.NewEncoder(&b).Encode(res); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func TestIndexRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		snap    func(testing.TB) *lists.Snapshot
		queries func(*lists.Snapshot) []Query
	}{
		{"fixture", func(testing.TB) *lists.Snapshot { return fixtureSnapshot() }, func(*lists.Snapshot) []Query {
			return []Query{{Name: "Example Front Trading"}, {Name: "John Doe", Country: "RU"}, {Name: "Huawei Technology"}, {Name: "1027700167110"}, {Name: "Пример Фронт"}}
		}},
		{"real lists", func(t testing.TB) *lists.Snapshot { return sharedSnapshot(t) }, func(snap *lists.Snapshot) []Query { return benchQueries(snap, 300) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := tt.snap(t)
			built := New(snap, Options{})
			dir := t.TempDir()
			if err := built.SaveIndex(dir); err != nil {
				t.Fatal(err)
			}
			loaded, rebuilt, err := Open(dir, snap, Options{})
			if err != nil || rebuilt {
				t.Fatalf("Open: rebuilt %v, err %v; want the saved index", rebuilt, err)
			}
			if loaded.Names() != built.Names() || loaded.Entries() != built.Entries() {
				t.Fatalf("loaded %d names %d entries, built %d %d", loaded.Names(), loaded.Entries(), built.Names(), built.Entries())
			}
			qs := tt.queries(snap)
			if a, b := screenAll(t, built, qs), screenAll(t, loaded, qs); a != b {
				t.Errorf("results from the saved index differ from the built one")
			}
		})
	}
}

func TestIndexStale(t *testing.T) {
	snap := fixtureSnapshot()
	dir := t.TempDir()
	if err := New(snap, Options{}).SaveIndex(dir); err != nil {
		t.Fatal(err)
	}
	later := fixtureSnapshot()
	later.UpdatedAt = later.UpdatedAt.Add(time.Second)
	f, err := os.Open(filepath.Join(dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ReadIndex(f, later, Options{})
	f.Close()
	if !errors.Is(err, ErrStaleIndex) {
		t.Fatalf("ReadIndex over a newer snapshot: %v, want ErrStaleIndex", err)
	}
	s, rebuilt, err := Open(dir, later, Options{})
	if err != nil || !rebuilt || s.Entries() != 3 {
		t.Fatalf("Open with a stale index: rebuilt %v err %v", rebuilt, err)
	}
	if _, rebuilt, _ := Open(dir, later, Options{}); rebuilt {
		t.Error("the rebuilt index was not saved")
	}
	if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte("not an index"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, rebuilt, err := Open(dir, later, Options{}); err != nil || !rebuilt {
		t.Errorf("Open with a corrupt index: rebuilt %v err %v, want a rebuild", rebuilt, err)
	}
}

// FuzzReadIndex feeds arbitrary bytes to ReadIndex: it may fail, never
// panic, and a Screener it returns must screen without panicking.
func FuzzReadIndex(f *testing.F) {
	snap := fixtureSnapshot()
	var b bytes.Buffer
	if err := New(snap, Options{}).WriteIndex(&b); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add(b.Bytes()[:b.Len()/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadIndex(bytes.NewReader(data), snap, Options{})
		if err != nil {
			return
		}
		for _, q := range []string{"Example Front", "John Doe", "华为", "خميس"} {
			if _, err := s.Screen(Query{Name: q}); err != nil {
				t.Fatal(err)
			}
		}
	})
}
