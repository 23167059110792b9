package identify

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	rpmdb "github.com/erikvarga/go-rpmdb/pkg"

	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/extract/ospkg"
	"github.com/assayhq/assay/firmware"
	"github.com/assayhq/assay/inventory"
)

// maxListBytes bounds one package file list read for ownership.
const maxListBytes = 32 << 20

// root is one root filesystem of the image: a container mount in
// Result.FS holding a package database.
type root struct {
	mount string // directory of Result.FS ("." for the image root)
	fsys  fs.FS
}

// mountOf returns the Result.FS directory that holds f's innermost
// container: f.Path without f.InnerPath.
func mountOf(f *firmware.File) string {
	m := strings.TrimSuffix(strings.TrimSuffix(f.Path, strings.TrimPrefix(f.InnerPath, "/")), "/")
	if m == "" {
		return "."
	}
	return m
}

// packageDatabases reads every package database of every root
// filesystem and records which regular files each package owns.
func (id *identifier) packageDatabases(ctx context.Context) ([]inventory.Component, error) {
	id.owned = map[string]int{}
	parsers, err := ospkg.Parsers(limit.Limits{})
	if err != nil {
		return nil, fmt.Errorf("identify: %w", err)
	}
	var out []inventory.Component
	roots := map[string]root{}
	for _, f := range id.res.Files {
		if !f.Mode.IsRegular() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("identify: %w", err)
		}
		rel := strings.TrimPrefix(f.InnerPath, "/")
		info, err := fs.Stat(id.res.FS, f.Path)
		if err != nil {
			continue
		}
		for _, p := range parsers {
			if !p.Match(rel, info) {
				continue
			}
			r, ok := roots[mountOf(f)]
			if !ok {
				r = root{mount: mountOf(f), fsys: id.res.FS}
				if r.mount != "." {
					if r.fsys, err = fs.Sub(id.res.FS, r.mount); err != nil {
						return nil, fmt.Errorf("identify: %s: %w", r.mount, err)
					}
				}
				roots[r.mount] = r
			}
			inv, err := p.Parse(ctx, r.fsys, rel)
			if err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("identify: %w", ctx.Err())
				}
				id.skip(f, fmt.Sprintf("%s package database unreadable: %v", p.Name, err))
				break
			}
			first := len(out)
			for _, c := range inv.Components {
				c.Locations = []inventory.Location{location(f)}
				c.Metadata = maps0(c.Metadata)
				c.Metadata[inventory.MetaEvidence] = p.Name + " database " + f.InnerPath
				out = append(out, c)
			}
			id.owners(ctx, r, p.Name, f, out, first)
			id.opts.Log.Debug("package database", "path", f.Path, "format", p.Name, "packages", len(inv.Components))
			break
		}
	}
	return out, nil
}

// owners records the files owned by the packages out[first:] read from
// database f in root r: dpkg and opkg keep one NAME.list per package in
// an info directory beside the status file, apk keeps R: lines in the
// installed database itself, rpm keeps them in each package header.
func (id *identifier) owners(ctx context.Context, r root, format string, db *firmware.File, out []inventory.Component, first int) {
	byName := map[string]int{}
	for i := first; i < len(out); i++ {
		byName[out[i].Name] = i
	}
	rel := strings.TrimPrefix(db.InnerPath, "/")
	switch {
	case strings.HasSuffix(rel, "lib/apk/db/installed"):
		data, err := readFile(r.fsys, rel, maxListBytes)
		if err != nil {
			return
		}
		for pkg, files := range apkFiles(data) {
			if i, ok := byName[pkg]; ok {
				id.own(r, files, i)
			}
		}
	case format == "rpm":
		lists, err := rpmFiles(ctx, r.fsys, rel)
		if err != nil {
			id.opts.Log.Warn("identify: rpm file lists", "path", db.Path, "err", err)
			return
		}
		for pkg, files := range lists {
			if i, ok := byName[pkg]; ok {
				id.own(r, files, i)
			}
		}
	case path.Base(rel) == "status" && format == "dpkg":
		info := path.Join(path.Dir(rel), "info")
		ents, err := fs.ReadDir(r.fsys, info)
		if err != nil {
			return
		}
		for _, e := range ents {
			if ctx.Err() != nil {
				return
			}
			name, ok := strings.CutSuffix(e.Name(), ".list")
			if !ok {
				continue
			}
			name, _, _ = strings.Cut(name, ":") // dpkg multi-arch: NAME:ARCH.list
			i, ok := byName[name]
			if !ok {
				continue
			}
			data, err := readFile(r.fsys, path.Join(info, e.Name()), maxListBytes)
			if err != nil {
				continue
			}
			var files []string
			for _, l := range strings.Split(string(data), "\n") {
				l, _, _ = strings.Cut(l, "\t") // opkg may append a mode
				if l = strings.TrimSpace(l); l != "" && l != "/." {
					files = append(files, l)
				}
			}
			id.own(r, files, i)
		}
	}
}

// own marks files (absolute paths inside root r) as owned by package
// component i. Paths are resolved through symlinks inside the root (a
// merged-/usr system lists /lib/... for files under /usr/lib/...).
func (id *identifier) own(r root, files []string, i int) {
	for _, p := range files {
		info, err := fs.Stat(r.fsys, strings.TrimPrefix(path.Clean("/"+p), "/"))
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		if f, ok := info.Sys().(*firmware.File); ok && f != nil {
			id.owned[f.Path] = i
		}
	}
}

// maxRPMDB bounds the rpm database copied out for its file lists.
const maxRPMDB = 512 << 20

// rpmFiles lists the files of each package in the rpm database rel of
// fsys (SQLite, NDB or BerkeleyDB). The rpm readers need a real file, so
// the database is copied to a temporary directory first. A panic in the
// rpm readers on a hostile database becomes an error.
func rpmFiles(ctx context.Context, fsys fs.FS, rel string) (out map[string][]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%s: malformed rpm database: %v", rel, r)
		}
	}()
	dir, err := os.MkdirTemp("", "assay-rpmdb-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, path.Base(rel))
	if err := copyOut(fsys, rel, tmp, maxRPMDB); err != nil {
		return nil, err
	}
	db, err := rpmdb.Open(tmp)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	defer db.Close()
	pkgs, err := db.ListPackagesWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	out = map[string][]string{}
	for _, p := range pkgs {
		files, err := p.InstalledFileNames()
		if err != nil {
			continue // a damaged header: its files stay unowned
		}
		out[p.Name] = append(out[p.Name], files...)
	}
	return out, nil
}

// copyOut copies file name of fsys to the host file dst, at most max bytes.
func copyOut(fsys fs.FS, name, dst string, max int64) error {
	in, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(out, io.LimitReader(in, max+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy %s: %w", name, err)
	}
	if n > max {
		return fmt.Errorf("%s: larger than %d bytes", name, max)
	}
	return nil
}

// apkFiles lists the files of each package in an apk installed
// database: F: names a directory, R: a file in it.
func apkFiles(data []byte) map[string][]string {
	out := map[string][]string{}
	var pkg, dir string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if len(l) < 2 || l[1] != ':' {
			if l == "" {
				pkg, dir = "", ""
			}
			continue
		}
		v := l[2:]
		switch l[0] {
		case 'P':
			pkg = v
		case 'F':
			dir = v
		case 'R':
			if pkg != "" {
				out[pkg] = append(out[pkg], "/"+path.Join(dir, v))
			}
		}
	}
	return out
}
