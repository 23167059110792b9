// Package extract turns software evidence — SBOMs, lockfiles, Go binaries,
// OS package databases, container images and whole directory trees — into
// an inventory.Inventory.
//
// Two entry points cover every caller:
//
//   - Path(ctx, path, opts) inventories one file or directory on disk. A
//     single file must be in a supported format: an unsupported, malformed
//     or oversized file is an error naming the file and the problem. A
//     directory is walked (see FS).
//   - FS(ctx, fsys, root, opts) walks an already unpacked, read-only file
//     tree (a firmware root filesystem, an image's merged layers) from
//     root. Each file is dispatched to the parser for its format; files in
//     no supported format are skipped; files that look relevant but fail
//     to parse, executables that are not Go binaries and archives that
//     are not unpacked are listed in Inventory.Unassessed with the reason.
//
// Symbolic links are never followed during a walk, and Path opens
// directories through os.Root, so nothing outside the given root is read.
// Every bound is a named field of limit.Limits.
package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/assayhq/assay/extract/gobinary"
	"github.com/assayhq/assay/extract/image"
	"github.com/assayhq/assay/extract/internal/plugin"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/extract/lockfile"
	"github.com/assayhq/assay/extract/ospkg"
	"github.com/assayhq/assay/extract/sbom"
	"github.com/assayhq/assay/inventory"
)

// Options configures an extraction. The zero value is ready to use.
type Options struct {
	// Limits bounds sizes, counts and depth; zero fields take defaults.
	Limits limit.Limits
	// Logger receives debug and warning messages; nil discards them.
	Logger *slog.Logger
}

// ErrUnsupported is wrapped by the error for a single input file whose
// format is not recognised.
var ErrUnsupported = errors.New("unsupported or unrecognised format")

// ErrNotUnpacked is wrapped by the error for a single input file that is
// an archive (tar without an image manifest, zip, cpio, compressed data):
// extract reads no archive contents. Callers that can unpack archives,
// such as the firmware review in package scan, take it from there.
var ErrNotUnpacked = errors.New("archive not unpacked")

// headSize is how much of a file is read to recognise its format.
const headSize = 8 << 10

// Path inventories the file or directory at path. See the package
// documentation for how files and directories are treated.
func Path(ctx context.Context, p string, opts Options) (*inventory.Inventory, error) {
	x, err := newExtractor(opts)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		root, err := os.OpenRoot(p)
		if err != nil {
			return nil, err
		}
		defer root.Close()
		fsys := root.FS()
		if isOCILayout(fsys) {
			return x.image(ctx, fsys, ".", p)
		}
		return x.walk(ctx, fsys, ".", p)
	}
	// A symbolic link named by the user is followed: the user chose it.
	// Only links met inside a walk are confined to the walk's root.
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(filepath.Dir(real))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	base := filepath.Base(real)
	inv, err := x.file(ctx, root.FS(), base, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, stripName(err, base))
	}
	inv.Target = p
	relocate(inv, base, p)
	return inv, nil
}

// relocate rewrites locations naming the single input file by its base
// name (alone or as the outer part of "archive!inner") to the path the
// caller gave.
func relocate(inv *inventory.Inventory, base, full string) {
	inv.MapPaths(func(p string) string {
		if p == base {
			return full
		}
		if rest, ok := strings.CutPrefix(p, base+"!"); ok {
			return full + "!" + rest
		}
		return p
	})
}

// FS walks fsys from root (use "." for the whole tree) and inventories
// every file in a supported format. root is treated as the root of the
// software tree (package databases are found at root/var/lib/dpkg/status
// and so on); locations are paths in fsys. It does not follow symbolic
// links; fsys should be read-only.
func FS(ctx context.Context, fsys fs.FS, root string, opts Options) (*inventory.Inventory, error) {
	x, err := newExtractor(opts)
	if err != nil {
		return nil, err
	}
	sub := fsys
	if root != "." {
		if sub, err = fs.Sub(fsys, root); err != nil {
			return nil, fmt.Errorf("walk %s: %w", root, err)
		}
	}
	inv, err := x.walk(ctx, sub, ".", root)
	if err != nil {
		return nil, err
	}
	if root != "." {
		inv.MapPaths(func(p string) string { return path.Join(root, p) })
	}
	return inv, nil
}

// extractor holds the parsers and options of one extraction.
type extractor struct {
	lim     limit.Limits
	log     *slog.Logger
	parsers []plugin.Parser
}

func newExtractor(opts Options) (*extractor, error) {
	lim := opts.Limits.WithDefaults()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lp, err := lockfile.Parsers(lim)
	if err != nil {
		return nil, err
	}
	op, err := ospkg.Parsers(lim)
	if err != nil {
		return nil, err
	}
	return &extractor{lim: lim, log: log, parsers: append(lp, op...)}, nil
}

// walk inventories the tree under root.
func (x *extractor) walk(ctx context.Context, fsys fs.FS, root, target string) (*inventory.Inventory, error) {
	inv := &inventory.Inventory{Target: target, Kind: inventory.KindDirectory}
	files := 0
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			inv.Skip(p, "cannot read: "+err.Error())
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != root && skipDirs[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() { // symlinks, devices, sockets
			return nil
		}
		files++
		if files > x.lim.MaxFiles {
			inv.Skip(p, fmt.Sprintf("walk stopped: more than %d files", x.lim.MaxFiles))
			return fs.SkipAll
		}
		sub, err := x.file(ctx, fsys, p, false)
		switch {
		case errors.Is(err, errIrrelevant):
		case err != nil:
			x.log.Debug("unassessed", "path", p, "err", err)
			inv.Skip(p, stripName(err, p).Error())
		default:
			inv.Merge(sub)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", target, err)
	}
	return inv, nil
}

// skipDirs are directory names never descended into: version control
// metadata and kernel pseudo file systems of a root filesystem.
var skipDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, "proc": true, "sys": true, "dev": true}

// errIrrelevant marks a file in no supported format during a walk.
var errIrrelevant = errors.New("irrelevant")

// file inventories one regular file. single says the file was named by
// the user: then an unknown format is an error instead of errIrrelevant.
func (x *extractor) file(ctx context.Context, fsys fs.FS, p string, single bool) (inv *inventory.Inventory, err error) {
	defer func() {
		if r := recover(); r != nil {
			inv, err = nil, fmt.Errorf("%s: parser failed: %v", p, r)
		}
	}()
	info, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, err
	}
	base := path.Base(p)
	if base == "go.sum" {
		if single {
			return nil, fmt.Errorf("%s: go.sum alone is not a build list (it keeps stale versions); inventory go.mod or its directory", p)
		}
		return nil, errIrrelevant
	}
	if ps, ok := plugin.Find(x.parsers, p, info); ok {
		return ps.Parse(ctx, fsys, p)
	}
	head, err := readHead(fsys, p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	kind := sniff(base, head)
	if kind == fmtUnknown && len(head) == headSize && bytes.HasPrefix(bytes.TrimSpace(head), []byte("{")) && info.Size() <= x.lim.MaxFileBytes {
		if kind, err = x.sniffJSON(fsys, p); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	switch kind {
	case fmtCycloneDXJSON, fmtCycloneDXXML, fmtSPDXJSON, fmtSPDXTagValue, fmtSPDX3:
		return x.sbom(ctx, fsys, p, kind)
	case fmtExecutable:
		return x.binary(ctx, fsys, p, info)
	case fmtTar:
		if image.IsImageArchive(fsys, p) {
			return x.imageArchive(ctx, fsys, p)
		}
		if single {
			return nil, fmt.Errorf("%s: %w: a tar archive without manifest.json or index.json is not a container image; unpack it and inventory the directory, or scan it as a firmware image", p, ErrNotUnpacked)
		}
		return nil, fmt.Errorf("%s: %w", p, ErrNotUnpacked)
	case fmtArchive:
		return nil, fmt.Errorf("%s: %w", p, ErrNotUnpacked)
	}
	if single {
		if sub, ok := x.singleOSDB(base, head); ok {
			return sub.Parse(ctx, fsys, p)
		}
		return nil, fmt.Errorf("%s: %w", p, ErrUnsupported)
	}
	return nil, errIrrelevant
}

// singleOSDB recognises a package database named directly by the user
// outside its usual root filesystem path.
func (x *extractor) singleOSDB(base string, head []byte) (plugin.Parser, bool) {
	want := ""
	switch {
	case base == "status" && bytes.HasPrefix(head, []byte("Package:")):
		want = "dpkg"
	case base == "installed" && (bytes.HasPrefix(head, []byte("C:")) || bytes.HasPrefix(head, []byte("P:"))):
		want = "apk"
	case base == "Packages" || base == "Packages.db" || base == "rpmdb.sqlite":
		want = "rpm"
	}
	for _, ps := range x.parsers {
		if ps.Name == want {
			return ps, true
		}
	}
	return plugin.Parser{}, false
}

func (x *extractor) sbom(ctx context.Context, fsys fs.FS, p string, kind format) (*inventory.Inventory, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var read func(context.Context, io.Reader, string, limit.Limits) (*inventory.Inventory, error)
	switch kind {
	case fmtCycloneDXJSON:
		read = sbom.ReadCycloneDXJSON
	case fmtCycloneDXXML:
		read = sbom.ReadCycloneDXXML
	case fmtSPDXJSON:
		read = sbom.ReadSPDXJSON
	case fmtSPDXTagValue:
		read = sbom.ReadSPDXTagValue
	case fmtSPDX3:
		read = sbom.ReadSPDX3
	}
	return read(ctx, f, p, x.lim)
}

func (x *extractor) binary(ctx context.Context, fsys fs.FS, p string, info fs.FileInfo) (*inventory.Inventory, error) {
	if info.Size() > x.lim.MaxBinaryBytes {
		return nil, fmt.Errorf("%s: executable not read: %w: %d bytes, limit %d", p, limit.ErrTooLarge, info.Size(), x.lim.MaxBinaryBytes)
	}
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ra, ok := f.(io.ReaderAt)
	if !ok {
		data, err := limit.ReadAll(f, x.lim.MaxBinaryBytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		ra = bytes.NewReader(data)
	}
	inv, err := gobinary.Read(ctx, ra, p)
	if errors.Is(err, gobinary.ErrNotGo) {
		return nil, fmt.Errorf("%s: executable without Go build information; native code is not identified by inventory", p)
	}
	return inv, err
}

func isOCILayout(fsys fs.FS) bool {
	_, err := fs.Stat(fsys, "oci-layout")
	return err == nil
}

// image inventories an OCI image layout directory.
func (x *extractor) image(ctx context.Context, fsys fs.FS, dir, target string) (*inventory.Inventory, error) {
	img, err := image.Open(ctx, fsys, dir, x.lim)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", target, err)
	}
	defer img.Close()
	return x.imageInventory(ctx, img, target)
}

// imageArchive inventories a docker save or OCI archive (tar).
func (x *extractor) imageArchive(ctx context.Context, fsys fs.FS, p string) (*inventory.Inventory, error) {
	img, err := image.OpenArchive(ctx, fsys, p, x.lim)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	defer img.Close()
	inv, err := x.imageInventory(ctx, img, p)
	if err != nil {
		return nil, err
	}
	inv.MapPaths(func(inner string) string {
		if inner == p { // the archive itself
			return p
		}
		return p + "!" + inner
	})
	return inv, nil
}

// imageInventory inventories every image of img (up to MaxImages), each
// component location carrying its image reference and layer digest.
func (x *extractor) imageInventory(ctx context.Context, img *image.Image, target string) (*inventory.Inventory, error) {
	all := &inventory.Inventory{Target: target, Kind: inventory.KindImage, Format: img.Format}
	all.Unassessed = append(all.Unassessed, img.Unassessed...)
	for i, ref := range img.Refs {
		if err := img.Select(i, x.lim); err != nil {
			if len(img.Refs) == 1 {
				return nil, fmt.Errorf("%s: %w", target, err)
			}
			all.Skip(target, fmt.Sprintf("image %s: %v", imageName(ref, i), err))
			continue
		}
		inv, err := x.imageWalk(ctx, img, target)
		if err != nil {
			if len(img.Refs) == 1 {
				return nil, err
			}
			all.Skip(target, fmt.Sprintf("image %s: %v", imageName(ref, i), err))
			continue
		}
		for c := range inv.Components {
			for j := range inv.Components[c].Locations {
				inv.Components[c].Locations[j].Image = ref
			}
		}
		if len(img.Refs) > 1 {
			for j := range inv.Unassessed {
				inv.Unassessed[j].Reason = "image " + imageName(ref, i) + ": " + inv.Unassessed[j].Reason
			}
		}
		all.Merge(inv)
	}
	return all, nil
}

// imageName names image i for messages.
func imageName(ref string, i int) string {
	if ref == "" {
		return fmt.Sprintf("#%d", i+1)
	}
	return ref
}

// imageWalk walks the merged layers of the selected image.
func (x *extractor) imageWalk(ctx context.Context, img *image.Image, target string) (*inventory.Inventory, error) {
	known := len(img.Unassessed)
	rootfs, err := img.RootFS(ctx, x.lim, func(p string, info fs.FileInfo) bool { return x.wanted(p, info) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", target, err)
	}
	inv, err := x.walk(ctx, rootfs, ".", target)
	if err != nil {
		return nil, err
	}
	for i := range inv.Components {
		for j := range inv.Components[i].Locations {
			l := &inv.Components[i].Locations[j]
			l.Layer = rootfs.Layer(l.Path)
		}
	}
	// Layer entries refused while applying the layers come first.
	inv.Unassessed = append(slices.Clip(img.Unassessed[known:]), inv.Unassessed...)
	return inv, nil
}

// wanted reports whether an image file's content is needed by the walk:
// parser paths, likely SBOMs and executables. Other files are listed
// without content.
func (x *extractor) wanted(p string, info fs.FileInfo) bool {
	if _, ok := plugin.Find(x.parsers, p, info); ok {
		return true
	}
	base := path.Base(p)
	if base == "go.sum" || base == "os-release" {
		return true
	}
	if info.Mode()&0o111 != 0 {
		return true
	}
	switch strings.ToLower(path.Ext(base)) {
	case ".json", ".xml", ".spdx", ".cdx", ".bom", ".tv", ".jsonld", ".exe", ".so", ".bin", ".tar":
		return true
	}
	return false
}

// sniffJSON scans the top-level keys of a JSON file too long to be
// recognised from its head. The error says that a limit was exceeded
// before an identifying key was found.
func (x *extractor) sniffJSON(fsys fs.FS, p string) (format, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return fmtUnknown, nil
	}
	defer f.Close()
	return sniffJSONKeys(limit.Reader(f, x.lim.MaxFileBytes), x.lim)
}

func readHead(fsys fs.FS, p string) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, headSize)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:n], nil
}

// stripName removes a leading "name: " from err's message so that callers
// that prefix the full path do not repeat it.
func stripName(err error, name string) error {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, name+": "); ok {
		return &strippedError{msg: rest, err: err}
	}
	return err
}

type strippedError struct {
	msg string
	err error
}

func (e *strippedError) Error() string { return e.msg }
func (e *strippedError) Unwrap() error { return e.err }
