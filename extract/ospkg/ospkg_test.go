package ospkg

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/assayhq/assay/extract/internal/plugin"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
)

func run(t *testing.T, fsys fs.FS, p string) *inventory.Inventory {
	t.Helper()
	ps, err := Parsers(limit.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := plugin.ParsePath(context.Background(), ps, fsys, p)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestDistros(t *testing.T) {
	tests := []struct {
		root, db string
		want     []inventory.Component // Name, Version, Ecosystem, PURL, SourceName, SourceVersion
	}{
		{"debian", "var/lib/dpkg/status", []inventory.Component{
			{Name: "libssl3", Version: "3.0.11-1~deb12u2", Ecosystem: "Debian:12", SourceName: "openssl", SourceVersion: "3.0.11-1~deb12u2",
				PURL: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=bookworm&upstream=openssl"},
			{Name: "zlib1g", Version: "1:1.2.13.dfsg-1", Ecosystem: "Debian:12", SourceName: "zlib", SourceVersion: "1:1.2.13.dfsg-1"},
			{Name: "bash", Version: "5.2.15-2+b2", Ecosystem: "Debian:12", SourceName: "bash", SourceVersion: "5.2.15-2+b2"},
		}},
		{"alpine", "lib/apk/db/installed", []inventory.Component{
			{Name: "busybox", Version: "1.36.1-r5", Ecosystem: "Alpine:v3.18", SourceName: "busybox", SourceVersion: "1.36.1-r5"},
			{Name: "libcrypto3", Version: "3.1.4-r0", Ecosystem: "Alpine:v3.18", SourceName: "openssl", SourceVersion: "3.1.4-r0"},
		}},
		{"openwrt", "usr/lib/opkg/status", []inventory.Component{
			{Name: "dropbear", Version: "2022.82-6", Ecosystem: "OpenWrt"},
			{Name: "busybox", Version: "1.36.1-1", Ecosystem: "OpenWrt"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			inv := run(t, os.DirFS(filepath.Join("testdata", tt.root)), tt.db)
			if len(inv.Components) != len(tt.want) {
				t.Fatalf("components: %+v", inv.Components)
			}
			got := map[string]inventory.Component{}
			for _, c := range inv.Components {
				got[c.Name] = c
			}
			for _, w := range tt.want {
				c := got[w.Name]
				if c.Version != w.Version || c.Ecosystem != w.Ecosystem || (w.SourceName != "" && (c.SourceName != w.SourceName || c.SourceVersion != w.SourceVersion)) {
					t.Errorf("%s = %+v, want %+v", w.Name, c, w)
				}
				if w.PURL != "" && c.PURL != w.PURL {
					t.Errorf("%s purl = %s, want %s", w.Name, c.PURL, w.PURL)
				}
				if c.PURL == "" {
					t.Errorf("%s has no purl", w.Name)
				}
			}
		})
	}
}

// TestRPM reads real rpm databases in the three formats (BerkeleyDB, NDB,
// SQLite) from osv-scalibr's own test data in the module cache (not copied
// into this repository).
func TestRPM(t *testing.T) {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skip("go env:", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "github.com/google/osv-scalibr@v0.5.3/extractor/filesystem/os/rpm/testdata")
	for file, dbPath := range map[string]string{
		"Packages_epoch": "var/lib/rpm/Packages",
		"Packages.db":    "usr/lib/sysimage/rpm/Packages.db",
		"rpmdb.sqlite":   "var/lib/rpm/rpmdb.sqlite",
	} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				t.Skip("scalibr test data not in module cache:", err)
			}
			fsys := fstest.MapFS{
				dbPath:           {Data: data},
				"etc/os-release": {Data: []byte("ID=\"almalinux\"\nVERSION_ID=\"9.3\"\n")},
			}
			inv := run(t, fsys, dbPath)
			if len(inv.Components) == 0 {
				t.Fatal("no packages")
			}
			for _, c := range inv.Components {
				if c.Ecosystem != "AlmaLinux:9" || !strings.HasPrefix(c.PURL, "pkg:rpm/") {
					t.Errorf("%+v", c)
				}
				if c.SourceName == "" && c.Name != "gpg-pubkey" {
					t.Errorf("no source package: %+v", c)
				}
			}
		})
	}
}

func FuzzDpkgApk(f *testing.F) {
	for _, p := range []string{"debian/var/lib/dpkg/status", "alpine/lib/apk/db/installed", "openwrt/usr/lib/opkg/status"} {
		data, err := os.ReadFile(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, []byte("ID=debian\nVERSION_ID=12\n"))
	}
	ps, err := Parsers(limit.Limits{MaxFileBytes: 1 << 20})
	if err != nil {
		f.Fatal(err)
	}
	dbs := []string{"var/lib/dpkg/status", "lib/apk/db/installed", "usr/lib/opkg/status", "var/lib/rpm/rpmdb.sqlite"}
	f.Fuzz(func(t *testing.T, db, osRelease []byte) {
		fsys := fstest.MapFS{"etc/os-release": {Data: osRelease}}
		for _, p := range dbs {
			fsys[p] = &fstest.MapFile{Data: db}
		}
		for _, p := range dbs {
			for _, ps := range ps {
				if ps.Match(p, nil) {
					_, _ = ps.Parse(context.Background(), fsys, p)
				}
			}
		}
	})
}
