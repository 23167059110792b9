// Package mirrortest locates the shared offline data mirrors
// (../shared/vulndata, ../shared/supplierdata) for tests and serves them
// over HTTP the way a plain file server would.
package mirrortest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// VulnDir returns the vulnerability data mirror directory: $ASSAY_MIRROR
// when it names a directory, else ../shared/vulndata beside the module
// root. The test is skipped when neither exists.
func VulnDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("ASSAY_MIRROR"); d != "" {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d
		}
	}
	return sharedDir(t, "vulndata")
}

// SupplierDir returns ../shared/supplierdata beside the module root, or
// skips the test when it is absent.
func SupplierDir(t testing.TB) string {
	t.Helper()
	return sharedDir(t, "supplierdata")
}

// FirmwareDir returns ../shared/firmware beside the module root, or skips
// the test when it is absent.
func FirmwareDir(t testing.TB) string {
	t.Helper()
	return sharedDir(t, "firmware")
}

func sharedDir(t testing.TB, name string) string {
	t.Helper()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	d := filepath.Join(root, "..", "shared", name)
	if _, err := os.Stat(d); err != nil {
		t.Skipf("shared data %s not present: %v", name, err)
	}
	return d
}

// ModuleRoot walks up from the working directory to the directory holding
// go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// Serve starts an httptest server that serves dir as a plain static file
// server (with directory listings, Last-Modified and Range support) and
// returns its URL. The server is closed when the test ends.
func Serve(t testing.TB, dir string) string {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv.URL
}
