// Package vulndb is Assay's advisory database: it imports OSV, NVD, CISA
// KEV, EPSS, Debian security tracker and Alpine secdb data into an
// immutable SQLite snapshot, swaps new snapshots in atomically, and answers
// the queries matching needs (the advisories affecting a package, alias
// groups, KEV and EPSS enrichment) without loading the database into
// memory.
package vulndb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/assayhq/assay/advisory"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// ErrNoDatabase is returned by Open when no snapshot has been imported.
var ErrNoDatabase = errors.New("no advisory database: run 'assay db update' (or 'assay db import FILE')")

// ErrNotFound is returned when an ID is not in the database.
var ErrNotFound = errors.New("not found")

// DB is a read-only handle on the current advisory snapshot. It is safe
// for concurrent use. A DB keeps serving the snapshot it opened even
// after an update swaps in a newer one.
type DB struct {
	snapshot string
	path     string
	sql      *sql.DB // reads through SQLite's page cache

	mapMu    sync.RWMutex // held for reading while a query starts on mapped
	mapped   *sql.DB      // reads through a memory map; nil once mapLeft ran out
	mapLeft  atomic.Int64 // queries mapped may still start
	unmapped atomic.Bool  // mapped has been closed

	hasTotals bool // the snapshot has the totals table (Status counts)
	hasBriefs bool // the snapshot has the briefs table (stored briefs)
	hasHeavy  bool // the snapshot has the heavy_packages table

	affecting *stmt
	get       *stmt
	stored    *stmt     // each of a JSON array of IDs, its group key and the group's stored brief
	join      briefJoin // briefs computed from the tables (snapshots without stored briefs)
	heavy     *stmt     // the heavy packages among a JSON array of [ecosystem, name] pairs
	group     *stmt
	members   *stmt
	kev       *stmt
	epss      *stmt
	cpes      *stmt
}

// Open opens the current snapshot under home.
func Open(ctx context.Context, home string) (*DB, error) {
	l := newLayout(home)
	name, err := l.current()
	if err != nil {
		return nil, err
	}
	return openSnapshot(ctx, l.snapshotDB(name), name)
}

func openSnapshot(ctx context.Context, path, name string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open snapshot %s: %w", name, err)
	}
	dsn := "file:" + filepath.ToSlash(path) + "?mode=ro&immutable=1&_pragma=query_only(1)&_pragma=mmap_size("
	sdb, err := sql.Open("sqlite", dsn+"0)")
	if err != nil {
		return nil, fmt.Errorf("open snapshot %s: %w", name, err)
	}
	mdb, err := sql.Open("sqlite", dsn+strconv.Itoa(mappedBytes)+")")
	if err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open snapshot %s: %w", name, err)
	}
	db := &DB{sql: sdb, mapped: mdb, snapshot: name, path: path}
	db.mapLeft.Store(mappedQueries)
	if err := db.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open snapshot %s: %w", name, err)
	}
	return db, nil
}

// A DB reads the snapshot in two ways. Through a memory map, SQLite uses
// the file's pages where the kernel caches them; through its page cache,
// it allocates memory for each page and copies it in, which costs a scan
// of a few hundred components 0.5-2 ms (about a tenth of its time) in
// page faults and reads. But every page a connection maps counts toward
// the process's resident memory, once per connection: 120 MiB more on a
// 100,000-component SBOM. So the first mappedQueries queries (all of a
// small scan's) go through the map, then the map is closed and later
// queries go through the page cache: a large scan's mapped pages leave
// before its heap grows.
const (
	mappedQueries = 1000
	mappedBytes   = 1 << 30 // all of a snapshot
)

// acquire returns the connection pool for the next query and a function
// to call once the query has started (its rows may be read after).
func (db *DB) acquire() (pool *sql.DB, started func()) {
	if db.mapLeft.Load() > 0 {
		db.mapMu.RLock()
		if db.mapped != nil && db.mapLeft.Add(-1) >= 0 {
			return db.mapped, db.mapMu.RUnlock
		}
		db.mapMu.RUnlock()
	}
	if !db.unmapped.Load() {
		db.unmap()
	}
	return db.sql, func() {}
}

// unmap closes the mapped pool. Queries already running on it finish;
// their connections close when their rows do.
func (db *DB) unmap() error {
	db.mapMu.Lock()
	defer db.mapMu.Unlock()
	if db.mapped == nil {
		return nil
	}
	err := db.mapped.Close()
	db.mapped = nil
	db.unmapped.Store(true)
	return err
}

// query runs q on the pool acquire picks.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	pool, started := db.acquire()
	defer started()
	return pool.QueryContext(ctx, q, args...)
}

// queryRow runs q for at most one row on the pool acquire picks.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	pool, started := db.acquire()
	defer started()
	return pool.QueryRowContext(ctx, q, args...)
}

func (db *DB) init(ctx context.Context) error {
	var v string
	if err := db.queryRow(ctx, `SELECT value FROM meta WHERE key='schema'`).Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v != schemaVersion {
		return fmt.Errorf("snapshot schema %s, this assay reads %s: run 'assay db update'", v, schemaVersion)
	}
	// Snapshots built before advisories_brief existed lack the index;
	// they are read through the table instead. Those built before the
	// totals table have their Status counts computed on demand.
	var indexed bool
	if err := db.queryRow(ctx, `SELECT
		EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = 'advisories_brief'),
		EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'totals'),
		EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'briefs'),
		EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'heavy_packages')`).Scan(&indexed, &db.hasTotals, &db.hasBriefs, &db.hasHeavy); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	index := ""
	if indexed {
		index = "advisories_brief"
	}
	keys, groups, members := briefQueries(index)
	db.join = briefJoin{
		keys:    db.prepare(keys).QueryContext,
		groups:  db.prepare(groups).QueryContext,
		members: db.prepare(members).QueryContext,
	}
	stmts := []struct {
		dst   **stmt
		query string
	}{
		{&db.affecting, `SELECT id, data, withdrawn FROM affected WHERE ecosystem = ? AND name = ?`},
		{&db.get, `SELECT data FROM advisories WHERE id = ?`},
		{&db.stored, `SELECT j.value, coalesce(g.key, j.value), b.data FROM json_each(?) j
			LEFT JOIN groups g ON g.member = j.value LEFT JOIN briefs b ON b.key = coalesce(g.key, j.value)`},
		{&db.heavy, `SELECT h.ecosystem, h.name, h.advisories FROM json_each(?) j
			JOIN heavy_packages h ON h.ecosystem = json_extract(j.value, '$[0]') AND h.name = json_extract(j.value, '$[1]')`},
		{&db.group, `SELECT key FROM groups WHERE member = ?`},
		{&db.members, `SELECT member FROM groups WHERE key = ?`},
		{&db.kev, `SELECT data FROM kev WHERE cve = ?`},
		{&db.epss, `SELECT score, percentile FROM epss WHERE cve = ?`},
		{&db.cpes, `SELECT id FROM cpes WHERE vendor = ? AND product = ?`},
	}
	for _, s := range stmts {
		*s.dst = db.prepare(s.query)
	}
	return nil
}

// prepare returns query as a statement prepared on its first use.
func (db *DB) prepare(query string) *stmt { return &stmt{db: db, query: query} }

// stmt is a statement prepared on its first use in each of the DB's
// connection pools: a scan runs three or four of the DB's statements, and
// preparing one costs about as much as running it once. It is safe for
// concurrent use.
type stmt struct {
	db    *DB
	query string

	mu sync.Mutex
	st map[*sql.DB]*sql.Stmt // by pool
}

func (s *stmt) prepared(ctx context.Context, pool *sql.DB) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.st[pool]; st != nil {
		return st, nil
	}
	st, err := pool.PrepareContext(ctx, s.query)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", s.query, err)
	}
	if s.st == nil {
		s.st = map[*sql.DB]*sql.Stmt{}
	}
	s.st[pool] = st
	return st, nil
}

// QueryContext runs the statement, preparing it first if need be.
func (s *stmt) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	pool, started := s.db.acquire()
	defer started()
	st, err := s.prepared(ctx, pool)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs the statement for at most one row, preparing it
// first if need be; errors are deferred to the Row's Scan.
func (s *stmt) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	pool, started := s.db.acquire()
	defer started()
	st, err := s.prepared(ctx, pool)
	if err != nil {
		// The same query unprepared: its Row carries the error to Scan.
		return pool.QueryRowContext(ctx, s.query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// Close releases the database.
func (db *DB) Close() error { return errors.Join(db.unmap(), db.sql.Close()) }

// Snapshot names the snapshot this handle reads.
func (db *DB) Snapshot() string { return db.snapshot }

// PackageAdvisory is an advisory's affected entries for one package: what
// matching needs to decide whether a version is affected.
type PackageAdvisory struct {
	ID        string
	Withdrawn bool
	Affected  []advisory.Affected
}

// Affecting returns the advisories that name (ecosystem, name) in an
// affected entry, withdrawn ones included (marked). The name is
// normalized for the ecosystem (e.g. PEP 503 for PyPI).
func (db *DB) Affecting(ctx context.Context, ecosystem, name string) ([]PackageAdvisory, error) {
	rows, err := db.affecting.QueryContext(ctx, ecosystem, advisory.NormalizeName(ecosystem, name))
	if err != nil {
		return nil, fmt.Errorf("query %s/%s: %w", ecosystem, name, err)
	}
	defer rows.Close()
	var out []PackageAdvisory
	for rows.Next() {
		var (
			pa   PackageAdvisory
			data sql.RawBytes // valid until Next: decodeAffected copies what it keeps
		)
		if err := rows.Scan(&pa.ID, &data, &pa.Withdrawn); err != nil {
			return nil, fmt.Errorf("query %s/%s: %w", ecosystem, name, err)
		}
		if pa.Affected, err = decodeAffected(data); err != nil {
			return nil, fmt.Errorf("query %s/%s: decode %s: %w", ecosystem, name, pa.ID, err)
		}
		out = append(out, pa)
	}
	return out, rows.Err()
}

// HeavyPackages returns, for each of pkgs (ecosystem and name) that at
// least heavyAdvisories advisories name, how many do; it is empty for a
// snapshot built before the list existed. Matching such a package takes
// longest, so matching starts with them. One query per briefChunk
// packages.
func (db *DB) HeavyPackages(ctx context.Context, pkgs [][2]string) (map[[2]string]int, error) {
	out := map[[2]string]int{}
	if !db.hasHeavy || len(pkgs) == 0 {
		return out, nil
	}
	byStored := map[[2]string][2]string{} // normalized name → as asked
	for chunk := range slices.Chunk(pkgs, briefChunk) {
		arg := make([][2]string, len(chunk))
		for i, p := range chunk {
			arg[i] = [2]string{p[0], advisory.NormalizeName(p[0], p[1])}
			byStored[arg[i]] = p
		}
		data, err := json.Marshal(arg)
		if err != nil {
			return nil, err
		}
		if err := db.readHeavy(ctx, string(data), byStored, out); err != nil {
			return nil, fmt.Errorf("heavy packages: %w", err)
		}
	}
	return out, nil
}

// readHeavy reads the heavy packages among arg (a JSON array of
// [ecosystem, normalized name] pairs) into out, by the names asked.
func (db *DB) readHeavy(ctx context.Context, arg string, asked map[[2]string][2]string, out map[[2]string]int) error {
	rows, err := db.heavy.QueryContext(ctx, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k [2]string
		var n int
		if err := rows.Scan(&k[0], &k[1], &n); err != nil {
			return err
		}
		out[asked[k]] = n
	}
	return rows.Err()
}

// Advisory returns the full record with the given ID.
func (db *DB) Advisory(ctx context.Context, id string) (*advisory.Advisory, error) {
	var data []byte
	err := db.get.QueryRowContext(ctx, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("advisory %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("advisory %s: %w", id, err)
	}
	var a advisory.Advisory
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("advisory %s: decode: %w", id, err)
	}
	return &a, nil
}

// Group returns the alias group of id: its key (the lowest CVE ID, else
// the lowest ID) and every ID in it, advisories and bare aliases alike.
// An ID the database does not know forms a group of its own.
func (db *DB) Group(ctx context.Context, id string) (key string, members []string, err error) {
	err = db.group.QueryRowContext(ctx, id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return id, []string{id}, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("group of %s: %w", id, err)
	}
	rows, err := db.members.QueryContext(ctx, key)
	if err != nil {
		return "", nil, fmt.Errorf("group of %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return "", nil, fmt.Errorf("group of %s: %w", id, err)
		}
		members = append(members, m)
	}
	advisory.SortIDs(members)
	return key, members, rows.Err()
}

// KEV returns the CISA Known Exploited Vulnerabilities entry for a CVE, or
// nil when it is not listed.
func (db *DB) KEV(ctx context.Context, cve string) (*KEVEntry, error) {
	var data []byte
	err := db.kev.QueryRowContext(ctx, cve).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("KEV %s: %w", cve, err)
	}
	return decodeKEV(cve, data)
}

func decodeKEV(cve string, data []byte) (*KEVEntry, error) {
	var e KEVEntry
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("KEV %s: decode: %w", cve, err)
	}
	return &e, nil
}

// EPSS returns the EPSS score of a CVE, or nil when it has none.
func (db *DB) EPSS(ctx context.Context, cve string) (*EPSSScore, error) {
	s := EPSSScore{CVE: cve}
	err := db.epss.QueryRowContext(ctx, cve).Scan(&s.Score, &s.Percentile)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("EPSS %s: %w", cve, err)
	}
	return &s, nil
}

// CPECandidates returns the IDs of NVD records whose configurations name
// the CPE vendor and product; matching then evaluates the configurations.
func (db *DB) CPECandidates(ctx context.Context, vendor, product string) ([]string, error) {
	rows, err := db.cpes.QueryContext(ctx, strings.ToLower(vendor), strings.ToLower(product))
	if err != nil {
		return nil, fmt.Errorf("CPE %s:%s: %w", vendor, product, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("CPE %s:%s: %w", vendor, product, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
