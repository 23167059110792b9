package vulndb

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
)

// memDB opens a named in-memory database holding table t with rows xs.
func memDB(t *testing.T, name string, xs ...int) *sql.DB {
	t.Helper()
	sdb, err := sql.Open("sqlite", "file:"+name+"?mode=memory&cache=shared")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sdb.Close() })
	if _, err := sdb.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	for _, x := range xs {
		if _, err := sdb.Exec(`INSERT INTO t VALUES (?)`, x); err != nil {
			t.Fatal(err)
		}
	}
	return sdb
}

// TestStmt checks that statements are prepared once per pool, on first
// use, that the first mappedQueries queries use the mapped pool and the
// rest the other (the mapped pool is then closed), and that a statement that does not prepare reports the
// error from both query forms.
func TestStmt(t *testing.T) {
	ctx := context.Background()
	// The pools read different data here so the test can tell them apart;
	// in a DB both read the same snapshot.
	mapped := memDB(t, "stmtmapped", 1, 2, 3)
	db := &DB{mapped: mapped, sql: memDB(t, "stmtcache", 10, 20, 30)}
	db.mapLeft.Store(5)
	good := &stmt{db: db, query: `SELECT x FROM t WHERE x >= ? ORDER BY x`}
	if len(good.st) != 0 {
		t.Fatal("prepared before use")
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			var x int
			if err := good.QueryRowContext(ctx, 2).Scan(&x); err != nil || x != 2 {
				t.Errorf("QueryRowContext on the mapped pool = %d, %v; want 2", x, err)
			}
		})
	}
	wg.Wait()
	first := good.st[mapped]
	for _, want := range []int{1, 10, 10} { // the fifth query is the last mapped one
		rows, err := good.QueryContext(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for rows.Next() {
			var x int
			if err := rows.Scan(&x); err != nil {
				t.Fatal(err)
			}
			got = append(got, x)
		}
		rows.Close()
		if len(got) != 3 || got[0] != want {
			t.Errorf("QueryContext = %v, want 3 rows from %d", got, want)
		}
	}
	if good.st[mapped] != first || len(good.st) != 2 {
		t.Errorf("prepared %d statements (mapped one replaced: %v), want one per pool", len(good.st), good.st[mapped] != first)
	}
	if db.mapped != nil {
		t.Error("the mapped pool is still open after its queries ran out")
	}
	if err := mapped.Ping(); err == nil {
		t.Error("the mapped pool was not closed")
	}

	bad := &stmt{db: db, query: `SELECT nosuchcolumn FROM t WHERE x = ?`}
	if _, err := bad.QueryContext(ctx, 1); err == nil || !strings.Contains(err.Error(), "nosuchcolumn") {
		t.Errorf("QueryContext on a bad statement: %v, want the prepare error", err)
	}
	var x int
	if err := bad.QueryRowContext(ctx, 1).Scan(&x); err == nil {
		t.Error("QueryRowContext on a bad statement: no error")
	}
}
