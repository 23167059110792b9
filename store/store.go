// Package store persists the review state: cases, their audit log and
// evidence content.
//
// The embedded default is SQLite (modernc.org/sqlite, pure Go) in WAL mode
// at <home>/assay.db; PostgreSQL (pgx) is the alternative for deployments
// that share one database. Schema migrations are applied by goose from
// embedded SQL files, one directory per dialect. Store implements
// review.Repo, the narrow interface the review logic depends on. Every case
// change and its audit record are written in one transaction, and writers
// are serialised (SQLite: BEGIN IMMEDIATE; PostgreSQL: a table lock) so the
// audit log stays a single append-only sequence.
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"

	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/review"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// dialect holds what differs between the supported databases.
type dialect struct {
	goose      goose.Dialect
	migrations string
	// numbered placeholders ($1, $2, …) instead of ?
	numbered bool
	// lockWriters runs first in every write transaction.
	lockWriters string
}

var (
	sqliteDialect   = dialect{goose: goose.DialectSQLite3, migrations: "migrations/sqlite"}
	postgresDialect = dialect{goose: goose.DialectPostgres, migrations: "migrations/postgres", numbered: true,
		lockWriters: "LOCK TABLE audit_checkpoints IN EXCLUSIVE MODE"}
)

// DBFile is the database file name inside the data directory.
const DBFile = "assay.db"

// BusyTimeout is how long a writer waits for the database lock.
const BusyTimeout = 5 * time.Second

// Store is the SQLite-backed review store.
type Store struct {
	db   *sql.DB
	keys *audit.Keys
	d    dialect
}

var _ review.Repo = (*Store)(nil)

// Open opens (creating if needed) the store in the data directory home:
// the database <home>/assay.db and the audit checkpoint keys
// <home>/audit.key and <home>/audit.pub.
func Open(ctx context.Context, home string) (*Store, error) {
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	keys, err := audit.LoadOrCreateKeys(home)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return OpenSQLite(ctx, filepath.Join(home, DBFile), keys)
}

// OpenSQLite opens the SQLite database at path and migrates it to the
// latest schema. keys sign the audit checkpoints.
func OpenSQLite(ctx context.Context, path string, keys *audit.Keys) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate(ctx, db, sqliteDialect); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	return &Store{db: db, keys: keys, d: sqliteDialect}, nil
}

// OpenPostgres opens the PostgreSQL database at dsn (a postgres:// URL or
// key=value string) and migrates it to the latest schema.
func OpenPostgres(ctx context.Context, dsn string, keys *audit.Keys) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	if err := migrate(ctx, db, postgresDialect); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate postgres: %w", err)
	}
	return &Store{db: db, keys: keys, d: postgresDialect}, nil
}

// OpenURL opens PostgreSQL when databaseURL is a postgres:// or
// postgresql:// URL, else the embedded SQLite store in home. The audit keys
// always live in home.
func OpenURL(ctx context.Context, home, databaseURL string) (*Store, error) {
	if !strings.HasPrefix(databaseURL, "postgres://") && !strings.HasPrefix(databaseURL, "postgresql://") {
		if databaseURL != "" {
			return nil, fmt.Errorf("database URL %q: only postgres:// URLs are supported", databaseURL)
		}
		return Open(ctx, home)
	}
	keys, err := audit.LoadOrCreateKeys(home)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return OpenPostgres(ctx, databaseURL, keys)
}

// q adapts a query written with ? placeholders to the dialect.
func (s *Store) q(query string) string {
	if !s.d.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func migrate(ctx context.Context, db *sql.DB, d dialect) error {
	sub, err := fs.Sub(migrations, d.migrations)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(d.goose, db, sub)
	if err != nil {
		return err
	}
	res, err := p.Up(ctx)
	for _, r := range res {
		slog.DebugContext(ctx, "store migration applied", "version", r.Source.Version, "duration", r.Duration)
	}
	return err
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Keys returns the audit checkpoint keys.
func (s *Store) Keys() *audit.Keys { return s.keys }

func docOf(c *review.Case) (string, string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", "", fmt.Errorf("encode case %s: %w", c.ID, err)
	}
	sum := sha256.Sum256(b)
	return string(b), hex.EncodeToString(sum[:]), nil
}

// Create implements review.Repo.
func (s *Store) Create(ctx context.Context, c *review.Case, ch review.Change) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var num int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(num), 0) + 1 FROM cases`)).Scan(&num); err != nil {
			return fmt.Errorf("next case number: %w", err)
		}
		c.ID = fmt.Sprintf("CR-%04d", num)
		c.Version = 1
		doc, sum, err := docOf(c)
		if err != nil {
			return err
		}
		now := ch.At.UTC().Format(time.RFC3339Nano)
		if _, err := tx.ExecContext(ctx,
			s.q(`INSERT INTO cases (num, id, state, version, doc, doc_sha256, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			num, c.ID, string(c.State), c.Version, doc, sum, now, now); err != nil {
			return fmt.Errorf("insert case %s: %w", c.ID, err)
		}
		return s.appendAudit(ctx, tx, c.ID, sum, ch)
	})
}

// Update implements review.Repo.
func (s *Store) Update(ctx context.Context, c *review.Case, ch review.Change) error {
	base := c.Version
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		c.Version = base
		var version int
		err := tx.QueryRowContext(ctx, s.q(`SELECT version FROM cases WHERE id = ?`), c.ID).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: %w", c.ID, review.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read case %s: %w", c.ID, err)
		}
		if version != c.Version {
			return fmt.Errorf("case %s is at version %d, change based on %d: %w", c.ID, version, c.Version, review.ErrConflict)
		}
		c.Version++
		doc, sum, err := docOf(c)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE cases SET state = ?, version = ?, doc = ?, doc_sha256 = ?, updated_at = ? WHERE id = ?`),
			string(c.State), c.Version, doc, sum, ch.At.UTC().Format(time.RFC3339Nano), c.ID); err != nil {
			return fmt.Errorf("update case %s: %w", c.ID, err)
		}
		return s.appendAudit(ctx, tx, c.ID, sum, ch)
	})
	if err != nil {
		c.Version = base
	}
	return err
}

// Get implements review.Repo.
func (s *Store) Get(ctx context.Context, id string) (*review.Case, error) {
	var doc string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT doc FROM cases WHERE id = ?`), id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", id, review.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read case %s: %w", id, err)
	}
	return decodeCase(id, doc)
}

func decodeCase(id, doc string) (*review.Case, error) {
	var c review.Case
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return nil, fmt.Errorf("decode case %s: %w", id, err)
	}
	return &c, nil
}

// List implements review.Repo.
func (s *Store) List(ctx context.Context) ([]*review.Case, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, doc FROM cases ORDER BY num`))
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	var out []*review.Case
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		c, err := decodeCase(id, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if s.d.lockWriters != "" {
		if _, err := tx.ExecContext(ctx, s.d.lockWriters); err != nil {
			tx.Rollback()
			return fmt.Errorf("lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// appendAudit appends one record for ch and a signed checkpoint.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, subject, stateSHA string, ch review.Change) error {
	tree, err := s.loadTree(ctx, tx)
	if err != nil {
		return err
	}
	rec := audit.Record{Seq: tree.Size() + 1, Time: ch.At.UTC().Format(time.RFC3339Nano), Actor: ch.Actor,
		Action: ch.Action, Subject: subject, Reason: ch.Reason, StateSHA256: stateSHA}
	if ch.Detail != nil {
		if rec.Detail, err = json.Marshal(ch.Detail); err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
	}
	leaf, err := rec.Encode()
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_log (seq, subject, entry) VALUES (?, ?, ?)`), rec.Seq, subject, string(leaf)); err != nil {
		return fmt.Errorf("append audit record %d: %w", rec.Seq, err)
	}
	if err := tree.Append(leaf); err != nil {
		return err
	}
	root, err := tree.Root()
	if err != nil {
		return err
	}
	signed, err := audit.Checkpoint{Size: tree.Size(), Root: root}.Sign(s.keys.Signer)
	if err != nil {
		return err
	}
	hashes, err := json.Marshal(tree.Hashes())
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_checkpoints (size, note, tree) VALUES (?, ?, ?)`),
		tree.Size(), string(signed), string(hashes)); err != nil {
		return fmt.Errorf("store audit checkpoint %d: %w", tree.Size(), err)
	}
	return nil
}

func (s *Store) loadTree(ctx context.Context, tx *sql.Tx) (*audit.Tree, error) {
	var size uint64
	var tree string
	err := tx.QueryRowContext(ctx, s.q(`SELECT size, tree FROM audit_checkpoints ORDER BY size DESC LIMIT 1`)).Scan(&size, &tree)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.NewTree(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoint: %w", err)
	}
	var hashes [][]byte
	if err := json.Unmarshal([]byte(tree), &hashes); err != nil {
		return nil, fmt.Errorf("audit checkpoint %d tree: %w", size, err)
	}
	return audit.LoadTree(size, hashes)
}

// LatestCheckpoint returns the latest signed checkpoint (empty when the log
// is empty), for publishing outside the store.
func (s *Store) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	var note string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT note FROM audit_checkpoints ORDER BY size DESC LIMIT 1`)).Scan(&note)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoint: %w", err)
	}
	return []byte(note), nil
}

// Verify checks the whole audit log against its signed checkpoints and any
// extra checkpoints held outside the store, then checks that every stored
// case is exactly the state its latest audit record recorded.
func (s *Store) Verify(ctx context.Context, extra [][]byte) (audit.Result, error) {
	records, err := s.column(ctx, `SELECT entry FROM audit_log ORDER BY seq`)
	if err != nil {
		return audit.Result{}, err
	}
	cps, err := s.column(ctx, `SELECT note FROM audit_checkpoints ORDER BY size`)
	if err != nil {
		return audit.Result{}, err
	}
	res, err := audit.Verify(records, append(cps, extra...), s.keys.Verifier)
	if err != nil {
		return res, err
	}
	latest := map[string]string{}
	for _, data := range records {
		r, err := audit.Decode(data)
		if err != nil {
			return res, err
		}
		latest[r.Subject] = r.StateSHA256
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, doc FROM cases ORDER BY num`))
	if err != nil {
		return res, fmt.Errorf("read cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return res, fmt.Errorf("read cases: %w", err)
		}
		sum := sha256.Sum256([]byte(doc))
		if want, ok := latest[id]; !ok || want != hex.EncodeToString(sum[:]) {
			return res, fmt.Errorf("%w: case %s differs from the state its audit log recorded", audit.ErrTampered, id)
		}
		delete(latest, id)
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	vendors, err := s.VendorProfiles(ctx)
	if err != nil {
		return res, err
	}
	for _, p := range vendors {
		sum := sha256.Sum256(p.Doc)
		subject := vendorSubject(p.Key)
		if want, ok := latest[subject]; !ok || want != hex.EncodeToString(sum[:]) || p.SHA256 != want {
			return res, fmt.Errorf("%w: vendor profile %q differs from the state its audit log recorded", audit.ErrTampered, p.Name)
		}
		delete(latest, subject)
	}
	for id := range latest {
		return res, fmt.Errorf("%w: %s is in the audit log but missing from the store", audit.ErrTampered, id)
	}
	return res, nil
}

func (s *Store) column(ctx context.Context, query string) ([][]byte, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query))
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		out = append(out, []byte(v))
	}
	return out, rows.Err()
}

// Records returns the audit log entries, optionally only those of one
// subject (a case ID).
func (s *Store) Records(ctx context.Context, subject string) ([]audit.Record, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT entry FROM audit_log WHERE ? = '' OR subject = ? ORDER BY seq`), subject, subject)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []audit.Record
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		r, err := audit.Decode([]byte(v))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// VerifyEvidence re-hashes the stored content of every evidence item of
// every case and reports the first item whose content is missing or no
// longer matches its SHA-256. It returns the number of items checked.
func (s *Store) VerifyEvidence(ctx context.Context, blobs Blobs) (int, error) {
	cases, err := s.List(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cases {
		for _, e := range c.Evidence {
			if err := blobs.Check(e.SHA256); err != nil {
				return n, fmt.Errorf("%w: case %s: %v", audit.ErrTampered, c.ID, err)
			}
			n++
		}
	}
	return n, nil
}
