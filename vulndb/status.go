package vulndb

import (
	"context"
	"fmt"
)

// StatusSchema identifies the JSON document of Status.
const StatusSchema = "assay.dbstatus/v1"

// Status describes a snapshot: what it holds and where each part came
// from.
type Status struct {
	Schema     string            `json:"schema"`
	Snapshot   string            `json:"snapshot"`
	BuiltAt    string            `json:"built_at"`
	Advisories int               `json:"advisories"`
	Withdrawn  int               `json:"withdrawn"`
	Ecosystems map[string]int    `json:"ecosystems"`
	KEV        int               `json:"kev"`
	EPSS       int               `json:"epss"`
	CPERecords int               `json:"cpe_records"`
	Skipped    int               `json:"skipped"`
	Meta       map[string]string `json:"feed_meta"`
	Sources    []SourceStatus    `json:"sources"`
}

// SourceStatus is the provenance of one source in a snapshot.
type SourceStatus struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	URL       string `json:"url"`
	FetchedAt string `json:"fetched_at"`
	SHA256    string `json:"sha256"`
	Records   int    `json:"records"`
	Skipped   int    `json:"skipped"`
}

// Status reports the contents and provenance of the snapshot.
func (db *DB) Status(ctx context.Context) (*Status, error) {
	return db.status(ctx, true)
}

// Summary is Status without the Withdrawn, KEV and EPSS counts (left
// zero): in a snapshot without the totals table those walk whole tables,
// and a scan, which only needs the coverage (ecosystems, CPE data) and
// provenance, should not pay for them on every run.
func (db *DB) Summary(ctx context.Context) (*Status, error) {
	return db.status(ctx, false)
}

func (db *DB) status(ctx context.Context, all bool) (*Status, error) {
	st := &Status{Schema: StatusSchema, Snapshot: db.snapshot, Ecosystems: map[string]int{}, Meta: map[string]string{}}
	counts := map[string]*int{"advisories": &st.Advisories, "cpe_records": &st.CPERecords}
	if all {
		counts["withdrawn"], counts["kev"], counts["epss"] = &st.Withdrawn, &st.KEV, &st.EPSS
	}
	if err := db.counts(ctx, counts); err != nil {
		return nil, err
	}
	if err := db.queryRow(ctx, `SELECT COALESCE(SUM(skipped), 0) FROM sources`).Scan(&st.Skipped); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	rows, err := db.query(ctx, `SELECT key, value FROM meta`)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return nil, fmt.Errorf("status: %w", err)
		}
		switch k {
		case "built_at":
			st.BuiltAt = v
		case "schema":
		default:
			st.Meta[k] = v
		}
	}
	rows.Close()
	rows, err = db.query(ctx, `SELECT ecosystem, records FROM ecosystems`)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	for rows.Next() {
		var e string
		var n int
		if err := rows.Scan(&e, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("status: %w", err)
		}
		st.Ecosystems[e] = n
	}
	rows.Close()
	rows, err = db.query(ctx, `SELECT name, kind, url, fetched_at, sha256, records, skipped FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s SourceStatus
		if err := rows.Scan(&s.Name, &s.Kind, &s.URL, &s.FetchedAt, &s.SHA256, &s.Records, &s.Skipped); err != nil {
			return nil, fmt.Errorf("status: %w", err)
		}
		st.Sources = append(st.Sources, s)
	}
	return st, rows.Err()
}

// counts fills each destination in dst with its count (see totalQueries):
// from the totals table when the snapshot has one, else by counting.
func (db *DB) counts(ctx context.Context, dst map[string]*int) error {
	if db.hasTotals {
		rows, err := db.query(ctx, `SELECT name, n FROM totals`)
		if err != nil {
			return fmt.Errorf("status: %w", err)
		}
		defer rows.Close()
		found := 0
		for rows.Next() {
			var name string
			var n int
			if err := rows.Scan(&name, &n); err != nil {
				return fmt.Errorf("status: %w", err)
			}
			if p := dst[name]; p != nil {
				*p = n
				found++
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("status: %w", err)
		}
		if found != len(dst) {
			return fmt.Errorf("status: totals table holds %d of the %d counts", found, len(dst))
		}
		return nil
	}
	for _, q := range totalQueries {
		if p := dst[q.name]; p != nil {
			if err := db.queryRow(ctx, q.query).Scan(p); err != nil {
				return fmt.Errorf("status: %w", err)
			}
		}
	}
	return nil
}

// SkippedRecord is a record an import left out, and why.
type SkippedRecord struct {
	Source string `json:"source"`
	Record string `json:"record"`
	Reason string `json:"reason"`
}

// Skipped lists the records left out by the imports of this snapshot
// (at most a bounded number per source; Status has the exact counts).
func (db *DB) Skipped(ctx context.Context) ([]SkippedRecord, error) {
	rows, err := db.query(ctx, `SELECT source, record, reason FROM skipped ORDER BY source, rowid`)
	if err != nil {
		return nil, fmt.Errorf("skipped records: %w", err)
	}
	defer rows.Close()
	var out []SkippedRecord
	for rows.Next() {
		var s SkippedRecord
		if err := rows.Scan(&s.Source, &s.Record, &s.Reason); err != nil {
			return nil, fmt.Errorf("skipped records: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
