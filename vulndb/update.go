package vulndb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/assayhq/assay/advisory"
)

// Config controls an update. The zero value updates every kind from the
// official feeds.
type Config struct {
	Endpoints  Endpoints     // feed locations; zero means Official()
	Only       []string      // kinds to update (see Kinds); empty means all
	Ecosystems []string      // OSV ecosystems; empty means ecosystems.txt or the mirror's folders
	NVDFeeds   []string      // NVD feed names ("2024", "modified"); empty means all
	NVDAPI     bool          // use the NVD CVE API 2.0 instead of feed files
	NVDAPIKey  string        // NVD API key (raises the rate limit)
	NVDDelay   time.Duration // pause between NVD API requests; zero means NVD's public limits

	HTTPClient   *http.Client
	Retries      int           // extra attempts on network errors and 5xx (default 2)
	Backoff      time.Duration // first retry delay, doubled each time (default 2s)
	MaxFeedBytes int64         // per-file download limit (default MaxFeedBytes)
	Progress     Progress
	Logger       *slog.Logger
	Now          func() time.Time
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c Config) withDefaults() *Config {
	if c.Endpoints == (Endpoints{}) {
		c.Endpoints = Official()
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Minute}
	}
	if c.Retries == 0 {
		c.Retries = 2
	}
	if c.Backoff == 0 {
		c.Backoff = 2 * time.Second
	}
	if c.MaxFeedBytes == 0 {
		c.MaxFeedBytes = MaxFeedBytes
	}
	if c.Progress == nil {
		c.Progress = NoProgress{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return &c
}

// SourceResult is what an update did with one source.
type SourceResult struct {
	Name    string `json:"name"`
	Outcome string `json:"outcome"` // updated, unchanged or failed
	Records int    `json:"records"`
	Skipped int    `json:"skipped"`
	Error   string `json:"error,omitempty"`
}

// Report summarizes an update or import.
type Report struct {
	Snapshot string         `json:"snapshot"` // the snapshot in service afterwards
	Changed  bool           `json:"changed"`  // a new snapshot was installed
	Sources  []SourceResult `json:"sources"`
	Duration time.Duration  `json:"duration_ns"`
}

// Failed returns the sources that failed.
func (r *Report) Failed() []SourceResult {
	var out []SourceResult
	for _, s := range r.Sources {
		if s.Outcome == "failed" {
			out = append(out, s)
		}
	}
	return out
}

// Update fetches the configured feeds and, when any changed, builds a new
// snapshot beside the current one and swaps it in once it is complete and
// verified. A source that fails keeps its previous records and is
// reported in the returned error; the other sources are still updated. An
// interrupted update (crash, kill, disk full) leaves the previous snapshot
// in service.
func Update(ctx context.Context, home string, c Config) (*Report, error) {
	cfg := c.withDefaults()
	start := time.Now()
	l := newLayout(home)
	unlock, err := l.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	staging, err := l.staging()
	if err != nil {
		return nil, fmt.Errorf("create staging directory: %w", err)
	}
	defer os.RemoveAll(staging)

	u := &updater{
		cfg:     cfg,
		staging: staging,
		t: &transport{
			client: cfg.HTTPClient, maxBytes: cfg.MaxFeedBytes, retries: cfg.Retries,
			backoff: cfg.Backoff, tmpDir: staging, progress: cfg.Progress, agent: "assay (+https://github.com/assayhq/assay)",
		},
		report: &Report{},
	}
	u.prevName, u.prevPath, u.prev = previousSnapshot(ctx, l)
	kinds := cfg.Only
	if len(kinds) == 0 {
		kinds = Kinds
	}
	for _, kind := range kinds {
		srcs, err := plan(ctx, cfg, u.t, kind)
		if err != nil {
			u.fail(kind, err)
			continue
		}
		for _, src := range srcs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			u.runSource(ctx, src)
		}
	}
	rep := u.report
	rep.Snapshot = u.prevName
	if u.b != nil {
		if err := u.b.finish(ctx, cfg.now()); err != nil {
			return nil, fmt.Errorf("finish snapshot: %w", err)
		}
		name := newName(cfg.now())
		if err := l.install(filepath.Join(staging, "snapshot"), name); err != nil {
			return nil, err
		}
		rep.Snapshot, rep.Changed = name, true
	}
	rep.Duration = time.Since(start)
	if failed := rep.Failed(); len(failed) > 0 {
		var msgs []string
		for _, f := range failed {
			msgs = append(msgs, f.Name+": "+f.Error)
		}
		return rep, fmt.Errorf("%d source(s) failed (their previous data, if any, is kept):\n  %s", len(failed), strings.Join(msgs, "\n  "))
	}
	return rep, nil
}

// updater carries the state of one Update run.
type updater struct {
	cfg      *Config
	t        *transport
	staging  string
	prevName string
	prevPath string
	prev     map[string]sourceState
	b        *builder
	report   *Report
}

func (u *updater) fail(name string, err error) {
	u.cfg.Logger.Warn("source failed", "source", name, "err", err)
	u.report.Sources = append(u.report.Sources, SourceResult{Name: name, Outcome: "failed", Error: err.Error()})
}

// runSource fetches one source and imports it when it changed.
func (u *updater) runSource(ctx context.Context, src source) {
	prev := u.prev[src.name]
	var files []*fetched
	digest := ""
	if src.api == nil {
		var changed bool
		var err error
		files, digest, changed, err = u.fetchAll(ctx, src, prev)
		defer func() {
			for _, f := range files {
				u.t.release(f)
			}
		}()
		if err != nil {
			u.fail(src.name, err)
			return
		}
		if !changed {
			u.report.Sources = append(u.report.Sources, SourceResult{Name: src.name, Outcome: "unchanged", Records: prev.Records, Skipped: prev.Skipped})
			return
		}
	}
	if u.b == nil {
		b, err := newBuilder(ctx, filepath.Join(u.staging, "snapshot"), u.prevPath)
		if err != nil {
			u.fail(src.name, fmt.Errorf("create snapshot: %w", err))
			return
		}
		u.b = b
	}
	res, err := u.b.importSource(ctx, u.t, src, files, digest, prev, u.cfg.now())
	if err != nil {
		u.fail(src.name, err)
		return
	}
	u.cfg.Logger.Info("source imported", "source", src.name, "records", res.Records, "skipped", res.Skipped)
	u.report.Sources = append(u.report.Sources, res)
}

// fetchAll fetches every file of src and reports whether the source
// changed since prev.
func (u *updater) fetchAll(ctx context.Context, src source, prev sourceState) (files []*fetched, digest string, changed bool, err error) {
	h := sha256.New()
	for _, url := range src.urls {
		v := validators{}
		if len(src.urls) == 1 {
			v = prev.validators()
		}
		f, err := u.t.fetch(ctx, url, v)
		if err != nil {
			return files, "", false, err
		}
		files = append(files, f)
		io.WriteString(h, f.SHA256+"\n")
	}
	if len(files) == 1 {
		digest = files[0].SHA256
	} else {
		digest = hex.EncodeToString(h.Sum(nil))
	}
	if prev.SHA256 != "" && digest == prev.SHA256 {
		return files, digest, false, nil
	}
	return files, digest, true, nil
}

// release removes a downloaded temporary copy (never a mirror's own file).
func (t *transport) release(f *fetched) {
	if f != nil && f.Path != "" && strings.HasPrefix(f.Path, t.tmpDir+string(os.PathSeparator)) {
		os.Remove(f.Path)
	}
}

// sourceState is what the previous snapshot recorded about a source.
type sourceState struct {
	URL, FetchedAt, SHA256, ETag, LastModified string
	Records, Skipped                           int
}

func (s sourceState) validators() validators {
	return validators{SHA256: s.SHA256, ETag: s.ETag, LastModified: s.LastModified}
}

// previousSnapshot returns the snapshot in service and its source states;
// an unreadable or outdated snapshot is treated as absent, so everything
// is imported afresh.
func previousSnapshot(ctx context.Context, l layout) (name, path string, states map[string]sourceState) {
	states = map[string]sourceState{}
	name, err := l.current()
	if err != nil {
		return "", "", states
	}
	db, err := openSnapshot(ctx, l.snapshotDB(name), name)
	if err != nil {
		return name, "", states
	}
	defer db.Close()
	rows, err := db.sql.QueryContext(ctx, `SELECT name, url, fetched_at, sha256, etag, last_modified, records, skipped FROM sources`)
	if err != nil {
		return name, "", states
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		var s sourceState
		if rows.Scan(&n, &s.URL, &s.FetchedAt, &s.SHA256, &s.ETag, &s.LastModified, &s.Records, &s.Skipped) == nil {
			states[n] = s
		}
	}
	return name, db.path, states
}

// builder writes a new snapshot, starting from a copy of the previous
// one so unchanged sources keep their rows.
type builder struct {
	dir string
	db  *sql.DB
}

func newBuilder(ctx context.Context, dir, base string) (*builder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "vuln.db")
	fresh := base == ""
	if !fresh {
		if err := copyFile(base, path); err != nil {
			return nil, fmt.Errorf("copy previous snapshot: %w", err)
		}
	}
	// The staging file is thrown away on any failure, so it needs no
	// durable journal; an in-memory one still allows per-source rollback.
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?_pragma=journal_mode(MEMORY)&_pragma=synchronous(OFF)&_pragma=cache_size(-131072)&_pragma=temp_store(MEMORY)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	b := &builder{dir: dir, db: db}
	if fresh {
		if _, err := db.ExecContext(ctx, schemaSQL); err != nil {
			db.Close()
			return nil, fmt.Errorf("create schema: %w", err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('schema', ?)`, schemaVersion); err != nil {
			db.Close()
			return nil, err
		}
	}
	return b, nil
}

// importSource replaces src's rows in one transaction.
func (b *builder) importSource(ctx context.Context, t *transport, src source, files []*fetched, digest string, prev sourceState, now time.Time) (SourceResult, error) {
	res := SourceResult{Name: src.name, Outcome: "updated"}
	w, err := newWriter(ctx, b.db, src.name, src.incremental)
	if err != nil {
		return res, err
	}
	bar := t.progress.Start("import "+src.name, -1)
	defer bar.Done()
	var n int
	if src.api != nil {
		n, digest, err = src.api(ctx, t, prev, w)
	} else {
		n, err = src.parse(ctx, files, w)
	}
	if err != nil {
		w.rollback()
		return res, err
	}
	st := sourceState{URL: strings.Join(src.urls, " "), FetchedAt: now.UTC().Format(time.RFC3339), SHA256: digest, Records: n, Skipped: w.skipped}
	if len(files) == 1 {
		st.ETag, st.LastModified = files[0].ETag, files[0].LastModified
	}
	if _, err := w.tx.ExecContext(ctx, `INSERT OR REPLACE INTO sources (name, kind, url, fetched_at, sha256, etag, last_modified, records, skipped)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, src.name, src.kind, st.URL, st.FetchedAt, st.SHA256, st.ETag, st.LastModified, st.Records, st.Skipped); err != nil {
		w.rollback()
		return res, fmt.Errorf("record source: %w", err)
	}
	if err := w.commit(); err != nil {
		return res, fmt.Errorf("commit: %w", err)
	}
	res.Records, res.Skipped = n, w.skipped
	return res, nil
}

// finish drops advisories no source owns, rebuilds the alias groups and
// per-ecosystem counts, verifies the file and makes it durable.
func (b *builder) finish(ctx context.Context, now time.Time) error {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DELETE FROM affected WHERE id NOT IN (SELECT id FROM advisory_sources)`,
		`DELETE FROM cpes WHERE id NOT IN (SELECT id FROM advisory_sources)`,
		`DELETE FROM advisories WHERE id NOT IN (SELECT id FROM advisory_sources)`,
		`DELETE FROM ecosystems`,
		`INSERT INTO ecosystems (ecosystem, records) SELECT ecosystem, COUNT(DISTINCT id) FROM affected GROUP BY ecosystem`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	if err := rebuildGroups(ctx, tx); err != nil {
		return err
	}
	if err := writeBriefs(ctx, tx); err != nil {
		return err
	}
	if err := writeHeavy(ctx, tx); err != nil {
		return err
	}
	if err := writeTotals(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES ('built_at', ?)`, now.UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	var check string
	if err := b.db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check); err != nil || check != "ok" {
		return fmt.Errorf("integrity check failed: %q %v", check, err)
	}
	if err := b.db.Close(); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(b.dir, "vuln.db"), os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// writeTotals stores the Status counts of the finished snapshot in the
// totals table (created here when the snapshot was copied from one built
// before the table existed).
func writeTotals(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, totalsSQL+`DELETE FROM totals;`); err != nil {
		return fmt.Errorf("totals: %w", err)
	}
	for _, q := range totalQueries {
		if _, err := tx.ExecContext(ctx, `INSERT INTO totals (name, n) SELECT ?, (`+q.query+`)`, q.name); err != nil {
			return fmt.Errorf("totals %s: %w", q.name, err)
		}
	}
	return nil
}

// writeBriefs stores the brief of every alias group and of every
// advisory outside any group in the briefs table (created here when the
// snapshot was copied from one built before the table existed), computed
// by briefJoin over the finished tables.
func writeBriefs(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, briefsSQL+`DELETE FROM briefs;`); err != nil {
		return fmt.Errorf("briefs: %w", err)
	}
	var keys []string
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT coalesce(g.key, a.id) FROM advisories a LEFT JOIN groups g ON g.member = a.id`)
	if err != nil {
		return fmt.Errorf("briefs: %w", err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return fmt.Errorf("briefs: %w", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("briefs: %w", err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO briefs (key, data) VALUES (?, ?)`)
	if err != nil {
		return fmt.Errorf("briefs: %w", err)
	}
	defer ins.Close()
	query := func(q string) queryFunc {
		return func(ctx context.Context, args ...any) (*sql.Rows, error) { return tx.QueryContext(ctx, q, args...) }
	}
	kq, gq, mq := briefQueries("")
	join := briefJoin{keys: query(kq), groups: query(gq), members: query(mq)}
	// A chunk of keys at a time bounds the briefs held in memory.
	for chunk := range slices.Chunk(keys, 4*briefChunk) {
		bs, err := join.briefs(ctx, chunk)
		if err != nil {
			return fmt.Errorf("briefs: %w", err)
		}
		for _, k := range chunk {
			b := bs[k]
			if b == nil {
				continue
			}
			if _, err := ins.ExecContext(ctx, k, encodeBrief(b)); err != nil {
				return fmt.Errorf("store brief of %s: %w", k, err)
			}
		}
	}
	return nil
}

// writeHeavy lists the packages at least heavyAdvisories advisories name
// in the heavy_packages table (created here when the snapshot was copied
// from one built before the table existed).
func writeHeavy(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, heavySQL+`DELETE FROM heavy_packages;`); err != nil {
		return fmt.Errorf("heavy packages: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO heavy_packages (ecosystem, name, advisories)
		SELECT ecosystem, name, COUNT(*) FROM affected GROUP BY ecosystem, name HAVING COUNT(*) >= ?`, heavyAdvisories); err != nil {
		return fmt.Errorf("heavy packages: %w", err)
	}
	return nil
}

// rebuildGroups recomputes the alias groups over every stored advisory.
func rebuildGroups(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, aliases FROM advisories`)
	if err != nil {
		return err
	}
	var g advisory.Grouper
	for rows.Next() {
		var id, aliases string
		if err := rows.Scan(&id, &aliases); err != nil {
			rows.Close()
			return err
		}
		g.Add(append([]string{id}, strings.Fields(aliases)...)...)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM groups`); err != nil {
		return err
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO groups (member, key) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for member, key := range g.Groups() {
		if _, err := ins.ExecContext(ctx, member, key); err != nil {
			return fmt.Errorf("store alias group: %w", err)
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
