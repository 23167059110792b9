package vulndb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/assayhq/assay/advisory"
)

// Brief is what a finding needs about a vulnerability, read from columns
// computed at import: the alias group, each stored advisory's one-line
// summary and upstream IDs, the best severity, and KEV and EPSS. It
// avoids decoding full records, which matching thousands of components
// would otherwise do.
type Brief struct {
	Key      string
	IDs      []string
	Summary  map[string]string   // by advisory ID
	Upstream map[string][]string // by advisory ID
	Severity *advisory.Score
	KEV      []*KEVEntry
	EPSS     []EPSSScore
}

// briefChunk bounds how many IDs one brief query reads, so that a query's
// argument and result stay small however many IDs Briefs is given.
const briefChunk = 256

// Brief returns the brief of id's alias group (Briefs for one ID), or an
// error wrapping ErrNotFound when no advisory of the group is stored.
func (db *DB) Brief(ctx context.Context, id string) (*Brief, error) {
	bs, err := db.Briefs(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	b, ok := bs[id]
	if !ok {
		return nil, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	return b, nil
}

// Briefs returns the briefs of the alias groups of ids, by ID. An ID in
// no group forms a group of its own. An ID whose group holds no stored
// advisory (the case Brief reports as ErrNotFound) is absent from the
// map. IDs of one alias group share one *Brief, which callers must not
// modify.
//
// A snapshot stores every group's brief, computed when it is built (the
// briefs table, in encodeBrief's form), and Briefs reads them with one
// query per briefChunk IDs: two index searches per ID. Snapshots built before the table
// existed are read through briefJoin, which the builder uses to fill the
// table.
func (db *DB) Briefs(ctx context.Context, ids []string) (map[string]*Brief, error) {
	if !db.hasBriefs {
		return db.join.briefs(ctx, ids)
	}
	out := map[string]*Brief{}
	byKey := map[string]*Brief{}
	for chunk := range slices.Chunk(ids, briefChunk) {
		if err := db.readStored(ctx, chunk, out, byKey); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readStored reads the stored briefs of ids into out (by ID), decoding
// each group's once (byKey).
func (db *DB) readStored(ctx context.Context, ids []string, out, byKey map[string]*Brief) error {
	rows, err := queryIDs(ctx, db.stored.QueryContext, ids)
	if err != nil {
		return fmt.Errorf("briefs of %d IDs: %w", len(ids), err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, key string
		var data []byte
		if err := rows.Scan(&id, &key, &data); err != nil {
			return fmt.Errorf("briefs of %d IDs: %w", len(ids), err)
		}
		if data == nil {
			continue // no stored advisory in the group
		}
		b := byKey[key]
		if b == nil {
			if b, err = decodeBrief(data); err != nil {
				return fmt.Errorf("brief of %s: %w", key, err)
			}
			byKey[key] = b
		}
		out[id] = b
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("briefs of %d IDs: %w", len(ids), err)
	}
	return nil
}

// queryFunc runs a query with args.
type queryFunc func(ctx context.Context, args ...any) (*sql.Rows, error)

// briefJoin computes briefs from the groups, advisories, kev and epss
// tables, with three queries (see briefQueries), each taking a JSON
// array of IDs.
type briefJoin struct {
	keys    queryFunc // the group key of each ID
	groups  queryFunc // the members of each group, by key, with their brief columns, KEV and EPSS
	members queryFunc // the brief columns, KEV and EPSS of each ID
}

// briefQueries returns briefJoin's queries; index, when not empty, names
// the covering index of the advisories' brief columns to read.
func briefQueries(index string) (keys, groups, members string) {
	advisories := "advisories a"
	if index != "" {
		advisories += " INDEXED BY " + index
	}
	// cols completes a query over m(id): the brief columns, KEV entry and
	// EPSS score of each ID (see scanMember).
	cols := ` a.summary, a.upstream, a.scores, k.data, e.score, e.percentile FROM m
			LEFT JOIN ` + advisories + ` ON a.id = m.id
			LEFT JOIN kev k ON k.cve = m.id LEFT JOIN epss e ON e.cve = m.id`
	keys = `SELECT j.value, coalesce(g.key, j.value) FROM json_each(?) j LEFT JOIN groups g ON g.member = j.value`
	groups = `WITH m(req, key, id) AS (
				SELECT j.value, coalesce(g.key, j.value), coalesce(g.member, j.value) FROM json_each(?) j
				LEFT JOIN groups r ON r.member = j.value LEFT JOIN groups g ON g.key = r.key)
			SELECT m.req, m.key, m.id,` + cols
	members = `WITH m(id) AS (SELECT value FROM json_each(?)) SELECT m.id,` + cols
	return keys, groups, members
}

// briefs is Briefs computed from the tables.
//
// One query per briefChunk IDs reads their group keys; one per briefChunk
// groups reads every member's brief columns (from the advisories_brief
// index when the snapshot has it), KEV entry and EPSS score; one more per
// briefChunk upstream CVEs outside their groups reads those CVEs' scores,
// KEV entries and EPSS scores. Each group is read once, by its key:
// reading it by each requested member cost members × group size rows (a
// hostile advisory naming 30,000 aliases, in one group with 1,000
// advisories of one package, made a scan read 31 million rows, in a
// minute).
func (j briefJoin) briefs(ctx context.Context, ids []string) (map[string]*Brief, error) {
	keyOf := map[string]string{}       // requested ID → group key
	groups := map[string]*briefGroup{} // by key
	var todo []string
	for _, id := range ids {
		if _, ok := keyOf[id]; !ok {
			keyOf[id] = ""
			todo = append(todo, id)
		}
	}
	for chunk := range slices.Chunk(todo, briefChunk) {
		if err := j.readKeys(ctx, chunk, keyOf); err != nil {
			return nil, err
		}
	}
	var keys []string
	seen := map[string]bool{}
	for _, id := range todo {
		if k := keyOf[id]; !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for chunk := range slices.Chunk(keys, briefChunk) {
		if err := j.readGroups(ctx, chunk, groups); err != nil {
			return nil, err
		}
	}
	// Upstream CVEs outside their group lend it their NVD scores and
	// their KEV and EPSS data.
	outside := map[string]briefMember{}
	var cves []string
	for _, g := range groups {
		for _, m := range g.members {
			for _, u := range m.upstream {
				if _, in := g.byID[u]; !in && strings.HasPrefix(u, "CVE-") {
					if _, seen := outside[u]; !seen {
						outside[u] = briefMember{}
						cves = append(cves, u)
					}
				}
			}
		}
	}
	for chunk := range slices.Chunk(cves, briefChunk) {
		if err := j.readMembers(ctx, chunk, outside); err != nil {
			return nil, err
		}
	}
	out := make(map[string]*Brief, len(keyOf))
	byKey := map[string]*Brief{}
	for id, key := range keyOf {
		b, done := byKey[key]
		if g := groups[key]; !done && g != nil {
			b = g.brief(outside)
			byKey[key] = b
		}
		if b != nil {
			out[id] = b
		}
	}
	return out, nil
}

// briefMember is what one alias-group member contributes to a brief.
type briefMember struct {
	id       string
	found    bool // an advisory with this ID is stored
	summary  string
	upstream []string
	scores   []advisory.Score
	kev      *KEVEntry
	epss     *EPSSScore
}

// briefGroup is an alias group as read for Briefs.
type briefGroup struct {
	key     string
	members []*briefMember // in advisory.SortIDs order once read
	byID    map[string]*briefMember
}

// brief assembles the group's brief, taking the data of upstream CVEs
// outside the group from outside; it is nil when no member is stored.
func (g *briefGroup) brief(outside map[string]briefMember) *Brief {
	b := &Brief{Key: g.key, Summary: map[string]string{}, Upstream: map[string][]string{}}
	var scores []advisory.Score
	var cves []*briefMember // in order of first mention
	seen := map[string]bool{}
	addCVE := func(c string) {
		if !strings.HasPrefix(c, "CVE-") || seen[c] {
			return
		}
		seen[c] = true
		if m, in := g.byID[c]; in {
			cves = append(cves, m)
			return
		}
		m := outside[c]
		scores = append(scores, m.scores...) // its NVD scores
		cves = append(cves, &m)
	}
	for _, m := range g.members {
		b.IDs = append(b.IDs, m.id)
		addCVE(m.id)
		if !m.found {
			continue
		}
		b.Summary[m.id], b.Upstream[m.id] = m.summary, m.upstream
		scores = append(scores, m.scores...)
		for _, u := range m.upstream {
			addCVE(u)
		}
	}
	if len(b.Summary) == 0 {
		return nil
	}
	for _, m := range cves {
		if m.kev != nil {
			b.KEV = append(b.KEV, m.kev)
		}
		if m.epss != nil {
			b.EPSS = append(b.EPSS, *m.epss)
		}
	}
	if best, ok := advisory.Best(scores); ok {
		b.Severity = &best
	}
	return b
}

// readKeys records the group key of each of ids in keyOf (an ID in no
// group is its own key).
func (j briefJoin) readKeys(ctx context.Context, ids []string, keyOf map[string]string) error {
	rows, err := queryIDs(ctx, j.keys, ids)
	if err != nil {
		return fmt.Errorf("group keys of %d IDs: %w", len(ids), err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, key string
		if err := rows.Scan(&id, &key); err != nil {
			return fmt.Errorf("group keys of %d IDs: %w", len(ids), err)
		}
		keyOf[id] = key
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("group keys of %d IDs: %w", len(ids), err)
	}
	return nil
}

// readGroups reads the alias groups whose keys are keys into groups (by
// key).
func (j briefJoin) readGroups(ctx context.Context, keys []string, groups map[string]*briefGroup) error {
	rows, err := queryIDs(ctx, j.groups, keys)
	if err != nil {
		return fmt.Errorf("%d groups: %w", len(keys), err)
	}
	defer rows.Close()
	var read []*briefGroup
	for rows.Next() {
		var req, key string
		m, err := scanMember(rows, &req, &key)
		if err != nil {
			return err
		}
		g := groups[key]
		if g == nil {
			g = &briefGroup{key: key, byID: map[string]*briefMember{}}
			groups[key] = g
			read = append(read, g)
		}
		if _, dup := g.byID[m.id]; !dup {
			g.byID[m.id] = m
			g.members = append(g.members, m)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%d groups: %w", len(keys), err)
	}
	for _, g := range read {
		ids := make([]string, len(g.members))
		for i, m := range g.members {
			ids[i] = m.id
		}
		advisory.SortIDs(ids)
		for i, id := range ids {
			g.members[i] = g.byID[id]
		}
	}
	return nil
}

// readMembers reads the brief columns, KEV entries and EPSS scores of ids
// into into.
func (j briefJoin) readMembers(ctx context.Context, ids []string, into map[string]briefMember) error {
	rows, err := queryIDs(ctx, j.members, ids)
	if err != nil {
		return fmt.Errorf("briefs of %d IDs: %w", len(ids), err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return err
		}
		into[m.id] = *m
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("briefs of %d IDs: %w", len(ids), err)
	}
	return nil
}

// scanMember scans a row of the briefs or briefRows statement: first
// into lead (the briefs statement's requested ID and group key), then
// the member's ID, brief columns, KEV entry and EPSS score.
func scanMember(rows *sql.Rows, lead ...any) (*briefMember, error) {
	var (
		m                briefMember
		summary, up      sql.NullString
		scores, kev      []byte
		epss, percentile sql.NullFloat64
	)
	if err := rows.Scan(append(lead, &m.id, &summary, &up, &scores, &kev, &epss, &percentile)...); err != nil {
		return nil, fmt.Errorf("read brief: %w", err)
	}
	if summary.Valid {
		m.found, m.summary, m.upstream = true, summary.String, strings.Fields(up.String)
		if err := json.Unmarshal(scores, &m.scores); err != nil {
			return nil, fmt.Errorf("advisory %s: scores: %w", m.id, err)
		}
	}
	if kev != nil {
		var err error
		if m.kev, err = decodeKEV(m.id, kev); err != nil {
			return nil, err
		}
	}
	if epss.Valid {
		m.epss = &EPSSScore{CVE: m.id, Score: epss.Float64, Percentile: percentile.Float64}
	}
	return &m, nil
}

// queryIDs runs q with ids as its argument, a JSON array.
func queryIDs(ctx context.Context, q queryFunc, ids []string) (*sql.Rows, error) {
	arg, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	return q(ctx, string(arg))
}
