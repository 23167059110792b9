package vulndb

import (
	"archive/zip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/assayhq/assay/advisory"
)

// briefOneByOne is Brief computed with one query per member and per CVE,
// the way it was before the joined query: the reference the joined query
// must agree with.
func briefOneByOne(ctx context.Context, db *DB, id string) (*Brief, error) {
	key, members, err := db.Group(ctx, id)
	if err != nil {
		return nil, err
	}
	b := &Brief{Key: key, IDs: members, Summary: map[string]string{}, Upstream: map[string][]string{}}
	var scores []advisory.Score
	seen := map[string]bool{}
	var order []string
	add := func(c string) {
		if strings.HasPrefix(c, "CVE-") && !seen[c] {
			seen[c] = true
			order = append(order, c)
		}
	}
	for _, m := range members {
		add(m)
		sum, up, sc, ok, err := briefRow(ctx, db, m)
		if err != nil {
			return nil, err
		}
		if ok {
			b.Summary[m], b.Upstream[m] = sum, up
			scores = append(scores, sc...)
			for _, u := range up {
				add(u)
			}
		}
	}
	for _, c := range order {
		if _, in := b.Summary[c]; !in {
			if _, _, sc, ok, err := briefRow(ctx, db, c); err != nil {
				return nil, err
			} else if ok {
				scores = append(scores, sc...)
			}
		}
		if k, _ := db.KEV(ctx, c); k != nil {
			b.KEV = append(b.KEV, k)
		}
		if e, _ := db.EPSS(ctx, c); e != nil {
			b.EPSS = append(b.EPSS, *e)
		}
	}
	if best, ok := advisory.Best(scores); ok {
		b.Severity = &best
	}
	return b, nil
}

// briefRow reads one advisory's brief columns from its record's row.
func briefRow(ctx context.Context, db *DB, id string) (summary string, upstream []string, scores []advisory.Score, ok bool, err error) {
	var up string
	var sc []byte
	err = db.sql.QueryRowContext(ctx, `SELECT summary, upstream, scores FROM advisories WHERE id = ?`, id).Scan(&summary, &up, &sc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, nil, false, nil
	}
	if err != nil {
		return "", nil, nil, false, err
	}
	if err := json.Unmarshal(sc, &scores); err != nil {
		return "", nil, nil, false, err
	}
	return summary, strings.Fields(up), scores, true, nil
}

// TestBriefJoined checks the one-query Brief against member-by-member
// lookups on every advisory of the imported mirror with KEV, EPSS or
// upstream data and a sample of the rest, and that it reads the
// advisories_brief index rather than the records.
func TestBriefJoined(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, importedHome(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.sql.QueryContext(ctx, `SELECT id FROM advisories a WHERE upstream != ''
		OR EXISTS (SELECT 1 FROM groups g JOIN kev k ON k.cve = g.member WHERE g.key = (SELECT key FROM groups WHERE member = a.id))
		OR abs(random()) % 50 = 0`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	ids = append(ids, "NOT-AN-ID-1")
	if len(ids) < 100 {
		t.Fatalf("only %d advisories to check", len(ids))
	}
	for _, id := range ids {
		got, gerr := db.Brief(ctx, id)
		want, werr := briefOneByOne(ctx, db, id)
		if werr == nil && len(want.Summary) == 0 {
			want, werr = nil, ErrNotFound
		}
		if (gerr != nil) != (werr != nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("Brief(%s) = %+v, %v\nwant %+v, %v", id, got, gerr, want, werr)
		}
	}
	plan, err := db.sql.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT summary FROM advisories INDEXED BY advisories_brief WHERE id = ?`, "x")
	if err != nil {
		t.Fatalf("advisories_brief index missing: %v", err)
	}
	plan.Close()
}

// TestBriefs checks that Briefs of many IDs at once (more than one chunk)
// returns for each exactly what Brief and the member-by-member reference
// return, on advisories of every kind the imported mirror has.
func TestBriefs(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, importedHome(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Each kind is a query for up to 50 IDs of that kind.
	kinds := []struct {
		name, query string
	}{
		{"in a group", `SELECT g.member FROM groups g JOIN advisories a ON a.id = g.member WHERE g.key != g.member`},
		{"group key", `SELECT DISTINCT g.key FROM groups g WHERE g.key != g.member`},
		{"bare alias", `SELECT g.member FROM groups g WHERE NOT EXISTS (SELECT 1 FROM advisories a WHERE a.id = g.member)`},
		{"KEV CVE in no group", `SELECT k.cve FROM kev k WHERE NOT EXISTS (SELECT 1 FROM groups g WHERE g.member = k.cve)`},
		{"group with KEV", `SELECT g2.member FROM kev k JOIN groups g ON g.member = k.cve JOIN groups g2 ON g2.key = g.key`},
		{"group with EPSS", `SELECT g2.member FROM epss e JOIN groups g ON g.member = e.cve JOIN groups g2 ON g2.key = g.key`},
		{"upstream CVE", `SELECT id FROM advisories WHERE upstream LIKE '%CVE-%'`},
		{"upstream CVE outside the group", `SELECT a.id FROM advisories a JOIN groups g ON g.member = a.id
			JOIN json_each('["' || replace(a.upstream, ' ', '","') || '"]') u
			WHERE u.value LIKE 'CVE-%' AND NOT EXISTS (SELECT 1 FROM groups o WHERE o.member = u.value AND o.key = g.key)`},
		{"stored upstream CVE outside the group", `SELECT a.id FROM advisories a JOIN groups g ON g.member = a.id
			JOIN json_each('["' || replace(a.upstream, ' ', '","') || '"]') u JOIN advisories b ON b.id = u.value
			WHERE u.value LIKE 'CVE-%' AND NOT EXISTS (SELECT 1 FROM groups o WHERE o.member = u.value AND o.key = g.key)`},
		{"withdrawn", `SELECT id FROM advisories WHERE withdrawn`},
		{"sample", `SELECT id FROM advisories WHERE abs(random()) % 50 = 0`},
	}
	var ids []string
	for _, k := range kinds {
		rows, err := db.sql.QueryContext(ctx, k.query+` LIMIT 50`)
		if err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		n := 0
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
			n++
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d IDs", k.name, n)
		if n == 0 && (k.name != "group with EPSS" || !raceEnabled) { // the race pass imports no EPSS
			t.Errorf("%s: no ID of this kind in the imported mirror", k.name)
		}
	}
	unknown := []string{"NOT-AN-ID-1", "CVE-1900-0001"}
	ids = append(ids, unknown...)
	ids = append(ids, ids[0]) // a repeated ID
	if len(ids) <= briefChunk {
		t.Fatalf("only %d IDs: the test should span chunks of %d", len(ids), briefChunk)
	}
	if !db.hasBriefs {
		t.Fatal("a new snapshot has no briefs table")
	}
	// The stored briefs, then the join that computes them (how a snapshot
	// without the table is read).
	for _, stored := range []bool{true, false} {
		db.hasBriefs = stored
		checkBriefs(ctx, t, db, ids)
	}
	db.hasBriefs = true
	for _, id := range unknown {
		if b, err := db.Brief(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Brief(%s) = %+v, %v; want ErrNotFound", id, b, err)
		}
	}
	if none, err := db.Briefs(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("Briefs(nil) = %v, %v; want empty", none, err)
	}
}

// checkBriefs checks that Briefs(ids) returns for each ID exactly what
// Brief and the member-by-member reference return.
func checkBriefs(ctx context.Context, t *testing.T, db *DB, ids []string) {
	t.Helper()
	got, err := db.Briefs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		one, oerr := db.Brief(ctx, id)
		want, werr := briefOneByOne(ctx, db, id)
		if werr == nil && len(want.Summary) == 0 {
			want, werr = nil, ErrNotFound
		}
		b, found := got[id]
		switch {
		case werr != nil && !errors.Is(werr, ErrNotFound):
			t.Fatalf("reference brief of %s: %v", id, werr)
		case found != (werr == nil) || !reflect.DeepEqual(b, want):
			t.Errorf("Briefs[%s] = %+v (present %v)\nwant %+v, %v", id, b, found, want, werr)
		case !errors.Is(oerr, werr) || !reflect.DeepEqual(one, want):
			t.Errorf("Brief(%s) = %+v, %v\nwant %+v, %v", id, one, oerr, want, werr)
		}
	}
}

// TestBriefsStored checks the stored brief of every advisory of the
// imported mirror, and of every bare alias, against the join that
// computed it, and that IDs of one group share one brief.
func TestBriefsStored(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, importedHome(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.sql.QueryContext(ctx, `SELECT id FROM advisories UNION SELECT member FROM groups`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	stored, err := db.Briefs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	joined, err := db.join.briefs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(joined) || len(stored) < 1000 {
		t.Fatalf("%d stored briefs, %d joined, want the same, at least 1,000", len(stored), len(joined))
	}
	byKey := map[string]*Brief{}
	for id, want := range joined {
		got := stored[id]
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("stored brief of %s = %+v\njoined %+v", id, got, want)
		}
		if first, ok := byKey[got.Key]; ok && first != got {
			t.Fatalf("IDs of group %s have different *Brief values", got.Key)
		}
		byKey[got.Key] = got
	}
}

// TestBriefsReadEachGroupOnce looks up every advisory of one large alias
// group: an advisory naming many aliases joins them to the group of many
// advisories of one package. Each group must be read once, not once per
// requested member (members × group size rows: 201 × 2,201 here).
func TestBriefsReadEachGroupOnce(t *testing.T) {
	const advisories, aliases = 200, 2000
	mirror := t.TempDir()
	zipPath := filepath.Join(mirror, "osv", "npm", "all.zip")
	if err := os.MkdirAll(filepath.Dir(zipPath), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	add := func(id string, aliases []string) {
		w, err := zw.Create(id + ".json")
		if err != nil {
			t.Fatal(err)
		}
		json.NewEncoder(w).Encode(map[string]any{
			"schema_version": "1.6.0", "id": id, "modified": "2026-01-01T00:00:00Z", "aliases": aliases, "summary": id,
			"affected": []any{map[string]any{"package": map[string]string{"ecosystem": "npm", "name": "left-pad"},
				"ranges": []any{map[string]any{"type": "SEMVER", "events": []any{map[string]string{"introduced": "0"}}}}}},
		})
	}
	var ids []string
	for i := range advisories {
		ids = append(ids, fmt.Sprintf("HOST-%d", i))
		add(ids[i], []string{"HOST-COMMON"})
	}
	many := []string{"HOST-COMMON"}
	for i := range aliases {
		many = append(many, fmt.Sprintf("CVE-2099-%d", i))
	}
	ids = append(ids, "HOST-MANY")
	add("HOST-MANY", many)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ctx := context.Background()
	home := t.TempDir()
	if _, err := Update(ctx, home, Config{Endpoints: Mirror(mirror), Only: []string{"osv"}}); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got map[string]*Brief
	allocs := testing.AllocsPerRun(1, func() {
		if got, err = db.Briefs(ctx, ids); err != nil {
			t.Fatal(err)
		}
	})
	if b := got["HOST-0"]; b == nil || b.Key != "CVE-2099-0" || len(b.IDs) != advisories+aliases+2 || got["HOST-MANY"] != b {
		t.Fatalf("brief of HOST-0: %+v, want one brief of %d IDs for the whole group", b, advisories+aliases+2)
	}
	if limit := 100.0 * (advisories + aliases); allocs > limit {
		t.Errorf("Briefs of %d advisories of a group of %d IDs: %.0f allocations, want at most %.0f", len(ids), advisories+aliases+2, allocs, limit)
	}
}
