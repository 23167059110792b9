package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/calendar"
	"github.com/assayhq/assay/review"
)

// backends lists the databases the store tests run against: SQLite
// always, PostgreSQL when $ASSAY_TEST_POSTGRES names a server (a
// postgres:// URL; each test gets its own schema).
func backends(t *testing.T) []string {
	if os.Getenv("ASSAY_TEST_POSTGRES") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// forEachBackend runs fn once per backend as a subtest.
func forEachBackend(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) { fn(t, b) })
	}
}

// openBackend opens a fresh store of the given backend with its data
// directory home.
func openBackend(t testing.TB, backend, home string) *Store {
	t.Helper()
	ctx := context.Background()
	if backend == "sqlite" {
		st, err := Open(ctx, home)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	admin := os.Getenv("ASSAY_TEST_POSTGRES")
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schema := fmt.Sprintf("assay_test_%d", time.Now().UnixNano())
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err == nil {
			db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			db.Close()
		}
	})
	sep := "?"
	if strings.Contains(admin, "?") {
		sep = "&"
	}
	st, err := OpenURL(ctx, home, admin+sep+"search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func openTest(t *testing.T, backend string) (*Store, *review.Service, string) {
	t.Helper()
	home := t.TempDir()
	st := openBackend(t, backend, home)
	t.Cleanup(func() { st.Close() })
	svc := &review.Service{Repo: st, Blobs: Blobs{Dir: EvidenceDir(home)},
		Calendars: func(name string) (*calendar.Calendar, error) { return calendar.Load("", name) }}
	return st, svc, home
}

func ev(date, reason string) review.Event {
	return review.Event{Actor: "tester", Reason: reason, Date: date}
}

// populate runs a US-calendar case through a few changes.
func populate(t *testing.T, svc *review.Service) *review.Case {
	t.Helper()
	ctx := context.Background()
	c, err := svc.Create(ctx, review.CreateInput{Trigger: review.TriggerApplication, Calendar: "us",
		Scope: review.Scope{Vendor: "Acme", Operator: "Grid"}, Event: ev("2025-01-02", "")})
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() (*review.Case, error){
		func() (*review.Case, error) { return svc.Submit(ctx, c.ID, ev("2025-01-03", "")) },
		func() (*review.Case, error) { return svc.Accept(ctx, c.ID, ev("2025-01-06", "")) },
		func() (*review.Case, error) { return svc.Pause(ctx, c.ID, ev("2025-01-07", "contract requested")) },
		func() (*review.Case, error) { return svc.Resume(ctx, c.ID, ev("2025-01-09", "")) },
	}
	for _, step := range steps {
		if c, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := svc.Attach(ctx, c.ID, strings.NewReader("questionnaire"), review.EvidenceInput{Name: "q.txt", Type: "QUESTIONNAIRE"}, ev("", "")); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRoundTripAndAudit(t *testing.T) { forEachBackend(t, testRoundTripAndAudit) }

func testRoundTripAndAudit(t *testing.T, backend string) {
	ctx := context.Background()
	st, svc, home := openTest(t, backend)
	c := populate(t, svc)
	got, err := svc.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "CR-0001" || got.State != review.StateScreening || got.Version != 6 || len(got.Evidence) != 1 {
		t.Errorf("case %s state %s version %d evidence %d", got.ID, got.State, got.Version, len(got.Evidence))
	}
	if err := (Blobs{Dir: EvidenceDir(home)}).Check(got.Evidence[0].SHA256); err != nil {
		t.Error(err)
	}
	res, err := st.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 6 || res.Checkpoints != 6 {
		t.Errorf("verify: %+v", res)
	}
	recs, err := st.Records(ctx, c.ID)
	if err != nil || len(recs) != 6 || recs[0].Action != "case.create" || recs[3].Reason != "contract requested" {
		t.Errorf("records %+v, %v", recs, err)
	}
	if _, err := svc.Get(ctx, "CR-9999"); !errors.Is(err, review.ErrNotFound) {
		t.Errorf("missing case: %v", err)
	}
	// Reopening keeps the data and the keys.
	if backend != "sqlite" {
		return
	}
	st.Close()
	st2, err := Open(ctx, home)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if _, err := st2.Verify(ctx, nil); err != nil {
		t.Errorf("verify after reopen: %v", err)
	}
}

func TestConflict(t *testing.T) { forEachBackend(t, testConflict) }

func testConflict(t *testing.T, backend string) {
	ctx := context.Background()
	st, svc, _ := openTest(t, backend)
	c := populate(t, svc)
	stale, _ := st.Get(ctx, c.ID)
	if _, err := svc.Advance(ctx, c.ID, review.StateInitialReview, ev("2025-01-10", "")); err != nil {
		t.Fatal(err)
	}
	err := st.Update(ctx, stale, review.Change{Actor: "x", Action: "case.test", At: time.Now()})
	if !errors.Is(err, review.ErrConflict) {
		t.Errorf("stale update: %v", err)
	}
}

func TestConcurrentWriters(t *testing.T) { forEachBackend(t, testConcurrentWriters) }

func testConcurrentWriters(t *testing.T, backend string) {
	ctx := context.Background()
	st, svc, _ := openTest(t, backend)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := svc.Create(ctx, review.CreateInput{Trigger: review.TriggerApplication, Scope: review.Scope{Vendor: "V"}, Event: ev("", "")})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyDetectsDatabaseTampering edits the database behind the store's
// back in each way an attacker could and requires Verify to notice.
func TestVerifyDetectsDatabaseTampering(t *testing.T) {
	forEachBackend(t, testVerifyDetectsDatabaseTampering)
}

func testVerifyDetectsDatabaseTampering(t *testing.T, backend string) {
	tamper := map[string]string{
		"modify a record":       `UPDATE audit_log SET entry = replace(entry, '"tester"', '"mallory"') WHERE seq = 3`,
		"delete a record":       `DELETE FROM audit_log WHERE seq = 2`,
		"delete the last":       `DELETE FROM audit_log WHERE seq = 6`,
		"swap two records":      `UPDATE audit_log SET entry = CASE seq WHEN 2 THEN (SELECT entry FROM audit_log WHERE seq = 4) ELSE (SELECT entry FROM audit_log WHERE seq = 2) END WHERE seq IN (2, 4)`,
		"edit a case directly":  `UPDATE cases SET doc = replace(doc, '"Acme"', '"Other"')`,
		"delete a case":         `DELETE FROM cases`,
		"forge a checkpoint":    `UPDATE audit_checkpoints SET note = replace(note, 'assay.audit/v1', 'assay.audit/v2') WHERE size = 6`,
		"truncate log and tree": `DELETE FROM audit_log WHERE seq = 6; DELETE FROM audit_checkpoints WHERE size = 6`,
	}
	for name, stmt := range tamper {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st, svc, _ := openTest(t, backend)
			populate(t, svc)
			published, err := st.LatestCheckpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.db.ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
			// The published checkpoint is what catches truncation.
			if _, err := st.Verify(ctx, [][]byte{published}); !errors.Is(err, audit.ErrTampered) {
				t.Errorf("not detected: %v", err)
			}
		})
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	home := t.TempDir()
	keys, err := audit.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		st, err := OpenSQLite(context.Background(), filepath.Join(home, DBFile), keys)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
	}
}

func BenchmarkUpdate(b *testing.B) {
	ctx := context.Background()
	st := openBackend(b, "sqlite", b.TempDir())
	defer st.Close()
	svc := &review.Service{Repo: st, Calendars: func(name string) (*calendar.Calendar, error) { return calendar.Load("", name) }}
	c, err := svc.Create(ctx, review.CreateInput{Trigger: review.TriggerExOfficio, Calendar: "us", Scope: review.Scope{Vendor: "V"}, Event: ev("", "")})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := svc.Propose(ctx, c.ID, "F1", review.Proposal{Score: review.Score{Likelihood: 3, Impact: 3, Confidence: "LOW"}, Source: "bench"}, ev("", "")); err != nil {
			b.Fatal(err)
		}
	}
}
