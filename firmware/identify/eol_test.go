package identify

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/mirrortest"
	"github.com/assayhq/assay/inventory"
	"github.com/assayhq/assay/supplier/eol"
)

// TestEOLRealData maps components to cycles of the shared endoflife.date
// snapshot.
func TestEOLRealData(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(mirrortest.SupplierDir(t), "eol", "products.zip"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := eol.ParseZip(b)
	if err != nil {
		t.Fatal(err)
	}
	on := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		c     inventory.Component
		cycle string
		eol   bool
	}{
		{inventory.Component{Name: "openssl", Version: "1.1.1w"}, "openssl 1.1.1", true},
		{inventory.Component{Name: "openssl", Version: "3.5.0"}, "openssl 3.5", false},
		{inventory.Component{Name: "linux", Version: "4.14.180"}, "linux-kernel 4.14", true},
		{inventory.Component{Name: "nginx", Version: "1.18.0"}, "nginx 1.18", true},
		{inventory.Component{Name: "sqlite", Version: "3.40.1"}, "sqlite 3", false},
		{inventory.Component{Name: "libssl1.1", Version: "1.1.1n-0+deb11u5", SourceName: "openssl", SourceVersion: "1.1.1n-0+deb11u5"}, "openssl 1.1.1", true},
		{inventory.Component{Name: "stdlib", Version: "go1.19.2", Ecosystem: "Go"}, "go 1.19", true},
		{inventory.Component{Name: "busybox", Version: "1.35.0"}, "", false},
	}
	for _, tt := range tests {
		c := tt.c
		markEOL(&c, db, on)
		if c.Metadata[inventory.MetaEOLCycle] != tt.cycle || (c.Metadata[inventory.MetaEOL] == "true") != tt.eol {
			t.Errorf("%s %s: metadata %v, want cycle %q eol %v", c.Name, c.Version, c.Metadata, tt.cycle, tt.eol)
		}
		if tt.eol && c.Metadata[inventory.MetaEOLDate] == "" {
			t.Errorf("%s %s: no eol date", c.Name, c.Version)
		}
	}
}
