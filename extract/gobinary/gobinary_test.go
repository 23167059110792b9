package gobinary

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/assayhq/assay/inventory"
)

// TestReadBuilt builds testdata/hello with the local toolchain and reads
// its build information.
func TestReadBuilt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	exe := filepath.Join(t.TempDir(), "hello")
	cmd := exec.Command("go", "build", "-o", exe, "./testdata/hello")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("go build: %v\n%s", err, out)
	}
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inv, err := Read(context.Background(), f, "self")
	if err != nil {
		t.Fatal(err)
	}
	want := StdlibVersion(runtime.Version())
	var std, purl *inventory.Component
	for i, c := range inv.Components {
		switch c.Name {
		case "stdlib":
			std = &inv.Components[i]
		case "github.com/package-url/packageurl-go":
			purl = &inv.Components[i]
		}
		if c.Metadata[inventory.MetaGOOS] != runtime.GOOS || c.Metadata[inventory.MetaGOARCH] != runtime.GOARCH {
			t.Errorf("%s: goos/goarch %v", c.Name, c.Metadata)
		}
	}
	if std == nil || std.Version != want || std.Ecosystem != "Go" || std.PURL != "pkg:golang/stdlib@"+want {
		t.Errorf("stdlib = %+v, want version %s", std, want)
	}
	if testing.Verbose() {
		for _, c := range inv.Components {
			t.Log(c.Name, c.Version)
		}
	}
	if purl == nil || !strings.HasPrefix(purl.PURL, "pkg:golang/github.com/package-url/packageurl-go@v") {
		t.Errorf("packageurl-go dependency = %+v", purl)
	}
}

func TestComponentsReplace(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.21.13",
		Main:      debug.Module{Path: "example.com/cmd", Version: "v1.0.0"},
		Deps: []*debug.Module{
			{Path: "example.com/old", Version: "v1.0.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.0.1"}},
			{Path: "example.com/local", Version: "v0.1.0", Replace: &debug.Module{Path: "../local"}},
			nil,
		},
		Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"}},
	}
	cs := Components(bi, "bin/cmd")
	got := map[string]inventory.Component{}
	for _, c := range cs {
		got[c.Name+"@"+c.Version] = c
	}
	if len(cs) != 4 {
		t.Fatalf("components: %v", got)
	}
	if c := got["example.com/fork@v1.0.1"]; c.Metadata["replaces"] != "example.com/old@v1.0.0" || c.Parent != "example.com/cmd@v1.0.0" {
		t.Errorf("fork: %+v", c)
	}
	if c := got["example.com/local@v0.1.0"]; c.Metadata[inventory.MetaReplacedBy] != "../local" {
		t.Errorf("local: %+v", c)
	}
	if c := got["stdlib@1.21.13"]; c.Metadata[inventory.MetaGOARCH] != "arm64" {
		t.Errorf("stdlib: %+v", c)
	}
}

func TestStdlibVersion(t *testing.T) {
	for in, want := range map[string]string{
		"go1.21.13": "1.21.13", "go1.20": "1.20.0", "go1.21rc2": "1.21.0-rc.2", "go1.22.0 X:boringcrypto": "1.22.0",
		"devel go1.23-abcdef": "", "": "", "go1.18beta1": "1.18.0-beta.1",
	} {
		if got := StdlibVersion(in); got != want {
			t.Errorf("StdlibVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNotGo(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("\x7fELF garbage"), []byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 4096)} {
		_, err := Read(context.Background(), bytes.NewReader(data), "x")
		if !errors.Is(err, ErrNotGo) || !strings.HasPrefix(err.Error(), "x: ") {
			t.Errorf("err = %v", err)
		}
	}
}

func FuzzRead(f *testing.F) {
	exe, err := os.Executable()
	if err == nil {
		if data, err := os.ReadFile(exe); err == nil && len(data) > 0 {
			// The ELF header and program/section headers are at the front;
			// a prefix keeps the seed small while still valid-looking.
			f.Add(data[:min(len(data), 64<<10)])
		}
	}
	f.Add([]byte("\x7fELF\x02\x01\x01"))
	f.Add([]byte("MZ"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Read(context.Background(), bytes.NewReader(data), "fuzz")
	})
}
