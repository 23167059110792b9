package vulndb

import (
	"context"
	"errors"
	"fmt"

	"github.com/assayhq/assay/advisory"
)

// Vulnerability is one alias group with everything known about it: the
// stored advisories, the best severity, and KEV and EPSS data for its
// CVEs.
type Vulnerability struct {
	Key        string               `json:"key"`
	IDs        []string             `json:"ids"`
	Advisories []*advisory.Advisory `json:"advisories"`
	Severity   *advisory.Score      `json:"severity"`
	KEV        []*KEVEntry          `json:"kev"`
	EPSS       []EPSSScore          `json:"epss"`
}

// Lookup returns the alias group of id with its advisories and
// enrichment. It fails with ErrNotFound when no stored advisory belongs to
// the group.
func (db *DB) Lookup(ctx context.Context, id string) (*Vulnerability, error) {
	key, members, err := db.Group(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &Vulnerability{Key: key, IDs: members}
	for _, m := range members {
		a, err := db.Advisory(ctx, m)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		v.Advisories = append(v.Advisories, a)
	}
	if len(v.Advisories) == 0 {
		return nil, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	if err := db.enrich(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// enrich fills in severity, KEV and EPSS. The severity is the best CVSS
// score among the group's advisories and the NVD records of its CVEs
// (including CVEs a distribution advisory names as upstream).
func (db *DB) enrich(ctx context.Context, v *Vulnerability) error {
	var scores []advisory.Score
	cves := map[string]bool{}
	var order []string
	for _, a := range v.Advisories {
		scores = append(scores, advisory.Scores(a.Severity)...)
		for _, af := range a.Affected {
			scores = append(scores, advisory.Scores(af.Severity)...)
		}
		for _, c := range a.CVEs() {
			if !cves[c] {
				cves[c] = true
				order = append(order, c)
			}
		}
	}
	for _, c := range order {
		if !inGroup(v, c) {
			// An upstream CVE outside the group: take its NVD scores.
			if a, err := db.Advisory(ctx, c); err == nil {
				scores = append(scores, advisory.Scores(a.Severity)...)
			}
		}
		k, err := db.KEV(ctx, c)
		if err != nil {
			return err
		}
		if k != nil {
			v.KEV = append(v.KEV, k)
		}
		e, err := db.EPSS(ctx, c)
		if err != nil {
			return err
		}
		if e != nil {
			v.EPSS = append(v.EPSS, *e)
		}
	}
	if best, ok := advisory.Best(scores); ok {
		v.Severity = &best
	}
	return nil
}

func inGroup(v *Vulnerability, id string) bool {
	for _, a := range v.Advisories {
		if a.ID == id {
			return true
		}
	}
	return false
}
