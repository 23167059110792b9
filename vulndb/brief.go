package vulndb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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

// briefMember is what one alias-group member contributes to a brief.
type briefMember struct {
	found    bool // an advisory with this ID is stored
	summary  string
	upstream []string
	scores   []advisory.Score
	enriched bool // kev and epss below are known (read with the group)
	kev      *KEVEntry
	epss     *EPSSScore
}

// Brief returns the brief of id's alias group. One query reads every
// member's brief columns (from the advisories_brief index when the
// snapshot has it), KEV entry and EPSS score; only upstream CVEs outside
// the group are looked up one by one.
func (db *DB) Brief(ctx context.Context, id string) (*Brief, error) {
	key, members, data, err := db.briefGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	b := &Brief{Key: key, IDs: members, Summary: map[string]string{}, Upstream: map[string][]string{}}
	var scores []advisory.Score
	cves := map[string]bool{}
	var order []string
	addCVE := func(c string) {
		if strings.HasPrefix(c, "CVE-") && !cves[c] {
			cves[c] = true
			order = append(order, c)
		}
	}
	for _, m := range members {
		addCVE(m)
		d := data[m]
		if !d.found {
			continue
		}
		b.Summary[m], b.Upstream[m] = d.summary, d.upstream
		scores = append(scores, d.scores...)
		for _, u := range d.upstream {
			addCVE(u)
		}
	}
	if len(b.Summary) == 0 {
		return nil, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	for _, c := range order {
		d, member := data[c]
		if !member {
			// An upstream CVE outside the group: take its NVD scores.
			if _, _, sc, ok, err := db.briefRow(ctx, c); err != nil {
				return nil, err
			} else if ok {
				scores = append(scores, sc...)
			}
		}
		if !d.enriched {
			if d.kev, err = db.KEV(ctx, c); err != nil {
				return nil, err
			}
			if d.epss, err = db.EPSS(ctx, c); err != nil {
				return nil, err
			}
		}
		if d.kev != nil {
			b.KEV = append(b.KEV, d.kev)
		}
		if d.epss != nil {
			b.EPSS = append(b.EPSS, *d.epss)
		}
	}
	if best, ok := advisory.Best(scores); ok {
		b.Severity = &best
	}
	return b, nil
}

// briefGroup reads id's alias group: its key, its members (sorted) and
// what each contributes. An ID in no group forms a group of its own.
func (db *DB) briefGroup(ctx context.Context, id string) (key string, members []string, data map[string]briefMember, err error) {
	rows, err := db.briefs.QueryContext(ctx, id)
	if err != nil {
		return "", nil, nil, fmt.Errorf("group of %s: %w", id, err)
	}
	defer rows.Close()
	data = map[string]briefMember{}
	for rows.Next() {
		var (
			m                briefMember
			member, up       sql.NullString
			summary          sql.NullString
			scores, kev      []byte
			epss, percentile sql.NullFloat64
		)
		if err := rows.Scan(&key, &member, &summary, &up, &scores, &kev, &epss, &percentile); err != nil {
			return "", nil, nil, fmt.Errorf("group of %s: %w", id, err)
		}
		m.enriched = true
		if summary.Valid {
			m.found, m.summary, m.upstream = true, summary.String, strings.Fields(up.String)
			if err := json.Unmarshal(scores, &m.scores); err != nil {
				return "", nil, nil, fmt.Errorf("advisory %s: scores: %w", member.String, err)
			}
		}
		if kev != nil {
			if m.kev, err = decodeKEV(member.String, kev); err != nil {
				return "", nil, nil, err
			}
		}
		if epss.Valid {
			m.epss = &EPSSScore{CVE: member.String, Score: epss.Float64, Percentile: percentile.Float64}
		}
		members = append(members, member.String)
		data[member.String] = m
	}
	if err := rows.Err(); err != nil {
		return "", nil, nil, fmt.Errorf("group of %s: %w", id, err)
	}
	if len(members) > 0 {
		advisory.SortIDs(members)
		return key, members, data, nil
	}
	var m briefMember
	if m.summary, m.upstream, m.scores, m.found, err = db.briefRow(ctx, id); err != nil {
		return "", nil, nil, err
	}
	data[id] = m
	return id, []string{id}, data, nil
}

func (db *DB) briefRow(ctx context.Context, id string) (summary string, upstream []string, scores []advisory.Score, ok bool, err error) {
	var up string
	var sc []byte
	err = db.brief.QueryRowContext(ctx, id).Scan(&summary, &up, &sc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, nil, false, nil
	}
	if err != nil {
		return "", nil, nil, false, fmt.Errorf("advisory %s: %w", id, err)
	}
	if err := json.Unmarshal(sc, &scores); err != nil {
		return "", nil, nil, false, fmt.Errorf("advisory %s: scores: %w", id, err)
	}
	return summary, strings.Fields(up), scores, true, nil
}
