package vulndb

import (
	"context"
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
		sum, up, sc, ok, err := db.briefRow(ctx, m)
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
			if _, _, sc, ok, err := db.briefRow(ctx, c); err != nil {
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
