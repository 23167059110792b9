package vulndb

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/assayhq/assay/advisory"
	"github.com/assayhq/assay/internal/lazyre"
)

// alpineDB is one Alpine secdb file (v3.N/main.json, v3.N/community.json).
type alpineDB struct {
	DistroVersion string `json:"distroversion"`
	RepoName      string `json:"reponame"`
	Packages      []struct {
		Pkg struct {
			Name     string              `json:"name"`
			Secfixes map[string][]string `json:"secfixes"`
		} `json:"pkg"`
	} `json:"packages"`
}

var (
	alpineReleaseRE = lazyre.New(`^v\d+\.\d+$`)
	vulnIDRE        = lazyre.New(`^[A-Z][A-Za-z0-9]*-[A-Za-z0-9._:-]+$`)
)

// alpineMerger builds one advisory per vulnerability ID ("ALPINE-CVE-…")
// from any number of secdb files, with one affected entry per (release,
// package, fixed version).
type alpineMerger struct {
	byID map[string]*advisory.Advisory
}

// add reads one secdb file. Malformed package entries are skipped and
// counted; it returns the number of package entries read.
func (m *alpineMerger) add(r io.Reader, file string, s sink) (int, error) {
	var db alpineDB
	dec := json.NewDecoder(io.LimitReader(r, 256<<20))
	if err := dec.Decode(&db); err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	if !alpineReleaseRE().MatchString(db.DistroVersion) {
		return 0, fmt.Errorf("%s: distroversion %q is not v<major>.<minor>", file, trunc(db.DistroVersion, 20))
	}
	if m.byID == nil {
		m.byID = map[string]*advisory.Advisory{}
	}
	eco := "Alpine:" + db.DistroVersion
	for i, p := range db.Packages {
		rec := fmt.Sprintf("%s packages[%d]", file, i)
		if p.Pkg.Name == "" {
			s.skip(rec, "package has no name")
			continue
		}
		versions := make([]string, 0, len(p.Pkg.Secfixes))
		for v := range p.Pkg.Secfixes {
			versions = append(versions, v)
		}
		sort.Strings(versions)
		for _, fixed := range versions {
			for _, entry := range p.Pkg.Secfixes[fixed] {
				m.addFix(eco, p.Pkg.Name, fixed, entry, rec, s)
			}
		}
	}
	return len(db.Packages), nil
}

func (m *alpineMerger) addFix(eco, pkg, fixed, entry, rec string, s sink) {
	fields := strings.Fields(entry)
	if len(fields) == 0 || !vulnIDRE().MatchString(fields[0]) {
		s.skip(rec, fmt.Sprintf("secfix %q: not a vulnerability ID", trunc(entry, 60)))
		return
	}
	id := fields[0]
	events := []advisory.Event{{Introduced: "0"}, {Fixed: fixed}}
	if fixed == "0" {
		return // "0" means the package was never affected
	}
	a := m.byID["ALPINE-"+id]
	if a == nil {
		a = &advisory.Advisory{ID: "ALPINE-" + id, Aliases: []string{id}, DatabaseSpecific: json.RawMessage(`{"source":"alpine-secdb"}`)}
		m.byID[a.ID] = a
	}
	a.Affected = append(a.Affected, advisory.Affected{
		Package: advisory.Package{Ecosystem: eco, Name: pkg},
		Ranges:  []advisory.Range{{Type: "ECOSYSTEM", Events: events}},
	})
}

// emit sends the merged advisories, in ID order, with modified set to
// the feed's time.
func (m *alpineMerger) emit(modified string, s sink) error {
	ids := make([]string, 0, len(m.byID))
	for id := range m.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := m.byID[id]
		a.Modified = modified
		if err := a.Validate(); err != nil {
			s.skip(id, err.Error())
			continue
		}
		if err := emit(s, a); err != nil {
			return err
		}
	}
	return nil
}
