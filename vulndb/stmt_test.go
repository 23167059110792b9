package vulndb

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
)

// TestStmt checks that statements are prepared once, on first use, and
// that a statement that does not prepare reports the error from both
// query forms.
func TestStmt(t *testing.T) {
	ctx := context.Background()
	sdb, err := sql.Open("sqlite", "file:stmttest?mode=memory&cache=shared")
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	sdb.SetMaxOpenConns(1)
	if _, err := sdb.ExecContext(ctx, `CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)`); err != nil {
		t.Fatal(err)
	}
	good := &stmt{db: sdb, query: `SELECT x FROM t WHERE x >= ? ORDER BY x`}
	if good.st != nil {
		t.Fatal("prepared before use")
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			var x int
			if err := good.QueryRowContext(ctx, 2).Scan(&x); err != nil || x != 2 {
				t.Errorf("QueryRowContext = %d, %v; want 2", x, err)
			}
		})
	}
	wg.Wait()
	first := good.st
	rows, err := good.QueryContext(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	rows.Close()
	if n != 3 || good.st != first {
		t.Errorf("QueryContext: %d rows, prepared again %v; want 3 rows, same statement", n, good.st != first)
	}

	bad := &stmt{db: sdb, query: `SELECT nosuchcolumn FROM t WHERE x = ?`}
	if _, err := bad.QueryContext(ctx, 1); err == nil || !strings.Contains(err.Error(), "nosuchcolumn") {
		t.Errorf("QueryContext on a bad statement: %v, want the prepare error", err)
	}
	var x int
	if err := bad.QueryRowContext(ctx, 1).Scan(&x); err == nil {
		t.Error("QueryRowContext on a bad statement: no error")
	}
}
