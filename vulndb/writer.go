package vulndb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// writer is the sink that writes one source's records into a snapshot
// being built, inside one transaction: a source that fails is rolled back
// and keeps its previous rows.
type writer struct {
	ctx    context.Context
	tx     *sql.Tx
	source string

	upsertAdv *sql.Stmt
	delAff    *sql.Stmt
	delCPE    *sql.Stmt
	insAff    *sql.Stmt
	insCPE    *sql.Stmt
	own       *sql.Stmt
	insKEV    *sql.Stmt
	insEPSS   *sql.Stmt
	insSkip   *sql.Stmt
	setMeta   *sql.Stmt

	skipped  int
	epssRows []any
}

// newWriter starts a transaction that replaces everything source owned.
// Unless incremental, the source's previous rows are released first;
// advisories no source owns any more are removed when the snapshot is
// finished.
func newWriter(ctx context.Context, db *sql.DB, source string, incremental bool) (*writer, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	w := &writer{ctx: ctx, tx: tx, source: source}
	if !incremental {
		for _, q := range []string{
			`DELETE FROM advisory_sources WHERE source = ?`,
			`DELETE FROM kev WHERE source = ?`,
			`DELETE FROM epss WHERE source = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, source); err != nil {
				tx.Rollback()
				return nil, fmt.Errorf("release rows of %s: %w", source, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM skipped WHERE source = ?`, source); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("release rows of %s: %w", source, err)
	}
	for _, s := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&w.upsertAdv, `INSERT INTO advisories (id, modified, withdrawn, aliases, upstream, summary, scores, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, withdrawn = excluded.withdrawn,
				aliases = excluded.aliases, upstream = excluded.upstream, summary = excluded.summary,
				scores = excluded.scores, data = excluded.data
			WHERE excluded.modified > advisories.modified
				OR (excluded.modified = advisories.modified AND excluded.data != advisories.data)
			RETURNING id`},
		{&w.delAff, `DELETE FROM affected WHERE id = ?`},
		{&w.delCPE, `DELETE FROM cpes WHERE id = ?`},
		{&w.insAff, `INSERT OR REPLACE INTO affected (ecosystem, name, id, withdrawn, data) VALUES (?, ?, ?, ?, ?)`},
		{&w.insCPE, `INSERT OR IGNORE INTO cpes (vendor, product, id) VALUES (?, ?, ?)`},
		{&w.own, `INSERT OR IGNORE INTO advisory_sources (source, id) VALUES (?, ?)`},
		{&w.insKEV, `INSERT OR REPLACE INTO kev (cve, source, data) VALUES (?, ?, ?)`},
		{&w.insEPSS, epssInsert(epssBatch)},
		{&w.insSkip, `INSERT INTO skipped (source, record, reason) VALUES (?, ?, ?)`},
		{&w.setMeta, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`},
	} {
		st, err := tx.PrepareContext(ctx, s.q)
		if err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*s.dst = st
	}
	return w, nil
}

func (w *writer) commit() error {
	if err := w.flushEPSS(); err != nil {
		w.tx.Rollback()
		return err
	}
	return w.tx.Commit()
}
func (w *writer) rollback() error { return w.tx.Rollback() }

// advisory stores a record unless the same or a newer version of it is
// already stored (the same record can come from several feeds, e.g.
// AlmaLinux and AlmaLinux:9), and indexes its affected packages and CPEs.
func (w *writer) advisory(r *record) error {
	a := r.adv
	if _, err := w.own.ExecContext(w.ctx, w.source, a.ID); err != nil {
		return fmt.Errorf("store %s: %w", a.ID, err)
	}
	var id string
	err := w.upsertAdv.QueryRowContext(w.ctx, a.ID, r.modified, a.IsWithdrawn(), strings.Join(a.Aliases, " "),
		strings.Join(a.Upstream, " "), r.summary, r.scores, r.data).Scan(&id)
	if err == sql.ErrNoRows {
		return nil // this version or a newer one is already stored
	}
	if err != nil {
		return fmt.Errorf("store %s: %w", a.ID, err)
	}
	if _, err := w.delAff.ExecContext(w.ctx, a.ID); err != nil {
		return fmt.Errorf("store %s: %w", a.ID, err)
	}
	if _, err := w.delCPE.ExecContext(w.ctx, a.ID); err != nil {
		return fmt.Errorf("store %s: %w", a.ID, err)
	}
	for _, p := range r.pkgs {
		if _, err := w.insAff.ExecContext(w.ctx, p.ecosystem, p.name, a.ID, a.IsWithdrawn(), p.data); err != nil {
			return fmt.Errorf("store %s: %w", a.ID, err)
		}
	}
	for _, c := range r.cpes {
		if _, err := w.insCPE.ExecContext(w.ctx, c[0], c[1], a.ID); err != nil {
			return fmt.Errorf("store %s: %w", a.ID, err)
		}
	}
	return nil
}

func (w *writer) kev(e *KEVEntry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := w.insKEV.ExecContext(w.ctx, e.CVE, w.source, data); err != nil {
		return fmt.Errorf("store KEV %s: %w", e.CVE, err)
	}
	return nil
}

// epssBatch is how many EPSS rows one INSERT statement carries; batching
// cuts the per-statement cost that dominates 300,000-row imports.
const epssBatch = 250

func (w *writer) epss(s EPSSScore) error {
	w.epssRows = append(w.epssRows, s.CVE, w.source, s.Score, s.Percentile)
	if len(w.epssRows) < 4*epssBatch {
		return nil
	}
	return w.flushEPSS()
}

// flushEPSS stores the pending EPSS rows.
func (w *writer) flushEPSS() error {
	n := len(w.epssRows) / 4
	if n == 0 {
		return nil
	}
	st := w.insEPSS
	if n != epssBatch {
		var err error
		if st, err = w.tx.PrepareContext(w.ctx, epssInsert(n)); err != nil {
			return err
		}
		defer st.Close()
	}
	if _, err := st.ExecContext(w.ctx, w.epssRows...); err != nil {
		return fmt.Errorf("store EPSS scores: %w", err)
	}
	w.epssRows = w.epssRows[:0]
	return nil
}

func epssInsert(rows int) string {
	return "INSERT OR REPLACE INTO epss (cve, source, score, percentile) VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?),", rows), ",")
}

// maxSkippedRows bounds the skipped-record details kept per source; the
// count is always exact.
const maxSkippedRows = 10_000

func (w *writer) skip(record, reason string) {
	w.skipped++
	if w.skipped <= maxSkippedRows {
		w.insSkip.ExecContext(w.ctx, w.source, record, reason)
	}
}

func (w *writer) meta(key, value string) {
	w.setMeta.ExecContext(w.ctx, key, value)
}
