// Package match decides which advisories affect a component. It follows
// the OSV schema's rules exactly (introduced / fixed / last_affected /
// limit events, explicit versions, ECOSYSTEM and SEMVER ranges, withdrawn
// records never reported), matches distribution packages by their source
// package, honours Go advisories limited to a platform, and falls back to
// NVD CPE configurations only for components without package-manager
// coverage. Each finding says which identifier, advisory and rule
// produced it.
package match

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/assayhq/assay/advisory"
	"github.com/assayhq/assay/vulndb"
)

// Package is what matching needs to know about one component.
type Package struct {
	Name          string
	Version       string
	Ecosystem     string // OSV ecosystem ("Go", "PyPI", "Debian:12", …); empty when unknown
	PURL          string
	SourceName    string   // distribution source package, when known
	SourceVersion string   // its version, when it differs
	CPEs          []string // CPE 2.3 names, for components without package-manager coverage
	GOOS, GOARCH  string   // platform of a Go binary
}

// Evidence explains a finding: the identifier that matched, the advisory
// that matched it and the rule.
type Evidence struct {
	By         string `json:"by"`         // "purl" (package ecosystem and name) or "cpe"
	Identifier string `json:"identifier"` // the purl, "ecosystem/name", or the CPE
	Advisory   string `json:"advisory"`   // the advisory ID whose data matched
	Rule       string `json:"rule"`       // e.g. "introduced 0, fixed 1.2.3"
}

// Finding is one vulnerability (alias group) affecting one component.
type Finding struct {
	ID       string            // the matched advisory's ID
	Aliases  []string          // every other ID of the alias group
	Summary  string            // one line
	Package  Package           // the component
	Severity *advisory.Score   // best available CVSS, nil when none
	KEV      *vulndb.KEVEntry  // CISA KEV entry of any CVE in the group
	EPSS     *vulndb.EPSSScore // highest EPSS among the group's CVEs
	Fixed    []string          // versions that fix it, from the matched entries
	Match    Evidence          // why it matched
	Upstream []string          // upstream IDs (distribution advisories)
}

// Coverage says whether a component could be assessed, and if not, why.
type Coverage struct {
	Assessed bool
	Reason   string
}

// DB is the advisory data matching reads (vulndb.DB implements it).
type DB interface {
	Affecting(ctx context.Context, ecosystem, name string) ([]vulndb.PackageAdvisory, error)
	// Briefs returns the briefs of ids' alias groups, by ID; an ID with
	// no stored advisory is absent.
	Briefs(ctx context.Context, ids []string) (map[string]*vulndb.Brief, error)
	Advisory(ctx context.Context, id string) (*advisory.Advisory, error)
	CPECandidates(ctx context.Context, vendor, product string) ([]string, error)
	// HeavyPackages returns how many advisories name each of pkgs
	// (ecosystem and name) that many advisories name; the others are
	// absent. Matching those takes longest, so MatchEach starts with them.
	HeavyPackages(ctx context.Context, pkgs [][2]string) (map[[2]string]int, error)
}

// Matcher matches components against an advisory database. It caches
// query results (inventories list the same package many times, and many
// packages share advisories). It is safe for concurrent use.
type Matcher struct {
	db         DB
	ecosystems map[string]bool // ecosystems the database has data for
	hasCPE     bool            // the database holds NVD CPE configurations
	// CPEForPURL also CPE-matches components that have package-manager
	// coverage (off by default: CPE matching of language packages is
	// notoriously imprecise).
	CPEForPURL bool
	// Workers bounds how many packages MatchAll matches at once; zero
	// means min(GOMAXPROCS, 4).
	Workers int

	mu        sync.Mutex // guards the caches
	affecting map[[2]string][]compiledAdvisory
	vulns     map[string]*vuln
}

// vuln is a cached alias group, as looked up by one of its IDs.
type vuln struct {
	*vulndb.Brief
	// aliases returns the group's IDs other than the one looked up, made
	// on first use and shared by its findings: made for every advisory
	// looked up, a group of n IDs reached from m advisories cost n × m
	// strings.
	aliases func() []string
}

// New returns a Matcher over db; ecosystems lists the ecosystems the
// database has advisories for and hasCPE whether it has NVD CPE data (both
// from the database's status), so that missing coverage is reported
// instead of silently producing no findings.
func New(db DB, ecosystems []string, hasCPE bool) *Matcher {
	m := &Matcher{db: db, ecosystems: map[string]bool{}, hasCPE: hasCPE,
		affecting: map[[2]string][]compiledAdvisory{}, vulns: map[string]*vuln{}}
	for _, e := range ecosystems {
		m.ecosystems[e] = true
	}
	return m
}

// Result is the outcome of matching one package.
type Result struct {
	Findings []Finding
	Coverage Coverage
}

// MatchAll matches every package; the i-th result is pkgs[i]'s, exactly
// what Match returns for it (see MatchEach).
func (m *Matcher) MatchAll(ctx context.Context, pkgs []Package) ([]Result, error) {
	out := make([]Result, len(pkgs))
	err := m.MatchEach(ctx, pkgs, func(i int, fs []Finding, cov Coverage) error {
		out[i] = Result{fs, cov}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MatchEach matches every package and calls fn with the index of the
// package and what Match returns for it, once per package, in no
// particular order and from several goroutines at once (up to Workers);
// an error from fn stops the matching. Packages with the same ecosystem
// and name are matched one after another by the same worker, which
// looks the name up once and keeps it only while it is needed, so memory
// does not grow with the number of distinct packages.
func (m *Matcher) MatchEach(ctx context.Context, pkgs []Package, fn func(i int, fs []Finding, cov Coverage) error) error {
	order := make([]int32, len(pkgs))
	for i := range order {
		order[i] = int32(i)
	}
	weight, err := m.weights(ctx, pkgs)
	if err != nil {
		return err
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		pa, pb := &pkgs[a], &pkgs[b]
		if c := weight[b] - weight[a]; c != 0 {
			return c
		}
		if c := strings.Compare(pa.Ecosystem, pb.Ecosystem); c != 0 {
			return c
		}
		return strings.Compare(pa.Name, pb.Name)
	})
	workers := m.Workers
	if workers <= 0 {
		workers = min(runtime.GOMAXPROCS(0), 4)
	}
	// Batches of up to 64 packages, never splitting a name, and small
	// enough to keep every worker busy: a Go binary's few dozen modules in
	// one batch left the second worker idle while the first matched them
	// all (a scan of yq: 12.0 → 11.2 ms). A heavy package is a batch of
	// its own (with its duplicates), first: the Go standard library,
	// sorted last, was the last to start.
	size := min(64, max(1, len(order)/(4*workers)))
	var batches [][]int32
	for lo := 0; lo < len(order); {
		hi := min(lo+size, len(order))
		if weight[order[lo]] > 0 {
			hi = lo + 1
		}
		for hi < len(order) && samePackage(&pkgs[order[hi-1]], &pkgs[order[hi]]) {
			hi++
		}
		batches = append(batches, order[lo:hi])
		lo = hi
	}
	workers = max(1, min(workers, len(batches)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan []int32)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			last := &lastPackage{}
			for batch := range next {
				for _, i := range batch {
					fs, cov, err := m.match(ctx, pkgs[i], last)
					if err == nil {
						err = fn(int(i), fs, cov)
					}
					if err != nil {
						errs[w] = err
						cancel()
						return
					}
				}
			}
		})
	}
feed:
	for _, b := range batches {
		select {
		case next <- b:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ctx.Err()
}

// maxWeighed is how many distinct packages MatchEach looks up in the
// database's list of heavy packages: starting with them shortens small
// matches (a Go binary's, where the standard library takes as long as
// all its modules together); in large ones, they hardly matter.
const maxWeighed = 256

// weights returns the number of advisories naming each of pkgs that many
// advisories name (see DB.HeavyPackages), by index; zero for the others
// and for every package of inputs of more than maxWeighed names.
func (m *Matcher) weights(ctx context.Context, pkgs []Package) ([]int, error) {
	weight := make([]int, len(pkgs))
	seen := map[[2]string]bool{}
	var keys [][2]string
	for _, p := range pkgs {
		if k := [2]string{p.Ecosystem, p.Name}; m.ecosystems[p.Ecosystem] && p.Version != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
			if len(keys) > maxWeighed {
				return weight, nil
			}
		}
	}
	heavy, err := m.db.HeavyPackages(ctx, keys)
	if err != nil || len(heavy) == 0 {
		return weight, err
	}
	for i, p := range pkgs {
		weight[i] = heavy[[2]string{p.Ecosystem, p.Name}]
	}
	return weight, nil
}

// lastPackage is one MatchEach worker's most recent package lookup.
type lastPackage struct {
	key [2]string
	cas []compiledAdvisory
	ok  bool
}

func samePackage(a, b *Package) bool { return a.Ecosystem == b.Ecosystem && a.Name == b.Name }

// Match returns the findings for one component, ordered by ID, and
// whether it could be assessed.
func (m *Matcher) Match(ctx context.Context, p Package) ([]Finding, Coverage, error) {
	return m.match(ctx, p, nil)
}

// match is Match; last, when not nil, holds the worker's previous lookup
// of a package by its own name, used instead of the shared cache.
func (m *Matcher) match(ctx context.Context, p Package, last *lastPackage) ([]Finding, Coverage, error) {
	cov := m.coverage(p)
	if !cov.Assessed {
		return nil, cov, nil
	}
	var hits []hit
	if m.ecosystems[p.Ecosystem] && p.Version != "" {
		h, err := m.matchPackage(ctx, p, last)
		if err != nil {
			return nil, cov, err
		}
		hits = append(hits, h...)
	}
	if len(p.CPEs) > 0 && m.hasCPE && (!m.ecosystems[p.Ecosystem] || m.CPEForPURL) {
		h, err := m.matchCPE(ctx, p)
		if err != nil {
			return nil, cov, err
		}
		hits = append(hits, h...)
	}
	findings, err := m.group(ctx, p, hits)
	return findings, cov, err
}

func (m *Matcher) coverage(p Package) Coverage {
	switch {
	case p.Version == "":
		return Coverage{false, "no version"}
	case m.ecosystems[p.Ecosystem]:
		return Coverage{true, ""}
	case len(p.CPEs) > 0 && m.hasCPE:
		return Coverage{true, ""}
	case len(p.CPEs) > 0:
		return Coverage{false, "only CPE identifiers, and the database has no NVD CPE data"}
	case p.Ecosystem == "":
		return Coverage{false, "unknown package type (no ecosystem, no CPE)"}
	default:
		return Coverage{false, fmt.Sprintf("no advisory data for ecosystem %s", p.Ecosystem)}
	}
}

// hit is one advisory entry that matched.
type hit struct {
	id       string
	evidence Evidence
	fixed    []string
}

// matchPackage queries by package name, and by source package name for
// distribution packages.
func (m *Matcher) matchPackage(ctx context.Context, p Package, last *lastPackage) ([]hit, error) {
	type nameQuery struct {
		name string
		v    *query
	}
	queries := []nameQuery{{p.Name, &query{ecosystem: p.Ecosystem, raw: p.Version}}}
	if p.SourceName != "" && p.SourceName != p.Name {
		v := p.SourceVersion
		if v == "" {
			v = p.Version
		}
		queries = append(queries, nameQuery{p.SourceName, &query{ecosystem: p.Ecosystem, raw: v}})
	}
	ident := p.PURL
	if ident == "" {
		ident = p.Ecosystem + "/" + p.Name
	}
	var hits []hit
	var seen map[string]bool
	for _, q := range queries {
		var pas []compiledAdvisory
		var err error
		if k := [2]string{p.Ecosystem, q.name}; last != nil && q.name == p.Name {
			if !last.ok || last.key != k {
				*last = lastPackage{}
				if last.cas, err = m.compiledAffecting(ctx, p.Ecosystem, q.name); err == nil {
					last.key, last.ok = k, true
				}
			}
			pas = last.cas
		} else {
			pas, err = m.cachedAffecting(ctx, p.Ecosystem, q.name)
		}
		if err != nil {
			return nil, err
		}
		for _, pa := range pas {
			if pa.Withdrawn || seen[pa.ID] {
				continue
			}
			for _, e := range pa.entries {
				rule, ok := e.affects(q.v)
				if !ok || !platformsApply(e.platforms, p) {
					continue
				}
				if seen == nil {
					seen = map[string]bool{}
				}
				seen[pa.ID] = true
				if q.name != p.Name {
					rule = fmt.Sprintf("source package %s %s: %s", q.name, q.v.raw, rule)
				}
				hits = append(hits, hit{id: pa.ID, evidence: Evidence{By: "purl", Identifier: ident, Advisory: pa.ID, Rule: rule}, fixed: e.fixed})
				break
			}
		}
	}
	return hits, nil
}

// platformApplies reports whether a Go advisory entry limited to some
// platforms (ecosystem_specific.imports[].goos/goarch) can affect a
// binary built for p's platform. Entries without platform limits, and
// components whose platform is unknown, always apply.
func platformApplies(af advisory.Affected, p Package) bool {
	return platformsApply(func() []platform { return platformsOf(af) }, p)
}

// platformsOf returns the platform limits of a Go advisory entry, nil
// when it has none (or they do not decode).
func platformsOf(af advisory.Affected) []platform {
	if len(af.EcosystemSpecific) == 0 || advisory.BaseEcosystem(af.Package.Ecosystem) != "Go" {
		return nil
	}
	// Most entries list symbols only: skip decoding those. (JSON keys
	// match fields case-insensitively, and may be written with \u escapes.)
	if es := bytes.ToLower(af.EcosystemSpecific); !bytes.Contains(es, []byte(`"goos"`)) &&
		!bytes.Contains(es, []byte(`"goarch"`)) && !bytes.Contains(es, []byte(`\u`)) {
		return nil
	}
	var es struct {
		Imports []struct {
			GOOS   []string `json:"goos"`
			GOARCH []string `json:"goarch"`
		} `json:"imports"`
	}
	if json.Unmarshal(af.EcosystemSpecific, &es) != nil {
		return nil
	}
	var out []platform
	for _, imp := range es.Imports {
		out = append(out, platform{imp.GOOS, imp.GOARCH})
	}
	return out
}

// platformsApply reports whether p's platform is among the limits ps
// returns; ps is called only when p's platform is known.
func platformsApply(ps func() []platform, p Package) bool {
	if p.GOOS == "" {
		return true
	}
	limits := ps()
	if len(limits) == 0 {
		return true
	}
	for _, pl := range limits {
		if (len(pl.goos) == 0 || slices.Contains(pl.goos, p.GOOS)) &&
			(len(pl.goarch) == 0 || p.GOARCH == "" || slices.Contains(pl.goarch, p.GOARCH)) {
			return true
		}
	}
	return false
}

func fixedVersions(af advisory.Affected) []string {
	var out []string
	var set map[string]bool
	for _, r := range af.Ranges {
		for _, e := range r.Events {
			if e.Fixed != "" {
				out, set = appendNew(out, set, e.Fixed)
			}
		}
	}
	return out
}

// appendNew appends x to list unless list holds it. Once list is long,
// set (made then, and returned for the next call) holds list's elements,
// so that n appends cost O(n), not O(n²): an advisory with 40,000 fixed
// events took 1.7 s to match.
func appendNew(list []string, set map[string]bool, x string) ([]string, map[string]bool) {
	if set == nil {
		if len(list) < 16 {
			if !slices.Contains(list, x) {
				list = append(list, x)
			}
			return list, nil
		}
		set = make(map[string]bool, 2*len(list))
		for _, y := range list {
			set[y] = true
		}
	}
	if !set[x] {
		set[x] = true
		list = append(list, x)
	}
	return list, set
}

// group merges hits of one alias group into one finding each and enriches
// it with severity, KEV and EPSS.
func (m *Matcher) group(ctx context.Context, p Package, hits []hit) ([]Finding, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	vulns, err := m.lookup(ctx, hits)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*Finding{}
	fixedSet := map[string]map[string]bool{} // by key, for appendNew
	var keys []string
	for _, h := range hits {
		v := vulns[h.id]
		if f, ok := byKey[v.Key]; ok {
			set := fixedSet[v.Key]
			for _, x := range h.fixed {
				f.Fixed, set = appendNew(f.Fixed, set, x) // h.fixed is clipped: this copies
			}
			fixedSet[v.Key] = set
			continue
		}
		f := &Finding{ID: h.id, Package: p, Severity: v.Severity, Fixed: slices.Clip(h.fixed), Match: h.evidence, Aliases: v.aliases()}
		f.Summary, f.Upstream = v.Summary[h.id], v.Upstream[h.id]
		if len(v.KEV) > 0 {
			f.KEV = v.KEV[0]
		}
		for i := range v.EPSS {
			if f.EPSS == nil || v.EPSS[i].Score > f.EPSS.Score {
				f.EPSS = &v.EPSS[i]
			}
		}
		byKey[v.Key] = f
		keys = append(keys, v.Key)
	}
	out := make([]Finding, 0, len(keys))
	for _, k := range keys {
		out = append(out, *byKey[k])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// maxCachedPackages bounds the per-package query cache.
const maxCachedPackages = 8192

// compiledAdvisory is a package's affected entries in one advisory, with
// their ranges parsed.
type compiledAdvisory struct {
	vulndb.PackageAdvisory
	entries []*entry
}

func (m *Matcher) cachedAffecting(ctx context.Context, eco, name string) ([]compiledAdvisory, error) {
	k := [2]string{eco, name}
	m.mu.Lock()
	cas, ok := m.affecting[k]
	m.mu.Unlock()
	if ok {
		return cas, nil
	}
	cas, err := m.compiledAffecting(ctx, eco, name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.affecting) >= maxCachedPackages {
		clear(m.affecting)
	}
	m.affecting[k] = cas
	return cas, nil
}

// compiledAffecting queries the advisories naming a package and compiles
// their entries.
func (m *Matcher) compiledAffecting(ctx context.Context, eco, name string) ([]compiledAdvisory, error) {
	pas, err := m.db.Affecting(ctx, eco, name)
	if err != nil {
		return nil, err
	}
	cas := make([]compiledAdvisory, 0, len(pas))
	bounds := versionCache{} // the advisories are all for eco
	for _, pa := range pas {
		ca := compiledAdvisory{PackageAdvisory: pa}
		if !pa.Withdrawn {
			for _, af := range pa.Affected {
				ca.entries = append(ca.entries, compile(af, eco, bounds))
			}
		}
		cas = append(cas, ca)
	}
	return cas, nil
}

// lookup returns the alias groups of the hits' advisories, with
// enrichment, by advisory ID. It reads those not cached yet with one
// Briefs call and caches them.
func (m *Matcher) lookup(ctx context.Context, hits []hit) (map[string]*vuln, error) {
	vulns := make(map[string]*vuln, len(hits))
	var missing []string
	m.mu.Lock()
	for _, h := range hits {
		if _, done := vulns[h.id]; !done {
			v := m.vulns[h.id]
			if v == nil {
				missing = append(missing, h.id)
			}
			vulns[h.id] = v
		}
	}
	m.mu.Unlock()
	if len(missing) == 0 {
		return vulns, nil
	}
	bs, err := m.db.Briefs(ctx, missing)
	if err != nil {
		return nil, fmt.Errorf("look up %d advisories: %w", len(missing), err)
	}
	for _, id := range missing {
		b := bs[id]
		if b == nil {
			return nil, fmt.Errorf("look up %s: %w", id, vulndb.ErrNotFound)
		}
		vulns[id] = &vuln{Brief: b, aliases: sync.OnceValue(func() []string {
			var out []string
			for _, a := range b.IDs {
				if a != id {
					out = append(out, a)
				}
			}
			return out
		})}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range missing {
		m.vulns[id] = vulns[id]
	}
	return vulns, nil
}
