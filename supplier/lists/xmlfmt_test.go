package lists

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/assayhq/assay/internal/mirrortest"
)

// fixtureMirror is a mirror holding only the format fixtures (hand-made
// files in the publishers' schemas, not real list data).
const fixtureMirror = "testdata/format-fixtures"

func TestParseEUUKFixtures(t *testing.T) {
	tests := []struct {
		list     string
		wantDate string
		want     []Entry
	}{
		{"eu-fsf", "2026-11-30", []Entry{
			{ID: "EU.9999.01", Type: TypeEntity, Name: "Example Fixture Machine Works JSC", Aliases: []string{"АО Пример Станкозавод"}, Programs: []string{"RUS"},
				Countries: []string{"RU"}, ListedOn: "2022-02-28", Identifiers: []Identifier{{Type: "Registration Number", Number: "9999999999999", Country: "RU"}}},
			{ID: "EU.9999.02", Key: "un:QDi.999", Type: TypeIndividual, Name: "Sample Fixtureson", Programs: []string{"TAQA"}, Countries: []string{"XK"}, ListedOn: "2011-03-05"},
		}},
		{"uk-sanctions", "2026-12-01", []Entry{
			{ID: "RUS9999", Key: "ofsi:99999", Type: TypeEntity, Name: "Example Fixture Radio Plant", Aliases: []string{"EFRP", "Пример Радиозавод"}, Programs: []string{"Russia"},
				Countries: []string{"RU"}, ListedOn: "2022-02-24", Parents: []string{"Example Fixture Holding"},
				Identifiers: []Identifier{{Type: "Business Registration Number", Number: "8888888888888"}}},
			{ID: "AFG9999", Key: "ofsi:99998", Type: TypeIndividual, Name: "Sample Middle FIXTURESON", Programs: []string{"Afghanistan"}, Countries: []string{"AF"}, ListedOn: "2001-01-25"},
		}},
		{"us-ofac-sdn-advanced", "2026-11-27", []Entry{
			{ID: "990001", Key: "ofac:990001", Type: TypeEntity, Name: "EXAMPLE FIXTURE SHIPPING LLC", Aliases: []string{"EFS LLC"}, Programs: []string{"RUSSIA-EO14024"},
				Countries: []string{"RU"}, ListedOn: "2022-04-06", Identifiers: []Identifier{{Type: "Registration Number", Number: "7777777777777", Country: "RU"}}},
			{ID: "990002", Key: "ofac:990002", Type: TypeIndividual, Name: "FIXTURESON Sample", Programs: []string{"SDGT"}, ListedOn: "2001-10-12"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			snap, err := Update(context.Background(), t.TempDir(), Options{Mirror: fixtureMirror, Lists: []string{tt.list}})
			if err != nil {
				t.Fatal(err)
			}
			got := snap.Entries[tt.list]
			if st := snap.Lists[tt.list]; st == nil || st.Date != tt.wantDate || st.DateSource != "data" {
				t.Errorf("state %+v, want date %s from the data", st, tt.wantDate)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d entries, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				g := got[i]
				w.List = tt.list
				g.Remarks = ""
				if g.ID != w.ID || g.Key != w.Key || g.Type != w.Type || g.Name != w.Name || !slices.Equal(g.Aliases, w.Aliases) ||
					!slices.Equal(g.Programs, w.Programs) || !slices.Equal(g.Countries, w.Countries) || g.ListedOn != w.ListedOn ||
					!slices.Equal(g.Identifiers, w.Identifiers) || !slices.Equal(g.Parents, w.Parents) {
					t.Errorf("entry %d:\n got %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

// TestMirrorOptionalLists checks that the lists the shared mirror lacks
// are skipped when reading a mirror, and required from official URLs.
func TestMirrorOptionalLists(t *testing.T) {
	only := []string{"eu-fsf", "uk-sanctions", "us-ofac-sdn-advanced", "us-ndaa-889"}
	snap, err := Update(context.Background(), t.TempDir(), Options{Mirror: mirrortest.SupplierDir(t), Lists: only})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range only[:3] {
		if _, err := os.Stat(filepath.Join(mirrortest.SupplierDir(t), filepath.FromSlash(mustSource(t, id).Files[0].MirrorPath))); err == nil {
			t.Logf("%s: the shared mirror has it now; imported %d entries", id, len(snap.Entries[id]))
			continue
		}
		if st := snap.Lists[id]; st != nil {
			t.Errorf("%s: absent from the mirror but recorded as %+v", id, st)
		}
	}
	if len(snap.Entries["us-ndaa-889"]) == 0 {
		t.Error("us-ndaa-889 not imported")
	}
	for _, id := range only[:3] {
		if src := mustSource(t, id); !src.MirrorOptional || !isURL(src.Files[0].URL) {
			t.Errorf("%s: want an official URL default and MirrorOptional", id)
		}
	}
}

// TestEUUKFromMirror imports the EU, UK and OFAC Advanced lists from the shared mirror
// when it has them (it did not when this was written).
func TestEUUKFromMirror(t *testing.T) {
	dir := mirrortest.SupplierDir(t)
	for _, id := range []string{"eu-fsf", "uk-sanctions", "us-ofac-sdn-advanced"} {
		t.Run(id, func(t *testing.T) {
			p := filepath.Join(dir, filepath.FromSlash(mustSource(t, id).Files[0].MirrorPath))
			if _, err := os.Stat(p); err != nil {
				t.Skipf("%s not in the shared mirror: %v", id, err)
			}
			snap, err := Update(context.Background(), t.TempDir(), Options{Mirror: dir, Lists: []string{id}})
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Entries[id]) < 100 || snap.Lists[id].Date == "" {
				t.Errorf("%d entries, date %q", len(snap.Entries[id]), snap.Lists[id].Date)
			}
		})
	}
}

func mustSource(t *testing.T, id string) Source {
	t.Helper()
	s, ok := SourceByID(id)
	if !ok {
		t.Fatalf("no list %s", id)
	}
	return s
}
