// Package plugin is the small interface between package extract and the
// per-family parser packages, plus the adapter that runs one osv-scalibr
// extractor on one file of an fs.FS.
package plugin

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/assayhq/assay/extract/internal/pkgurl"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
)

// Parser reads one file format found by path in a file tree.
type Parser struct {
	// Name names the format ("package-lock.json", "dpkg", ...).
	Name string
	// Kind is the inventory kind the format yields.
	Kind inventory.Kind
	// Match reports whether the file at p (slash-separated, relative to
	// the root of the tree) is in this format.
	Match func(p string, info fs.FileInfo) bool
	// Parse reads the file at p in fsys.
	Parse func(ctx context.Context, fsys fs.FS, p string) (*inventory.Inventory, error)
}

// Find returns the first parser whose Match accepts the file at p.
func Find(ps []Parser, p string, info fs.FileInfo) (Parser, bool) {
	for _, ps := range ps {
		if ps.Match(p, info) {
			return ps, true
		}
	}
	return Parser{}, false
}

// ParsePath parses the file at p in fsys with the first matching parser.
func ParsePath(ctx context.Context, ps []Parser, fsys fs.FS, p string) (*inventory.Inventory, error) {
	info, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, err
	}
	parser, ok := Find(ps, p, info)
	if !ok {
		return nil, fmt.Errorf("%s: no parser for this path", p)
	}
	return parser.Parse(ctx, fsys, p)
}

// Scalibr wraps one osv-scalibr filesystem extractor as a Parser. convert
// may adjust each converted component using the scalibr package (for
// example to fill SourceName from OS package metadata); it may be nil.
func Scalibr(name string, kind inventory.Kind, ex filesystem.Extractor, lim limit.Limits,
	convert func(*extractor.Package, *inventory.Component)) Parser {
	return Parser{
		Name: name,
		Kind: kind,
		Match: func(p string, info fs.FileInfo) bool {
			return ex.FileRequired(fileAPI{p: p, info: info})
		},
		Parse: func(ctx context.Context, fsys fs.FS, p string) (*inventory.Inventory, error) {
			return runScalibr(ctx, ex, fsys, p, name, kind, lim, convert)
		},
	}
}

func runScalibr(ctx context.Context, ex filesystem.Extractor, fsys fs.FS, p, format string, kind inventory.Kind,
	lim limit.Limits, convert func(*extractor.Package, *inventory.Component)) (inv *inventory.Inventory, err error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() > lim.MaxFileBytes {
		return nil, fmt.Errorf("%s: %w: %d bytes, limit %d", p, limit.ErrTooLarge, info.Size(), lim.MaxFileBytes)
	}
	defer func() {
		if r := recover(); r != nil {
			inv, err = nil, fmt.Errorf("%s: %s parser failed: %v", p, format, r)
		}
	}()
	in := &filesystem.ScanInput{
		FS:     statFS{fsys},
		Path:   p,
		Info:   info,
		Reader: limit.Reader(f, lim.MaxFileBytes),
	}
	res, err := ex.Extract(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if err := limit.Count(len(res.Packages), lim.MaxComponents, "packages"); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	inv = &inventory.Inventory{Target: p, Kind: kind, Format: format}
	for _, pkg := range res.Packages {
		c := Component(pkg, p)
		if convert != nil {
			convert(pkg, &c)
		}
		inv.Add(c)
	}
	return inv, nil
}

// Component converts a scalibr package found in file.
func Component(p *extractor.Package, file string) inventory.Component {
	c := inventory.Component{
		Name:      p.Name,
		Version:   p.Version,
		Ecosystem: p.Ecosystem().String(),
		Licenses:  p.Licenses,
		Locations: []inventory.Location{{Path: file}},
	}
	if d := p.Location.Descriptor; d != nil && d.File != nil {
		c.Locations[0].Line = d.File.LineNumber
	}
	if pu := p.PURL(); pu != nil {
		// scalibr adds a private "source" qualifier (npm registry kind).
		q := pu.Qualifiers
		pu.Qualifiers = nil
		for _, k := range q {
			if k.Key != "source" {
				pu.Qualifiers = append(pu.Qualifiers, k)
			}
		}
		if canon, parsed, ok := pkgurl.Normalize(pu.String()); ok {
			c.PURL = canon
			if c.Ecosystem == "" {
				c.Ecosystem = pkgurl.Ecosystem(parsed)
			}
		}
	}
	c.ID = c.PURL
	if c.ID == "" {
		c.ID = c.Name + "@" + c.Version
	}
	return c
}

// fileAPI is the scalibr view of one file during matching.
type fileAPI struct {
	p    string
	info fs.FileInfo
}

func (f fileAPI) Path() string { return f.p }

func (f fileAPI) Stat() (fs.FileInfo, error) {
	if f.info == nil {
		return fakeInfo{name: path.Base(f.p)}, nil
	}
	return f.info, nil
}

// fakeInfo stands in when the caller has no FileInfo (size 0).
type fakeInfo struct{ name string }

func (i fakeInfo) Name() string       { return i.name }
func (i fakeInfo) Size() int64        { return 0 }
func (i fakeInfo) Mode() fs.FileMode  { return 0o444 }
func (i fakeInfo) ModTime() time.Time { return time.Time{} }
func (i fakeInfo) IsDir() bool        { return false }
func (i fakeInfo) Sys() any           { return nil }

// statFS adds ReadDir and Stat to any fs.FS, as scalibr requires.
type statFS struct{ fs.FS }

func (s statFS) Open(name string) (fs.File, error) { return s.FS.Open(clean(name)) }
func (s statFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(s.FS, clean(name))
}
func (s statFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(s.FS, clean(name)) }

// clean turns scalibr's occasional absolute or ./ paths into fs.FS paths.
func clean(name string) string {
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	if name == "" {
		return "."
	}
	return name
}

// ReadFile reads p from fsys, failing beyond max bytes.
func ReadFile(fsys fs.FS, p string, max int64) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return limit.ReadAll(f, max)
}
