package identify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/assayhq/assay/extract/gobinary"
	"github.com/assayhq/assay/firmware"
	"github.com/assayhq/assay/inventory"
	"github.com/assayhq/assay/supplier/eol"
)

// DefaultMaxFileSize is the size above which a file is not scanned for
// version signatures when Options.MaxFileSize is 0.
const DefaultMaxFileSize = 256 << 20

// Options configures Identify. The zero value is ready to use.
type Options struct {
	// EOL is the endoflife.date data; the zero value marks nothing.
	EOL eol.DB
	// Now is the date for end-of-life decisions; zero means time.Now().
	Now time.Time
	// Log receives debug messages; nil discards them.
	Log *slog.Logger
	// MaxFileSize bounds the files scanned for signatures (and read for Go
	// build information); larger files are listed as unassessed. 0 means
	// DefaultMaxFileSize.
	MaxFileSize int64
}

// Identify lists the software components inside an unpacked image.
//
// Package databases come first: a regular file that a dpkg, opkg or apk
// package lists as its own is not reported again when a signature matches
// it; the signature's evidence is added to the package component instead.
// Files with identical content are scanned once. Components found by
// signatures in several files (the same BusyBox in two firmware banks) are
// one component with several locations. Files that cannot be read, or that
// exceed MaxFileSize, are returned as unassessed with the reason. A
// cancelled ctx stops the work and returns ctx's error.
func Identify(ctx context.Context, res *firmware.Result, opts Options) ([]inventory.Component, []inventory.Unassessed, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if res == nil || res.FS == nil {
		return nil, nil, errors.New("identify: no unpacked image")
	}
	id := &identifier{res: res, opts: opts, scan: newScanner()}
	pkgs, err := id.packageDatabases(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := id.scanFiles(ctx); err != nil {
		return nil, nil, err
	}
	comps := id.assemble(pkgs)
	for i := range comps {
		markEOL(&comps[i], opts.EOL, opts.Now)
	}
	slices.SortStableFunc(id.unassessed, func(a, b inventory.Unassessed) int { return cmp.Compare(a.Path, b.Path) })
	return comps, id.unassessed, nil
}

// identifier holds the state of one Identify call.
type identifier struct {
	res        *firmware.Result
	opts       Options
	scan       *scanner
	unassessed []inventory.Unassessed

	// owned maps a Result.FS path of a regular file to the package
	// component (index into the package list) that lists it.
	owned map[string]int
	// byHash holds the analysis of each distinct content.
	byHash map[string]*analysis
}

// analysis is what one distinct file content yields.
type analysis struct {
	matches []match
	golang  []inventory.Component // Go modules, locations unset
	err     error
}

// location renders where f is for a component or finding.
func location(f *firmware.File) inventory.Location {
	return inventory.Location{Path: f.InnerPath, Container: f.Enclosing()}
}

// unassessedPath names a file for an unassessed entry: the enclosing
// containers and the inner path joined with "!".
func unassessedPath(f *firmware.File) string {
	return strings.Join(append(f.Enclosing(), f.InnerPath), "!")
}

func (id *identifier) skip(f *firmware.File, reason string) {
	id.unassessed = append(id.unassessed, inventory.Unassessed{Path: unassessedPath(f), Reason: reason})
}

// scanFiles analyses every distinct regular file content once, in
// parallel, within the size cap.
func (id *identifier) scanFiles(ctx context.Context) error {
	id.byHash = map[string]*analysis{}
	var todo []*firmware.File
	for _, f := range id.res.Files {
		if !f.Mode.IsRegular() || f.Size == 0 {
			continue
		}
		if f.Size > id.opts.MaxFileSize {
			id.skip(f, fmt.Sprintf("%d bytes, larger than the %d-byte limit for version signatures; not scanned", f.Size, id.opts.MaxFileSize))
			continue
		}
		if _, ok := id.byHash[f.SHA256]; ok && f.SHA256 != "" {
			continue
		}
		a := &analysis{}
		if f.SHA256 != "" {
			id.byHash[f.SHA256] = a
		} else {
			id.byHash["path:"+f.Path] = a
		}
		todo = append(todo, f)
	}
	workers := min(runtime.GOMAXPROCS(0), 4)
	ch := make(chan *firmware.File)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for f := range ch {
				id.analyse(ctx, f, id.analysisOf(f))
			}
		})
	}
	var err error
feed:
	for _, f := range todo {
		select {
		case ch <- f:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(ch)
	wg.Wait()
	if err != nil {
		return fmt.Errorf("identify: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("identify: %w", err)
	}
	return nil
}

func (id *identifier) analysisOf(f *firmware.File) *analysis {
	if f.SHA256 != "" {
		return id.byHash[f.SHA256]
	}
	return id.byHash["path:"+f.Path]
}

// analyse reads one file and fills a; it runs in a worker.
func (id *identifier) analyse(ctx context.Context, f *firmware.File, a *analysis) {
	if ctx.Err() != nil {
		a.err = ctx.Err()
		return
	}
	data, err := readFile(id.res.FS, f.Path, id.opts.MaxFileSize)
	if err != nil {
		a.err = err
		return
	}
	a.matches = id.scan.scan(data)
	if isExecutable(data) {
		inv, err := gobinary.Read(ctx, bytesReaderAt(data), f.InnerPath)
		switch {
		case err == nil:
			a.golang = inv.Components
		case !errors.Is(err, gobinary.ErrNotGo):
			id.opts.Log.Debug("go build information unreadable", "path", f.Path, "err", err)
		}
	}
}

// readFile reads at most max bytes of name.
func readFile(fsys fs.FS, name string, max int64) ([]byte, error) {
	fh, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, max)
	}
	return data, nil
}

// isExecutable reports whether data starts like an executable format that
// Go can build (ELF, PE, Mach-O, XCOFF, Wasm).
func isExecutable(data []byte) bool {
	for _, m := range []string{"\x7fELF", "MZ", "\xfe\xed\xfa", "\xfa\xed\xfe", "\xcf\xfa\xed\xfe", "\xce\xfa\xed\xfe", "\x01\xdf", "\x01\xf7", "\x00asm"} {
		if strings.HasPrefix(string(data[:min(len(data), 4)]), m) {
			return true
		}
	}
	return false
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// assemble turns package components and per-file analyses into the
// result list.
func (id *identifier) assemble(pkgs []inventory.Component) []inventory.Component {
	var out []inventory.Component
	bySig := map[string]int{} // name@version -> index in out
	found := id.foundIn()
	for _, f := range id.res.Files {
		if !f.Mode.IsRegular() || f.Size == 0 || f.Size > id.opts.MaxFileSize {
			continue
		}
		a := id.analysisOf(f)
		if a == nil {
			continue
		}
		if a.err != nil {
			id.skip(f, "cannot be read: "+a.err.Error())
			continue
		}
		loc := location(f)
		owner, owned := id.owned[f.Path]
		for _, m := range a.matches {
			if unpackedElsewhere(found[m.sig.name+"@"+m.version], f) {
				continue
			}
			ev := fmt.Sprintf("%s %q at %#x", kindOf(m), m.evidence, m.offset)
			if owned {
				addEvidence(&pkgs[owner], fmt.Sprintf("%s in %s (%s %s)", ev, f.InnerPath, m.sig.name, m.version))
				continue
			}
			key := m.sig.name + "@" + m.version
			if i, ok := bySig[key]; ok {
				out[i].Locations = append(out[i].Locations, loc)
				continue
			}
			bySig[key] = len(out)
			out = append(out, signatureComponent(m, loc, ev))
		}
		for _, c := range a.golang {
			key := "go|" + c.Name + "@" + c.Version + "|" + c.PURL
			if i, ok := bySig[key]; ok {
				out[i].Locations = append(out[i].Locations, loc)
				continue
			}
			bySig[key] = len(out)
			c.Locations = []inventory.Location{loc}
			c.Metadata = maps(maps0(c.Metadata))
			c.Metadata[inventory.MetaEvidence] = "go build information in " + f.InnerPath
			out = append(out, c)
		}
		for _, fsig := range fileSignatures {
			sm := fsig.re.FindStringSubmatch(path.Base(f.InnerPath))
			if sm == nil || owned {
				continue
			}
			key := fsig.name + "@" + sm[1]
			if i, ok := bySig[key]; ok {
				out[i].Locations = append(out[i].Locations, loc)
				continue
			}
			bySig[key] = len(out)
			out = append(out, genericComponent(fsig.name, sm[1], "library", []string{fsig.cpe(sm[1])}, loc,
				fmt.Sprintf("file name %q", path.Base(f.InnerPath))))
		}
	}
	out = append(pkgs, out...)
	slices.SortStableFunc(out, func(a, b inventory.Component) int {
		return cmp.Or(cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Version, b.Version), cmp.Compare(firstPath(a), firstPath(b)))
	})
	return out
}

// foundIn maps each signature hit (name@version) to the Result.FS paths
// of the files holding it.
func (id *identifier) foundIn() map[string][]string {
	out := map[string][]string{}
	for _, f := range id.res.Files {
		if !f.Mode.IsRegular() {
			continue
		}
		if a := id.analysisOf(f); a != nil {
			for _, m := range a.matches {
				k := m.sig.name + "@" + m.version
				out[k] = append(out[k], f.Path)
			}
		}
	}
	return out
}

// unpackedElsewhere reports whether one of paths lies in what was unpacked
// from f (f.Path + ".extracted/"): a hit in a container file (a ramdisk
// cpio, a firmware blob) is then the same software as the hit in the
// extracted file, and only the extracted file is reported.
func unpackedElsewhere(paths []string, f *firmware.File) bool {
	prefix := f.Path + ".extracted/"
	for _, p := range paths {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

func firstPath(c inventory.Component) string {
	if len(c.Locations) == 0 {
		return ""
	}
	return c.Locations[0].Path
}

func kindOf(m match) string {
	if m.sig.bare != nil {
		return "marker"
	}
	return "banner"
}

// maps0 copies m, so that components cached per content do not share
// their metadata maps.
func maps0(m map[string]string) map[string]string {
	c := make(map[string]string, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}

func maps(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// addEvidence appends one piece of evidence to a component's MetaEvidence.
func addEvidence(c *inventory.Component, ev string) {
	c.Metadata = maps(c.Metadata)
	if old := c.Metadata[inventory.MetaEvidence]; old != "" {
		ev = old + "; " + ev
	}
	c.Metadata[inventory.MetaEvidence] = ev
}
