// Package lockfile reads package manager lockfiles and manifests: go.mod
// (with go.sum) here, and the other ecosystems through osv-scalibr's
// individual extractors (see scalibr.go).
package lockfile

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/assayhq/assay/extract/internal/pkgurl"
	"github.com/assayhq/assay/inventory"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// prunedGo is the first go directive version whose go.mod lists every
// module of the build (module graph pruning, Go 1.17).
const prunedGo = "1.17"

// ReadGoMod reads a go.mod file (and, when gosum is not nil, its go.sum)
// into an inventory. The main module is a component with metadata
// main=true and no version. Requirements become components with
// replacements applied (a module replaced by another module version is
// reported as the replacement, with the original under "replaces"; one
// replaced by a local directory keeps its required version and gets
// "replaced-by").
//
// For go ≥ 1.17 the go.mod requirements are the build list and go.sum
// is not used for components: versions found only in go.sum are stale
// and are not reported. For older go.mod files the requirement list is
// incomplete; the missing modules are taken from go.sum (the highest
// version with a source hash), marked with metadata source=go.sum, and
// the approximation is recorded as unassessed.
func ReadGoMod(ctx context.Context, gomod, gosum []byte, name string) (*inventory.Inventory, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := modfile.Parse(name, gomod, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	inv := &inventory.Inventory{Target: name, Kind: inventory.KindLockfile, Format: "go.mod"}
	mainID := ""
	if f.Module != nil {
		mainID = f.Module.Mod.Path
		inv.Add(inventory.Component{
			ID: mainID, Name: mainID, Ecosystem: "Go", Type: "application",
			PURL:      pkgurl.Go(mainID, ""),
			Locations: []inventory.Location{{Path: name, Line: f.Module.Syntax.Start.Line}},
			Metadata:  map[string]string{inventory.MetaMainModule: "true"},
		})
	}
	replace := map[string]*modfile.Replace{}
	for _, r := range f.Replace {
		replace[r.Old.Path+"@"+r.Old.Version] = r
	}
	seen := map[string]bool{}
	for _, r := range f.Require {
		c := requirement(r.Mod.Path, r.Mod.Version, replace, name, r.Syntax.Start.Line)
		c.Parent, c.Relationship = mainID, inventory.RelDependsOn
		if r.Indirect {
			c.Metadata[inventory.MetaIndirect] = "true"
		}
		seen[r.Mod.Path] = true
		inv.Add(c)
	}
	goVersion := ""
	if f.Go != nil {
		goVersion = f.Go.Version
	}
	if gosum != nil && semver.Compare("v"+goVersion, "v"+prunedGo) < 0 {
		added := 0
		for _, m := range sumModules(gosum) {
			if seen[m.path] {
				continue
			}
			c := requirement(m.path, m.version, replace, siblingSum(name), m.line)
			c.Parent, c.Relationship = mainID, inventory.RelDependsOn
			c.Metadata["source"] = "go.sum"
			inv.Add(c)
			added++
		}
		if added > 0 {
			inv.Skip(name, fmt.Sprintf("go %s < %s: go.mod is not the full build list; %d modules taken from go.sum (highest version with a source hash), which may include versions not in the build", goVersion, prunedGo, added))
		}
	}
	return inv, nil
}

func requirement(path, version string, replace map[string]*modfile.Replace, file string, line int) inventory.Component {
	md := map[string]string{}
	r := replace[path+"@"+version]
	if r == nil {
		r = replace[path+"@"]
	}
	if r != nil {
		if r.New.Version == "" {
			md[inventory.MetaReplacedBy] = r.New.Path
		} else {
			md["replaces"] = path + "@" + version
			path, version = r.New.Path, r.New.Version
		}
	}
	return inventory.Component{
		ID: path + "@" + version, Name: path, Version: version, Ecosystem: "Go", Type: "library",
		PURL:      pkgurl.Go(path, version),
		Locations: []inventory.Location{{Path: file, Line: line}},
		Metadata:  md,
	}
}

type sumModule struct {
	path, version string
	line          int
}

// sumModules returns, per module path in go.sum, the highest version that
// has a source (not only a /go.mod) hash, in first-seen order.
func sumModules(gosum []byte) []sumModule {
	var order []string
	best := map[string]sumModule{}
	sc := bufio.NewScanner(bytes.NewReader(gosum))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		f := bytes.Fields(sc.Bytes())
		if len(f) != 3 || bytes.HasSuffix(f[1], []byte("/go.mod")) {
			continue
		}
		p, v := string(f[0]), string(f[1])
		if !semver.IsValid(v) {
			continue
		}
		old, ok := best[p]
		if !ok {
			order = append(order, p)
		}
		if !ok || semver.Compare(v, old.version) > 0 {
			best[p] = sumModule{path: p, version: v, line: line}
		}
	}
	out := make([]sumModule, 0, len(order))
	for _, p := range order {
		out = append(out, best[p])
	}
	return out
}

func siblingSum(gomodPath string) string {
	if i := strings.LastIndexByte(gomodPath, '/'); i >= 0 {
		return gomodPath[:i+1] + "go.sum"
	}
	return "go.sum"
}
