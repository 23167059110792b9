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
	st, err := db.Summary(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.counts(ctx, []count{
		{&st.Withdrawn, `SELECT COUNT(*) FROM advisories WHERE withdrawn`},
		{&st.KEV, `SELECT COUNT(*) FROM kev`},
		{&st.EPSS, `SELECT COUNT(*) FROM epss`},
	}); err != nil {
		return nil, err
	}
	return st, nil
}

// Summary is Status without the Withdrawn, KEV and EPSS counts (left
// zero): those walk whole tables, and a scan, which only needs the
// coverage (ecosystems, CPE data) and provenance, should not pay for them
// on every run.
func (db *DB) Summary(ctx context.Context) (*Status, error) {
	st := &Status{Schema: StatusSchema, Snapshot: db.snapshot, Ecosystems: map[string]int{}, Meta: map[string]string{}}
	if err := db.counts(ctx, []count{
		{&st.Advisories, `SELECT COUNT(*) FROM advisories`}, // covering index advisories_withdrawn
		{&st.CPERecords, `SELECT COUNT(DISTINCT id) FROM cpes`},
		{&st.Skipped, `SELECT COALESCE(SUM(skipped), 0) FROM sources`},
	}); err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT key, value FROM meta`)
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
	rows, err = db.sql.QueryContext(ctx, `SELECT ecosystem, records FROM ecosystems`)
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
	rows, err = db.sql.QueryContext(ctx, `SELECT name, kind, url, fetched_at, sha256, records, skipped FROM sources ORDER BY name`)
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

// count is one COUNT query and where its result goes.
type count struct {
	dst *int
	q   string
}

func (db *DB) counts(ctx context.Context, cs []count) error {
	for _, c := range cs {
		if err := db.sql.QueryRowContext(ctx, c.q).Scan(c.dst); err != nil {
			return fmt.Errorf("status: %w", err)
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
	rows, err := db.sql.QueryContext(ctx, `SELECT source, record, reason FROM skipped ORDER BY source, rowid`)
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
