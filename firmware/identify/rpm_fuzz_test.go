package identify

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// FuzzRPMFiles feeds hostile rpm databases (seeded with real SQLite, NDB
// and BerkeleyDB ones from osv-scalibr's test data) to the file-list
// reader: errors are fine, panics and hangs are not.
func FuzzRPMFiles(f *testing.F) {
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		dir := filepath.Join(strings.TrimSpace(string(out)), "github.com/google/osv-scalibr@v0.5.3/extractor/filesystem/os/rpm/testdata")
		for _, name := range []string{"rpmdb.sqlite", "Packages", "Packages.db"} {
			if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
				f.Add(name, b)
			}
		}
	}
	f.Add("Packages", []byte("\x00\x00\x00\x00\x61\x15\x06\x00"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		name = filepath.Base(name)
		if name == "." || name == "/" || name == "" || strings.ContainsAny(name, "\x00") {
			name = "Packages"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		fsys := fstest.MapFS{"var/lib/rpm/" + name: {Data: data}}
		lists, err := rpmFiles(ctx, fsys, "var/lib/rpm/"+name)
		if err == nil && lists == nil {
			t.Error("nil lists without an error")
		}
	})
}
