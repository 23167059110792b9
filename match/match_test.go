package match

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/assayhq/assay/advisory"
	"github.com/assayhq/assay/internal/vulndbtest"
	"github.com/assayhq/assay/vulndb"
)

func ev(kv ...string) []advisory.Event {
	var out []advisory.Event
	for i := 0; i < len(kv); i += 2 {
		switch kv[i] {
		case "i":
			out = append(out, advisory.Event{Introduced: kv[i+1]})
		case "f":
			out = append(out, advisory.Event{Fixed: kv[i+1]})
		case "l":
			out = append(out, advisory.Event{LastAffected: kv[i+1]})
		case "x":
			out = append(out, advisory.Event{Limit: kv[i+1]})
		}
	}
	return out
}

func TestAffects(t *testing.T) {
	rng := func(typ string, events []advisory.Event) advisory.Affected {
		return advisory.Affected{Ranges: []advisory.Range{{Type: typ, Events: events}}}
	}
	tests := []struct {
		name     string
		af       advisory.Affected
		eco, v   string
		want     bool
		wantRule string
	}{
		{"below fix", rng("SEMVER", ev("i", "0", "f", "1.19.10")), "Go", "1.19.9", true, "introduced 0, fixed 1.19.10"},
		{"at fix", rng("SEMVER", ev("i", "0", "f", "1.19.10")), "Go", "1.19.10", false, ""},
		{"go v prefix", rng("SEMVER", ev("i", "0", "f", "1.2.3")), "Go", "v1.2.2", true, "introduced 0, fixed 1.2.3"},
		{"second interval", rng("SEMVER", ev("i", "0", "f", "1.19.10", "i", "1.20.0-0", "f", "1.20.5")), "Go", "1.20.4", true, "introduced 1.20.0-0, fixed 1.20.5"},
		{"between intervals", rng("SEMVER", ev("i", "0", "f", "1.19.10", "i", "1.20.0-0", "f", "1.20.5")), "Go", "1.19.11", false, ""},
		{"unsorted events", rng("SEMVER", ev("i", "1.20.0-0", "f", "1.20.5", "i", "0", "f", "1.19.10")), "Go", "1.19.3", true, "introduced 0, fixed 1.19.10"},
		{"last_affected inclusive", rng("ECOSYSTEM", ev("i", "1.0", "l", "1.4")), "PyPI", "1.4", true, "introduced 1.0, last_affected 1.4"},
		{"after last_affected", rng("ECOSYSTEM", ev("i", "1.0", "l", "1.4")), "PyPI", "1.4.1", false, ""},
		{"before introduced", rng("ECOSYSTEM", ev("i", "2.0", "f", "2.5")), "PyPI", "1.9", false, ""},
		{"no fix", rng("ECOSYSTEM", ev("i", "2.0")), "crates.io", "9.9.9", true, "introduced 2.0, no fix"},
		{"limit", rng("SEMVER", ev("i", "0", "x", "2.0.0")), "npm", "2.1.0", false, ""},
		{"pep440 pre-release", rng("ECOSYSTEM", ev("i", "0", "f", "2.0")), "PyPI", "2.0rc1", true, "introduced 0, fixed 2.0"},
		{"debian epoch", rng("ECOSYSTEM", ev("i", "0", "f", "2:1.20.11-1+deb11u6")), "Debian:11", "2:1.20.11-1+deb11u5", true, "introduced 0, fixed 2:1.20.11-1+deb11u6"},
		{"debian epoch beats version", rng("ECOSYSTEM", ev("i", "0", "f", "2:1.20.11-1+deb11u6")), "Debian:11", "3:0.1", false, ""},
		{"rpm release", rng("ECOSYSTEM", ev("i", "0", "f", "1.0.9-1.el9")), "AlmaLinux:9", "1.0.8-3.el9", true, "introduced 0, fixed 1.0.9-1.el9"},
		{"alpine revision", rng("ECOSYSTEM", ev("i", "0", "f", "2.9.3-r0")), "Alpine:v3.11", "2.9.2-r10", true, "introduced 0, fixed 2.9.3-r0"},
		{"maven qualifier", rng("ECOSYSTEM", ev("i", "0", "f", "2.15.0")), "Maven", "2.15.0-SNAPSHOT", true, "introduced 0, fixed 2.15.0"},
		{"git range ignored", rng("GIT", ev("i", "abc", "f", "def")), "OSS-Fuzz", "1.0", false, ""},
		{"explicit versions", advisory.Affected{Versions: []string{"1.0", "1.1"}}, "OSS-Fuzz", "1.1", true, "version 1.1 listed as affected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule, ok := Affects(tt.af, tt.eco, tt.v)
			if ok != tt.want || rule != tt.wantRule {
				t.Errorf("Affects(%s %s) = %q %v, want %q %v", tt.eco, tt.v, rule, ok, tt.wantRule, tt.want)
			}
		})
	}
}

func TestPlatformApplies(t *testing.T) {
	for _, tt := range []struct {
		es        string
		onLinux   bool // applies to a linux/amd64 binary
		onWindows bool
	}{
		{`{"imports":[{"path":"os","goos":["windows"]}]}`, false, true},
		{`{"imports":[{"path":"os","GOOS":["windows"]}]}`, false, true},
		{`{"imports":[{"path":"os","\u0067oos":["windows"]}]}`, false, true},
		{`{"imports":[{"path":"os","goarch":["386"]}]}`, false, false},
		{`{"imports":[{"path":"os","symbols":["Open"]}]}`, true, true},
		{`{"imports":[{"path":"os","goos":["linux"]},{"path":"syscall","goos":["windows"]}]}`, true, true},
		{`not json`, true, true},
	} {
		af := advisory.Affected{
			Package:           advisory.Package{Ecosystem: "Go", Name: "stdlib"},
			EcosystemSpecific: []byte(tt.es),
		}
		if got := platformApplies(af, Package{GOOS: "linux", GOARCH: "amd64"}); got != tt.onLinux {
			t.Errorf("%s: applies to linux/amd64 = %v, want %v", tt.es, got, tt.onLinux)
		}
		if got := platformApplies(af, Package{GOOS: "windows", GOARCH: "amd64"}); got != tt.onWindows {
			t.Errorf("%s: applies to windows/amd64 = %v, want %v", tt.es, got, tt.onWindows)
		}
		if !platformApplies(af, Package{}) {
			t.Errorf("%s: not applied to an unknown platform", tt.es)
		}
	}
}

func newTestMatcher(t *testing.T) *Matcher {
	db := vulndbtest.Open(t)
	st, err := db.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ecos []string
	for e := range st.Ecosystems {
		ecos = append(ecos, e)
	}
	return New(db, ecos, st.CPERecords > 0)
}

func findingIDs(fs []Finding) map[string]Finding {
	out := map[string]Finding{}
	for _, f := range fs {
		out[f.ID] = f
	}
	return out
}

func TestMatchRealData(t *testing.T) {
	m := newTestMatcher(t)
	ctx := context.Background()

	t.Run("go stdlib", func(t *testing.T) {
		fs, cov, err := m.Match(ctx, Package{Name: "stdlib", Version: "1.20.4", Ecosystem: "Go", GOOS: "linux", GOARCH: "amd64"})
		if err != nil || !cov.Assessed {
			t.Fatal(err, cov)
		}
		f, ok := findingIDs(fs)["GO-2023-1840"]
		if !ok {
			t.Fatalf("stdlib 1.20.4: GO-2023-1840 not reported (%d findings)", len(fs))
		}
		if f.Match.Rule != "introduced 1.20.0-0, fixed 1.20.5" || f.Aliases[0] != "CVE-2023-29403" || f.Match.By != "purl" {
			t.Errorf("finding %+v", f)
		}
		fixed, _, _ := m.Match(ctx, Package{Name: "stdlib", Version: "1.20.5", Ecosystem: "Go"})
		if _, ok := findingIDs(fixed)["GO-2023-1840"]; ok {
			t.Error("stdlib 1.20.5 reported for GO-2023-1840, fixed in 1.20.5")
		}
	})
	t.Run("go platform-limited advisory", func(t *testing.T) {
		// GO-2022-0969 … find any windows-only stdlib advisory in the data.
		linux, _, _ := m.Match(ctx, Package{Name: "stdlib", Version: "1.17.0", Ecosystem: "Go", GOOS: "linux", GOARCH: "amd64"})
		windows, _, _ := m.Match(ctx, Package{Name: "stdlib", Version: "1.17.0", Ecosystem: "Go", GOOS: "windows", GOARCH: "amd64"})
		if len(windows) <= len(linux) {
			t.Errorf("windows binary: %d findings, linux: %d; windows-only advisories should add to the windows count", len(windows), len(linux))
		}
	})
	t.Run("alpine by source package", func(t *testing.T) {
		fs, _, err := m.Match(ctx, Package{Name: "ansible-doc", SourceName: "ansible", Version: "2.9.2-r0", Ecosystem: "Alpine:v3.11"})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := findingIDs(fs)["ALPINE-CVE-2019-14904"]; !ok {
			t.Errorf("ansible 2.9.2-r0 via its source package: %v", fs)
		}
	})
	t.Run("cpe only component", func(t *testing.T) {
		fs, cov, err := m.Match(ctx, Package{Name: "busybox", Version: "1.35.0", CPEs: []string{"cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"}})
		if err != nil || !cov.Assessed {
			t.Fatal(err, cov)
		}
		f, ok := findingIDs(fs)["CVE-2022-28391"]
		if !ok || f.Match.By != "cpe" {
			t.Fatalf("busybox 1.35.0 by CPE: %+v", fs)
		}
		if f.Severity == nil || f.Severity.Level == "" {
			t.Errorf("no severity for CVE-2022-28391")
		}
	})
	t.Run("coverage", func(t *testing.T) {
		tests := []struct {
			p      Package
			reason string
		}{
			{Package{Name: "left-pad", Version: "1.0.0", Ecosystem: "npm"}, "no advisory data for ecosystem npm"},
			{Package{Name: "x", Ecosystem: "Go"}, "no version"},
			{Package{Name: "blob", Version: "1"}, "unknown package type (no ecosystem, no CPE)"},
		}
		for _, tt := range tests {
			_, cov, err := m.Match(ctx, tt.p)
			if err != nil || cov.Assessed || cov.Reason != tt.reason {
				t.Errorf("%+v: %+v %v, want reason %q", tt.p, cov, err, tt.reason)
			}
		}
	})
}

// TestMatchAll checks that matching many packages at once, in parallel
// and grouped by name, gives each package exactly what Match gives it.
func TestMatchAll(t *testing.T) {
	m := newTestMatcher(t)
	m.Workers = 3
	ctx := context.Background()
	var pkgs []Package
	for _, v := range []string{"1.17.0", "1.20.4", "1.20.5", "1.21.0", "1.19.9", "1.17.0"} {
		pkgs = append(pkgs, Package{Name: "stdlib", Version: v, Ecosystem: "Go", GOOS: "linux", GOARCH: "amd64"},
			Package{Name: "golang.org/x/net", Version: "v0.0.0-20220524220425-1d687d428aca", Ecosystem: "Go"},
			Package{Name: "golang.org/x/text", Version: "v0.3." + v[len(v)-1:], Ecosystem: "Go"})
	}
	pkgs = append(pkgs,
		Package{Name: "ansible-doc", SourceName: "ansible", Version: "2.9.2-r0", Ecosystem: "Alpine:v3.11"},
		Package{Name: "busybox", Version: "1.35.0", CPEs: []string{"cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"}},
		Package{Name: "left-pad", Version: "1.0.0", Ecosystem: "npm"},
		Package{Name: "x", Ecosystem: "Go"})
	got, err := m.MatchAll(ctx, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(pkgs) {
		t.Fatalf("%d results for %d packages", len(got), len(pkgs))
	}
	fresh := newTestMatcher(t)
	total := 0
	for i, p := range pkgs {
		fs, cov, err := fresh.Match(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		total += len(fs)
		if !reflect.DeepEqual(got[i], Result{fs, cov}) {
			t.Errorf("MatchAll[%d] (%s %s) = %+v\nMatch = %+v %+v", i, p.Name, p.Version, got[i], fs, cov)
		}
	}
	if total == 0 {
		t.Error("no findings at all: the test data is not exercising matching")
	}
}

// TestFindingsDoNotShareFixed checks that merging the fixed versions of
// two entries of one alias group never writes into the slice another
// finding holds (entries' fixed lists are shared, read-only).
func TestFindingsDoNotShareFixed(t *testing.T) {
	m := newTestMatcher(t)
	ctx := context.Background()
	a, _, err := m.Match(ctx, Package{Name: "stdlib", Version: "1.17.0", Ecosystem: "Go"})
	if err != nil {
		t.Fatal(err)
	}
	before := map[string][]string{}
	for _, f := range a {
		before[f.ID] = slices.Clone(f.Fixed)
	}
	if _, _, err := m.Match(ctx, Package{Name: "stdlib", Version: "1.18.0", Ecosystem: "Go"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range a {
		if !slices.Equal(f.Fixed, before[f.ID]) {
			t.Errorf("%s: fixed changed from %v to %v by a later match", f.ID, before[f.ID], f.Fixed)
		}
	}
}

// countingDB records the IDs of each Briefs call.
type countingDB struct {
	DB
	mu    sync.Mutex
	calls [][]string
}

func (c *countingDB) Briefs(ctx context.Context, ids []string) (map[string]*vulndb.Brief, error) {
	c.mu.Lock()
	c.calls = append(c.calls, slices.Clone(ids))
	c.mu.Unlock()
	return c.DB.Briefs(ctx, ids)
}

// TestLookupBatches checks that a package's alias groups are read with
// one Briefs call, that IDs already read are never asked for again, and
// that the findings are those of a Matcher without the cache warmed.
func TestLookupBatches(t *testing.T) {
	ctx := context.Background()
	base := newTestMatcher(t)
	ecos := slices.Collect(maps.Keys(base.ecosystems))
	db := &countingDB{DB: base.db}
	m := New(db, ecos, base.hasCPE)
	asked := map[string]bool{}
	tests := []struct {
		version string
		calls   int // Briefs calls the match should make
	}{
		{"1.17.0", 1},
		{"1.17.0", 0}, // all cached
		{"1.21.0", 1}, // the advisories 1.17.0 did not have
		{"1.17.1", 0}, // a subset of 1.17.0's
	}
	for _, tt := range tests {
		p := Package{Name: "stdlib", Version: tt.version, Ecosystem: "Go", GOOS: "linux", GOARCH: "amd64"}
		db.calls = nil
		fs, _, err := m.Match(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) == 0 {
			t.Fatalf("stdlib %s: no findings", tt.version)
		}
		if len(db.calls) != tt.calls {
			t.Errorf("stdlib %s: %d Briefs calls, want %d", tt.version, len(db.calls), tt.calls)
		}
		for _, call := range db.calls {
			for _, id := range call {
				if asked[id] {
					t.Errorf("stdlib %s: %s asked for again", tt.version, id)
				}
				asked[id] = true
			}
		}
		want, _, err := New(base.db, ecos, base.hasCPE).Match(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fs, want) {
			t.Errorf("stdlib %s: findings differ from an unwarmed Matcher's", tt.version)
		}
	}
}

// groupDB is a DB whose advisories all affect one package and all belong
// to one alias group of many IDs, as a hostile advisory naming thousands
// of aliases makes them.
type groupDB struct {
	advisories []vulndb.PackageAdvisory
	brief      *vulndb.Brief
}

func (g groupDB) Affecting(context.Context, string, string) ([]vulndb.PackageAdvisory, error) {
	return g.advisories, nil
}

func (g groupDB) Briefs(_ context.Context, ids []string) (map[string]*vulndb.Brief, error) {
	out := map[string]*vulndb.Brief{}
	for _, id := range ids {
		out[id] = g.brief
	}
	return out, nil
}

func (g groupDB) Advisory(context.Context, string) (*advisory.Advisory, error) {
	return nil, vulndb.ErrNotFound
}

func (g groupDB) CPECandidates(context.Context, string, string) ([]string, error) { return nil, nil }

func (g groupDB) HeavyPackages(context.Context, [][2]string) (map[[2]string]int, error) {
	return nil, nil
}

// TestLargeGroupAliases matches a package that 1,000 advisories of one
// group of 20,000 IDs affect: the finding's aliases must be built once,
// not for every advisory looked up (20 million strings, 660 MB in a scan).
func TestLargeGroupAliases(t *testing.T) {
	const advisories, ids = 1000, 20000
	g := groupDB{brief: &vulndb.Brief{Key: "CVE-2099-0", Summary: map[string]string{}, Upstream: map[string][]string{}}}
	for i := range ids {
		g.brief.IDs = append(g.brief.IDs, fmt.Sprintf("CVE-2099-%d", i))
	}
	for i := range advisories {
		id := g.brief.IDs[i]
		g.brief.Summary[id] = "s"
		g.advisories = append(g.advisories, vulndb.PackageAdvisory{ID: id, Affected: []advisory.Affected{{
			Package: advisory.Package{Ecosystem: "npm", Name: "left-pad"}, Ranges: []advisory.Range{{Type: "SEMVER", Events: ev("i", "0")}}}}})
	}
	m := New(g, []string{"npm"}, false)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fs, _, err := m.Match(context.Background(), Package{Name: "left-pad", Version: "1.3.0", Ecosystem: "npm"})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || len(fs[0].Aliases) != ids-1 {
		t.Fatalf("%d findings, want one with %d aliases", len(fs), ids-1)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("matching allocated %d MiB", alloc>>20)
	}
}

// manyFixed is an affected entry with n fixed events, each named twice.
func manyFixed(n int) advisory.Affected {
	var kv []string
	for i := range 2 * n {
		kv = append(kv, "i", fmt.Sprintf("1.%d.0", i), "f", fmt.Sprintf("1.%d.1", i%n))
	}
	return advisory.Affected{Ranges: []advisory.Range{{Type: "SEMVER", Events: ev(kv...)}}}
}

// TestFixedVersionsLarge checks that an advisory's fixed versions are
// listed once each, in order, and that past a few the duplicate check is
// a set lookup, not a search of the list (40,000 fixed events took 1.7 s
// to match).
func TestFixedVersionsLarge(t *testing.T) {
	const n = 5000
	got := fixedVersions(manyFixed(n))
	if len(got) != n || got[0] != "1.0.1" || got[n-1] != fmt.Sprintf("1.%d.1", n-1) {
		t.Fatalf("%d fixed versions (%.3q ...), want %d in event order", len(got), got[:min(len(got), 3)], n)
	}
	list, set := []string(nil), map[string]bool(nil)
	for _, x := range got[:100] {
		list, set = appendNew(list, set, x)
	}
	if len(list) != 100 || len(set) != 100 {
		t.Errorf("appendNew of 100 distinct versions: list %d, set %d; want both 100", len(list), len(set))
	}
}

func BenchmarkFixedVersionsLarge(b *testing.B) {
	af := manyFixed(20000)
	for b.Loop() {
		fixedVersions(af)
	}
}

// TestListedVersionsSet matches versions against an affected entry
// listing thousands: past a few the list is a set, made once per entry,
// not searched for each version matched.
func TestListedVersionsSet(t *testing.T) {
	var vs []string
	for i := range 5000 {
		vs = append(vs, fmt.Sprintf("1.%d.0", i))
	}
	for _, tt := range []struct {
		versions []string
		eco, v   string
		want     bool
	}{
		{vs, "PyPI", "1.4999.0", true}, {vs, "PyPI", "1.5000.0", false}, {vs, "Go", "v1.17.0", true},
		{vs[:3], "PyPI", "1.2.0", true}, {vs[:3], "Go", "v1.2.0", true}, {vs[:3], "PyPI", "1.3.0", false},
	} {
		e := compile(advisory.Affected{Versions: tt.versions}, tt.eco, nil)
		if _, got := e.affects(&query{ecosystem: tt.eco, raw: tt.v}); got != tt.want {
			t.Errorf("%s %s against %d listed versions: %v, want %v", tt.eco, tt.v, len(tt.versions), got, tt.want)
		}
		if big := len(tt.versions) > 16; (e.versions != nil) != big {
			t.Errorf("%d listed versions: set %v, want %v", len(tt.versions), e.versions != nil, big)
		}
	}
}

func BenchmarkListedVersions(b *testing.B) {
	var vs []string
	for i := range 30000 {
		vs = append(vs, fmt.Sprintf("2.%d.0", i))
	}
	e := compile(advisory.Affected{Versions: vs}, "npm", nil)
	for b.Loop() {
		e.affects(&query{ecosystem: "npm", raw: "3.0.0"})
	}
}

// orderDB records the package names of Affecting calls, in order, and
// reports heavy the packages heavy names.
type orderDB struct {
	DB
	heavy map[[2]string]int
	mu    sync.Mutex
	names []string
}

func (o *orderDB) HeavyPackages(_ context.Context, pkgs [][2]string) (map[[2]string]int, error) {
	out := map[[2]string]int{}
	for _, k := range pkgs {
		if n, ok := o.heavy[k]; ok {
			out[k] = n
		}
	}
	return out, nil
}

func (o *orderDB) Affecting(ctx context.Context, eco, name string) ([]vulndb.PackageAdvisory, error) {
	o.mu.Lock()
	o.names = append(o.names, name)
	o.mu.Unlock()
	return o.DB.Affecting(ctx, eco, name)
}

// TestMatchEachStartsWithHeavy checks that MatchEach matches the packages
// the database says are heavy first, heaviest first, and that the order
// changes no result.
func TestMatchEachStartsWithHeavy(t *testing.T) {
	ctx := context.Background()
	base := newTestMatcher(t)
	ecos := slices.Collect(maps.Keys(base.ecosystems))
	pkgs := []Package{
		{Name: "golang.org/x/net", Version: "v0.0.0-20220524220425-1d687d428aca", Ecosystem: "Go"},
		{Name: "stdlib", Version: "1.20.4", Ecosystem: "Go", GOOS: "linux", GOARCH: "amd64"},
		{Name: "golang.org/x/text", Version: "v0.3.7", Ecosystem: "Go"},
		{Name: "stdlib", Version: "1.17.0", Ecosystem: "Go", GOOS: "linux", GOARCH: "amd64"},
		{Name: "github.com/gin-gonic/gin", Version: "v1.7.0", Ecosystem: "Go"},
	}
	tests := []struct {
		heavy map[[2]string]int
		first []string // the first Affecting calls
	}{
		{nil, []string{"github.com/gin-gonic/gin", "golang.org/x/net"}},
		{map[[2]string]int{{"Go", "stdlib"}: 167}, []string{"stdlib", "github.com/gin-gonic/gin"}},
		{map[[2]string]int{{"Go", "stdlib"}: 167, {"Go", "golang.org/x/text"}: 200}, []string{"golang.org/x/text", "stdlib", "github.com/gin-gonic/gin"}},
	}
	var want []Result
	for _, tt := range tests {
		db := &orderDB{DB: base.db, heavy: tt.heavy}
		m := New(db, ecos, base.hasCPE)
		m.Workers = 1
		got, err := m.MatchAll(ctx, pkgs)
		if err != nil {
			t.Fatal(err)
		}
		if len(db.names) < len(tt.first) || !slices.Equal(db.names[:len(tt.first)], tt.first) {
			t.Errorf("heavy %v: Affecting calls %q, want them to start with %q", tt.heavy, db.names, tt.first)
		}
		if want == nil {
			want = got
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("heavy %v: results differ from those without", tt.heavy)
		}
	}
}

// BenchmarkMatchStdlib measures matching the Go standard library of an
// old toolchain (the longest match of a Go binary's scan) with a fresh
// Matcher each time: querying, decoding and compiling its advisories,
// evaluating them and reading the briefs of those that match.
func BenchmarkMatchStdlib(b *testing.B) {
	base := newTestMatcher(&testing.T{})
	ecos := slices.Collect(maps.Keys(base.ecosystems))
	p := Package{Name: "stdlib", Version: "1.21.13", Ecosystem: "Go", GOOS: "linux", GOARCH: "amd64"}
	for b.Loop() {
		if _, _, err := New(base.db, ecos, base.hasCPE).Match(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
}
