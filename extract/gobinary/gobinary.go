// Package gobinary reads the build information embedded in Go executables
// (ELF, PE, Mach-O, XCOFF, Wasm) with debug/buildinfo: the main module, the
// dependency modules with their replacements, the Go toolchain as a
// "stdlib" component, and the target GOOS/GOARCH.
package gobinary

import (
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/assayhq/assay/extract/internal/pkgurl"
	"github.com/assayhq/assay/inventory"
)

// ErrNotGo is wrapped by Read's error when the file is an executable
// without Go build information (or not an executable at all).
var ErrNotGo = errors.New("no Go build information")

// Read reads the Go build information from the executable r of the given
// size. name is used in locations and errors. debug/buildinfo reads only
// the sections it needs, so size is not a memory bound.
func Read(ctx context.Context, r io.ReaderAt, name string) (*inventory.Inventory, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	bi, err := readBuildInfo(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", name, ErrNotGo, err)
	}
	inv := &inventory.Inventory{Target: name, Kind: inventory.KindBinary, Format: "go-binary"}
	inv.Add(Components(bi, name)...)
	return inv, nil
}

// readBuildInfo guards debug/buildinfo against panics on corrupt headers.
func readBuildInfo(r io.ReaderAt) (bi *debug.BuildInfo, err error) {
	defer func() {
		if p := recover(); p != nil {
			bi, err = nil, fmt.Errorf("corrupt executable: %v", p)
		}
	}()
	return buildinfo.Read(r)
}

// Components converts build information into components: the main
// module, every dependency (replacements applied: the component is the
// module actually built, with the original recorded under "replaces"), and
// stdlib at the toolchain version. Every component carries the goos and
// goarch metadata of the binary.
func Components(bi *debug.BuildInfo, location string) []inventory.Component {
	meta := map[string]string{}
	for _, s := range bi.Settings {
		switch s.Key {
		case "GOOS":
			meta[inventory.MetaGOOS] = s.Value
		case "GOARCH":
			meta[inventory.MetaGOARCH] = s.Value
		}
	}
	loc := []inventory.Location{{Path: location}}
	var out []inventory.Component
	mainID := ""
	if bi.Main.Path != "" {
		c := module(bi.Main, meta, loc)
		c.Type = "application"
		c.Metadata[inventory.MetaMainModule] = "true"
		mainID = c.ID
		out = append(out, c)
	}
	for _, d := range bi.Deps {
		if d == nil {
			continue
		}
		c := module(*d, meta, loc)
		c.Parent, c.Relationship = mainID, inventory.RelDependsOn
		out = append(out, c)
	}
	if v := StdlibVersion(bi.GoVersion); v != "" {
		m := clone(meta)
		out = append(out, inventory.Component{
			ID: "stdlib@" + v, Name: "stdlib", Version: v, Ecosystem: "Go",
			PURL: pkgurl.Make("golang", "", "stdlib", v, nil), Type: "library",
			Parent: mainID, Relationship: inventory.RelDependsOn,
			Locations: loc, Metadata: m,
		})
	}
	return out
}

func module(m debug.Module, meta map[string]string, loc []inventory.Location) inventory.Component {
	md := clone(meta)
	path, version := m.Path, m.Version
	if r := m.Replace; r != nil {
		if r.Version == "" { // replaced by a local directory
			md[inventory.MetaReplacedBy] = r.Path
		} else {
			md["replaces"] = m.Path + "@" + m.Version
			path, version = r.Path, r.Version
		}
	}
	c := inventory.Component{
		ID: path + "@" + version, Name: path, Version: version, Ecosystem: "Go",
		Type: "library", Locations: loc, Metadata: md,
	}
	if version != "" && version != "(devel)" {
		c.PURL = pkgurl.Go(path, version)
	} else {
		c.PURL = pkgurl.Go(path, "")
	}
	return c
}

// StdlibVersion turns a toolchain version such as "go1.21.13" or
// "go1.22.0 X:boringcrypto" into the semantic version the Go vulnerability
// database uses for stdlib: "1.21.13"; "go1.20" becomes "1.20.0" and
// "go1.21rc2" becomes "1.21.0-rc.2". Devel toolchains give "".
func StdlibVersion(goVersion string) string {
	f := strings.Fields(goVersion)
	if len(f) == 0 || !strings.HasPrefix(f[0], "go1") {
		return ""
	}
	v := strings.TrimPrefix(f[0], "go")
	pre := ""
	for _, tag := range []string{"rc", "beta"} {
		if i := strings.Index(v, tag); i > 0 {
			v, pre = v[:i], "-"+tag+"."+v[i+len(tag):]
			break
		}
	}
	if strings.Count(v, ".") == 1 {
		v += ".0"
	}
	return v + pre
}

func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
