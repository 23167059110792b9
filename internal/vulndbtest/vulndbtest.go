// Package vulndbtest gives tests a real advisory database imported from
// the shared offline mirror through the production import code. The
// import is cached in the system temporary directory, keyed by the
// configuration and the mirror files' sizes and times, so the packages of
// one test run (and the race and non-race passes) import it once.
package vulndbtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/assayhq/assay/internal/mirrortest"
	"github.com/assayhq/assay/vulndb"
)

// Subset is the part of the mirror the shared test database holds: the
// Go OSV records, KEV, the NVD subset and Alpine secdb.
var Subset = vulndb.Config{Only: []string{"osv", "kev", "nvd", "alpine"}, Ecosystems: []string{"Go"}}

// Open returns the shared test database, importing it first when the
// cache is missing or stale. The test is skipped when the mirror is
// absent.
func Open(t testing.TB) *vulndb.DB {
	t.Helper()
	home := Home(t)
	db, err := vulndb.Open(context.Background(), home)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Home returns the data directory of the shared test database.
func Home(t testing.TB) string {
	t.Helper()
	mirror := mirrortest.VulnDir(t)
	key, err := cacheKey(mirror)
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(os.TempDir(), "assay-vulndbtest-"+key)
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(home+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(filepath.Join(home, "db", "CURRENT")); err == nil {
		return home
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(mirror)))
	defer srv.Close()
	cfg := Subset
	cfg.Endpoints = vulndb.Mirror(srv.URL)
	if _, err := vulndb.Update(context.Background(), home, cfg); err != nil {
		t.Fatalf("import test database: %v", err)
	}
	return home
}

// cacheKey digests the subset configuration, the database schema in use
// (through the module's vulndb source files) and the mirror files it reads.
func cacheKey(mirror string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%v|%v\n", Subset.Only, Subset.Ecosystems)
	for _, rel := range []string{"osv/Go/all.zip", "kev/known_exploited_vulnerabilities.json", "nvd", "alpine-secdb"} {
		err := filepath.Walk(filepath.Join(mirror, rel), func(p string, fi os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s %d %d\n", strings.TrimPrefix(p, mirror), fi.Size(), fi.ModTime().UnixNano())
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	root, err := mirrortest.ModuleRoot()
	if err != nil {
		return "", err
	}
	src, _ := filepath.Glob(filepath.Join(root, "vulndb", "*.go"))
	src2, _ := filepath.Glob(filepath.Join(root, "advisory", "*.go"))
	for _, f := range append(src, src2...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
