package vulndb

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/mirrortest"
)

// testEcosystems is the OSV subset the tests import: small enough for
// race-enabled runs, varied enough to cover SEMVER and ECOSYSTEM ranges,
// RPM versions and withdrawn records.
var testEcosystems = []string{"Go", "crates.io", "CRAN", "GHC", "Hackage", "AlmaLinux:10"}

// testConfig is the import the shared test home is built with: under the
// race detector, the smaller OSV zips and no EPSS (see raceEnabled).
func testConfig(endpoints Endpoints) Config {
	if raceEnabled {
		return Config{Endpoints: endpoints, Ecosystems: []string{"Go", "CRAN", "GHC"}, Only: []string{"osv", "kev", "nvd", "debian", "alpine"}}
	}
	return Config{Endpoints: endpoints, Ecosystems: testEcosystems}
}

var (
	sharedOnce sync.Once
	sharedHome string
	sharedErr  error
)

// importedHome returns a home with the test subset of the shared mirror
// imported through the HTTP transport (built once per test binary).
func importedHome(t *testing.T) string {
	t.Helper()
	mirror := mirrortest.VulnDir(t)
	sharedOnce.Do(func() {
		srv := httptest.NewServer(http.FileServer(http.Dir(mirror)))
		defer srv.Close()
		sharedHome, sharedErr = os.MkdirTemp("", "assay-vulndb-test-")
		if sharedErr != nil {
			return
		}
		_, sharedErr = Update(context.Background(), sharedHome, testConfig(Mirror(srv.URL)))
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedHome
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedHome != "" {
		os.RemoveAll(sharedHome)
	}
	os.Exit(code)
}

// zipCount counts the .json members of a zip, independently of the
// importer.
func zipCount(t *testing.T, path string) (n int, ids map[string]bool) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	ids = map[string]bool{}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".json") {
			n++
			ids[strings.TrimSuffix(f.Name, ".json")] = true
		}
	}
	return n, ids
}

func TestImportCountsMatchSources(t *testing.T) {
	home := importedHome(t)
	mirror := mirrortest.VulnDir(t)
	db, err := Open(context.Background(), home)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]SourceStatus{}
	for _, s := range st.Sources {
		sources[s.Name] = s
	}
	osvIDs := map[string]bool{}
	cfg := testConfig(Endpoints{})
	for _, eco := range cfg.Ecosystems {
		n, ids := zipCount(t, filepath.Join(mirror, "osv", eco, "all.zip"))
		s, ok := sources["osv/"+eco]
		if !ok {
			t.Fatalf("no source osv/%s in status", eco)
		}
		if s.Records != n || s.Skipped != 0 {
			t.Errorf("osv/%s: records %d skipped %d, zip has %d", eco, s.Records, s.Skipped, n)
		}
		for id := range ids {
			osvIDs[id] = true
		}
	}
	if got := st.Ecosystems["Go"]; got != 4291 {
		t.Errorf("Go advisories = %d, want 4291 (the mirror's documented count)", got)
	}

	var kev struct {
		Count int `json:"count"`
	}
	readJSON(t, filepath.Join(mirror, "kev", "known_exploited_vulnerabilities.json"), &kev)
	if st.KEV != kev.Count || sources["kev"].Records != kev.Count {
		t.Errorf("KEV = %d (source %d), catalogue count %d", st.KEV, sources["kev"].Records, kev.Count)
	}
	if !raceEnabled && (st.EPSS != sources["epss"].Records || st.EPSS < 300_000) {
		t.Errorf("EPSS = %d, source records %d", st.EPSS, sources["epss"].Records)
	}
	if s := sources["nvd/embedded"]; s.Records != 18 || s.Skipped != 0 {
		t.Errorf("nvd/embedded: %+v, want 18 records", s)
	}
	if st.CPERecords != 12 {
		t.Errorf("NVD records with CPE configurations = %d, want 12", st.CPERecords)
	}
	// Every DSA header is either imported or skipped with a reason.
	dsa := countPrefix(t, filepath.Join(mirror, "debian", "data", "DSA", "list"), "[")
	if s := sources["debian/DSA"]; s.Records != dsa {
		t.Errorf("debian/DSA records = %d, list has %d headers", s.Records, dsa)
	}
	// Distinct IDs: the OSV subset plus every other source's advisories.
	var others int
	db.sql.QueryRow(`SELECT COUNT(*) FROM advisories WHERE id NOT IN (SELECT id FROM advisory_sources WHERE source LIKE 'osv/%')`).Scan(&others)
	if st.Advisories != len(osvIDs)+others {
		t.Errorf("advisories = %d, want %d OSV + %d others", st.Advisories, len(osvIDs), others)
	}
	if st.Skipped != sumSkipped(st.Sources) {
		t.Errorf("skipped = %d, sources add up to %d", st.Skipped, sumSkipped(st.Sources))
	}
}

func sumSkipped(ss []SourceStatus) int {
	n := 0
	for _, s := range ss {
		n += s.Skipped
	}
	return n
}

func countPrefix(t *testing.T, path, prefix string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, prefix) {
			n++
		}
	}
	return n
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

func TestQueries(t *testing.T) {
	db, err := Open(context.Background(), importedHome(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()

	t.Run("affecting", func(t *testing.T) {
		got, err := db.Affecting(ctx, "Go", "stdlib")
		if err != nil {
			t.Fatal(err)
		}
		if !hasID(got, "GO-2023-1840") {
			t.Fatalf("stdlib advisories lack GO-2023-1840 (%d found)", len(got))
		}
		none, err := db.Affecting(ctx, "Go", "example.com/no/such/module")
		if err != nil || len(none) != 0 {
			t.Fatalf("unknown module: %v, %d advisories", err, len(none))
		}
	})
	t.Run("alias group and enrichment", func(t *testing.T) {
		v, err := db.Lookup(ctx, "CVE-2023-29403")
		if err != nil {
			t.Fatal(err)
		}
		if v.Key != "CVE-2023-29403" || !containsStr(v.IDs, "GO-2023-1840") {
			t.Fatalf("group %s %v", v.Key, v.IDs)
		}
		if !raceEnabled && (v.EPSS == nil || v.EPSS[0].CVE != "CVE-2023-29403") {
			t.Errorf("no EPSS for CVE-2023-29403: %+v", v.EPSS)
		}
	})
	t.Run("KEV", func(t *testing.T) {
		k, err := db.KEV(ctx, "CVE-2025-48384")
		if err != nil || k == nil {
			t.Fatalf("KEV CVE-2025-48384: %v %v", k, err)
		}
		if k.DateAdded != "2025-08-25" || k.VendorProject != "Git" {
			t.Errorf("KEV entry %+v", k)
		}
	})
	t.Run("NVD severity and CPE", func(t *testing.T) {
		v, err := db.Lookup(ctx, "CVE-2018-12038")
		if err != nil {
			t.Fatal(err)
		}
		if v.Severity == nil || v.Severity.Version != "3.0" || v.Severity.Base != 4.2 || v.Severity.Source != "nvd@nist.gov" {
			t.Errorf("severity %+v, want CVSS 3.0 4.2 from nvd@nist.gov", v.Severity)
		}
		ids, err := db.CPECandidates(ctx, "samsung", "840_evo_firmware")
		if err != nil || !containsStr(ids, "CVE-2018-12038") {
			t.Errorf("CPE candidates %v %v", ids, err)
		}
	})
	t.Run("Debian advisory", func(t *testing.T) {
		got, err := db.Affecting(ctx, "Debian:11", "xorg-server")
		if err != nil || !hasID(got, "DSA-5380-1") {
			t.Fatalf("Debian:11 xorg-server: %v %v", got, err)
		}
		a, err := db.Advisory(ctx, "DSA-5380-1")
		if err != nil {
			t.Fatal(err)
		}
		if !containsStr(a.Upstream, "CVE-2023-1393") {
			t.Errorf("DSA-5380-1 upstream %v", a.Upstream)
		}
	})
	t.Run("Alpine advisory", func(t *testing.T) {
		got, err := db.Affecting(ctx, "Alpine:v3.11", "ansible")
		if err != nil || !hasID(got, "ALPINE-CVE-2019-14904") {
			t.Fatalf("Alpine:v3.11 ansible: %v", err)
		}
	})
	t.Run("withdrawn kept and marked", func(t *testing.T) {
		var n int
		db.sql.QueryRow(`SELECT COUNT(*) FROM advisories WHERE withdrawn AND id LIKE 'GO-%'`).Scan(&n)
		if n != 17 {
			t.Errorf("withdrawn Go records = %d, want 17", n)
		}
	})
}

func hasID(pas []PackageAdvisory, id string) bool {
	for _, p := range pas {
		if p.ID == id {
			return true
		}
	}
	return false
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// smallMirror builds a throwaway mirror from a few small shared files,
// which tests may then damage.
func smallMirror(t *testing.T) string {
	t.Helper()
	src := mirrortest.VulnDir(t)
	dst := t.TempDir()
	for _, rel := range []string{
		"osv/CRAN/all.zip", "osv/GHC/all.zip", "osv/Hackage/all.zip",
		"kev/known_exploited_vulnerabilities.json", "nvd/nvdcve-2.0-embedded.json.gz",
	} {
		copyTestFile(t, filepath.Join(src, rel), filepath.Join(dst, rel))
	}
	return dst
}

func copyTestFile(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

var smallKinds = []string{"osv", "kev", "nvd"}

func TestUnchangedSourcesAreSkipped(t *testing.T) {
	mirror := smallMirror(t)
	var requests, conditional atomic.Int32
	fs := http.FileServer(http.Dir(mirror))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Header.Get("If-Modified-Since") != "" {
			conditional.Add(1)
		}
		fs.ServeHTTP(w, r)
	}))
	defer srv.Close()
	home := t.TempDir()
	cfg := Config{Endpoints: Mirror(srv.URL), Only: smallKinds}
	first, err := Update(context.Background(), home, cfg)
	if err != nil || !first.Changed {
		t.Fatalf("first update: %v changed=%v", err, first != nil && first.Changed)
	}
	second, err := Update(context.Background(), home, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if second.Changed || second.Snapshot != first.Snapshot {
		t.Errorf("second update installed %s (was %s)", second.Snapshot, first.Snapshot)
	}
	for _, s := range second.Sources {
		if s.Outcome != "unchanged" {
			t.Errorf("%s: %s, want unchanged", s.Name, s.Outcome)
		}
	}
	if conditional.Load() == 0 {
		t.Error("second update sent no conditional requests")
	}

	// A changed file is picked up, the rest stay.
	kev := filepath.Join(mirror, "kev", "known_exploited_vulnerabilities.json")
	rewriteKEV(t, kev, 1)
	future := time.Now().Add(time.Hour)
	os.Chtimes(kev, future, future)
	third, err := Update(context.Background(), home, cfg)
	if err != nil || !third.Changed {
		t.Fatalf("third update: %v changed=%v", err, third != nil && third.Changed)
	}
	for _, s := range third.Sources {
		want := "unchanged"
		if s.Name == "kev" {
			want = "updated"
		}
		if s.Outcome != want {
			t.Errorf("%s: %s, want %s", s.Name, s.Outcome, want)
		}
	}
	db, err := Open(context.Background(), home)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, _ := db.Status(context.Background())
	if st.KEV != 1 || st.Ecosystems["CRAN"] != 14 {
		t.Errorf("after KEV change: KEV %d CRAN %d, want 1 and 14", st.KEV, st.Ecosystems["CRAN"])
	}
}

// rewriteKEV keeps the first n entries of a KEV catalogue.
func rewriteKEV(t *testing.T, path string, n int) {
	t.Helper()
	var doc map[string]json.RawMessage
	readJSON(t, path, &doc)
	var vulns []json.RawMessage
	json.Unmarshal(doc["vulnerabilities"], &vulns)
	doc["vulnerabilities"], _ = json.Marshal(vulns[:n])
	data, _ := json.Marshal(doc)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBadSourceKeepsPreviousData(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, mirror string)
		source string
	}{
		{"corrupt zip", func(t *testing.T, m string) {
			os.WriteFile(filepath.Join(m, "osv", "CRAN", "all.zip"), []byte("PK\x03\x04 not a zip"), 0o644)
		}, "osv/CRAN"},
		{"truncated zip", func(t *testing.T, m string) {
			p := filepath.Join(m, "osv", "CRAN", "all.zip")
			data, _ := os.ReadFile(p)
			os.WriteFile(p, data[:len(data)/2], 0o644)
		}, "osv/CRAN"},
		{"truncated KEV", func(t *testing.T, m string) {
			p := filepath.Join(m, "kev", "known_exploited_vulnerabilities.json")
			data, _ := os.ReadFile(p)
			os.WriteFile(p, data[:len(data)/2], 0o644)
		}, "kev"},
		{"missing file", func(t *testing.T, m string) {
			os.Remove(filepath.Join(m, "kev", "known_exploited_vulnerabilities.json"))
		}, "kev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mirror := smallMirror(t)
			home := t.TempDir()
			cfg := Config{Endpoints: Mirror(mirror), Only: smallKinds}
			if _, err := Update(context.Background(), home, cfg); err != nil {
				t.Fatal(err)
			}
			before := status(t, home)
			tt.damage(t, mirror)
			rep, err := Update(context.Background(), home, cfg)
			if err == nil || !strings.Contains(err.Error(), tt.source) {
				t.Fatalf("update with %s: error %v, want one naming %s", tt.name, err, tt.source)
			}
			for _, s := range rep.Sources {
				if s.Name == tt.source && s.Outcome != "failed" {
					t.Errorf("%s outcome %s", s.Name, s.Outcome)
				}
			}
			after := status(t, home)
			if after.Advisories != before.Advisories || after.KEV != before.KEV || after.Ecosystems["CRAN"] != before.Ecosystems["CRAN"] {
				t.Errorf("data changed after a failed source: before %d/%d/%d after %d/%d/%d",
					before.Advisories, before.KEV, before.Ecosystems["CRAN"], after.Advisories, after.KEV, after.Ecosystems["CRAN"])
			}
		})
	}
}

func status(t *testing.T, home string) *Status {
	t.Helper()
	db, err := Open(context.Background(), home)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestHTTPErrors(t *testing.T) {
	mirror := smallMirror(t)
	fs := http.FileServer(http.Dir(mirror))
	var fail atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() && strings.Contains(r.URL.Path, "/osv/GHC/") {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		fs.ServeHTTP(w, r)
	}))
	defer srv.Close()
	home := t.TempDir()
	cfg := Config{Endpoints: Mirror(srv.URL), Only: smallKinds, Backoff: time.Millisecond}
	if _, err := Update(context.Background(), home, cfg); err != nil {
		t.Fatal(err)
	}
	fail.Store(true)
	os.Remove(filepath.Join(mirror, "nvd", "nvdcve-2.0-embedded.json.gz"))
	rep, err := Update(context.Background(), home, cfg)
	if err == nil || !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "osv/GHC") {
		t.Fatalf("error %v, want a 500 on osv/GHC", err)
	}
	if !strings.Contains(err.Error(), "no nvdcve-2.0") {
		t.Errorf("error %v does not report the empty NVD feed folder", err)
	}
	if got := status(t, home).Ecosystems["GHC"]; got != 3 {
		t.Errorf("GHC records after a failed refresh = %d, want the previous 3", got)
	}
	if rep.Changed {
		t.Error("a run where every changed source failed installed a snapshot")
	}
}

func TestMissingMirror(t *testing.T) {
	_, err := Update(context.Background(), t.TempDir(), Config{Endpoints: Mirror(filepath.Join(t.TempDir(), "nope"))})
	if err == nil {
		t.Fatal("update from a missing mirror succeeded")
	}
	if _, err := Open(context.Background(), t.TempDir()); !errors.Is(err, ErrNoDatabase) {
		t.Errorf("Open of an empty home: %v, want ErrNoDatabase", err)
	}
}

func TestInterruptedUpdateKeepsSnapshot(t *testing.T) {
	mirror := smallMirror(t)
	home := t.TempDir()
	cfg := Config{Endpoints: Mirror(mirror), Only: smallKinds}
	first, err := Update(context.Background(), home, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rewriteKEV(t, filepath.Join(mirror, "kev", "known_exploited_vulnerabilities.json"), 2)
	ctx, cancel := context.WithCancel(context.Background())
	cfg.Progress = cancelOn{"import kev", cancel}
	if _, err := Update(ctx, home, cfg); err == nil {
		t.Fatal("cancelled update succeeded")
	}
	db, err := Open(context.Background(), home)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Snapshot() != first.Snapshot {
		t.Errorf("snapshot %s in service, want %s", db.Snapshot(), first.Snapshot)
	}
	leftovers, _ := filepath.Glob(filepath.Join(home, "db", "snapshots", ".tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("staging directories left behind: %v", leftovers)
	}
}

// cancelOn cancels a context when a progress unit with the given name
// starts: a deterministic interruption in the middle of an update.
type cancelOn struct {
	name   string
	cancel context.CancelFunc
}

func (c cancelOn) Start(name string, total int64) Bar {
	if name == c.name {
		c.cancel()
	}
	return noBar{}
}

func TestBundleRoundTrip(t *testing.T) {
	mirror := smallMirror(t)
	home := t.TempDir()
	if _, err := Update(context.Background(), home, Config{Endpoints: Mirror(mirror), Only: smallKinds}); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(t.TempDir(), "db.tar.gz")
	m, err := Export(context.Background(), home, bundle)
	if err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if _, err := Import(context.Background(), other, bundle); err != nil {
		t.Fatal(err)
	}
	a, b := status(t, home), status(t, other)
	if a.Advisories != b.Advisories || a.KEV != b.KEV || len(a.Sources) != len(b.Sources) || len(m.Sources) != len(a.Sources) {
		t.Errorf("imported bundle differs: %+v vs %+v", a, b)
	}

	// A bundle whose database does not match its manifest is refused.
	bad := filepath.Join(t.TempDir(), "bad.tar.gz")
	m.Files[0].SHA256 = strings.Repeat("0", 64)
	db, _ := Open(context.Background(), home)
	path := db.path
	db.Close()
	if err := writeBundle(bad, m, path); err != nil {
		t.Fatal(err)
	}
	third := t.TempDir()
	if _, err := Import(context.Background(), third, bad); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("tampered bundle: %v, want a digest error", err)
	}
	if _, err := Open(context.Background(), third); !errors.Is(err, ErrNoDatabase) {
		t.Errorf("a refused bundle left a database behind: %v", err)
	}
}

func BenchmarkUpdateMirror(b *testing.B) {
	mirror := mirrortest.VulnDir(b)
	for b.Loop() {
		home := b.TempDir()
		if _, err := Update(context.Background(), home, Config{Endpoints: Mirror(mirror)}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdateUnchanged(b *testing.B) {
	mirror := mirrortest.VulnDir(b)
	home := b.TempDir()
	cfg := Config{Endpoints: Mirror(mirror)}
	if _, err := Update(context.Background(), home, cfg); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		rep, err := Update(context.Background(), home, cfg)
		if err != nil || rep.Changed {
			b.Fatalf("%v changed=%v", err, rep.Changed)
		}
	}
}
