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

// Brief returns the brief of id's alias group.
func (db *DB) Brief(ctx context.Context, id string) (*Brief, error) {
	key, members, err := db.Group(ctx, id)
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
		sum, up, sc, ok, err := db.briefRow(ctx, m)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		b.Summary[m], b.Upstream[m] = sum, up
		scores = append(scores, sc...)
		for _, u := range up {
			addCVE(u)
		}
	}
	if len(b.Summary) == 0 {
		return nil, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	for _, c := range order {
		if _, inGroup := b.Summary[c]; !inGroup {
			// An upstream CVE outside the group: take its NVD scores.
			if _, _, sc, ok, err := db.briefRow(ctx, c); err != nil {
				return nil, err
			} else if ok {
				scores = append(scores, sc...)
			}
		}
		k, err := db.KEV(ctx, c)
		if err != nil {
			return nil, err
		}
		if k != nil {
			b.KEV = append(b.KEV, k)
		}
		e, err := db.EPSS(ctx, c)
		if err != nil {
			return nil, err
		}
		if e != nil {
			b.EPSS = append(b.EPSS, *e)
		}
	}
	if best, ok := advisory.Best(scores); ok {
		b.Severity = &best
	}
	return b, nil
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
