package detect

import (
	"bytes"
	"io"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/assayhq/assay/firmware"
)

// image indexes the unpacked files by filesystem root.
type image struct {
	res     *firmware.Result
	opts    Options
	roots   []*root
	cracker cracker
}

// root is one filesystem inside the image (the innermost container of a
// set of files): the unit in which /etc/passwd, init scripts and
// absolute symlinks make sense.
type root struct {
	img       *image
	mount     string // directory of Result.FS holding the root ("" for the top)
	files     map[string]*firmware.File
	order     []*firmware.File
	enclosing []string

	dirsOnce sync.Once
	dirs     map[string][]string // directory → inner paths of its entries (see glob)
	globWork int                 // path matches glob has tried
}

func newImage(res *firmware.Result, opts Options) *image {
	img := &image{res: res, opts: opts}
	byKey := map[string]*root{}
	for _, f := range res.Files {
		key := strings.Join(f.Container(), "\x00")
		r := byKey[key]
		if r == nil {
			rel := strings.TrimPrefix(f.InnerPath, "/")
			mount := strings.TrimSuffix(strings.TrimSuffix(f.Path, rel), "/")
			r = &root{img: img, mount: mount, files: map[string]*firmware.File{}, enclosing: f.Enclosing()}
			byKey[key] = r
			img.roots = append(img.roots, r)
		}
		r.files[f.InnerPath] = f
		r.order = append(r.order, f)
	}
	return img
}

// fsPath maps an inner path of the root to a path of Result.FS.
func (r *root) fsPath(inner string) string {
	p := strings.TrimPrefix(path.Clean("/"+inner), "/")
	if r.mount == "" {
		if p == "" {
			return "."
		}
		return p
	}
	if p == "" {
		return r.mount
	}
	return r.mount + "/" + p
}

// lookup returns the file record at inner, following symlinks inside the
// root, or nil.
func (r *root) lookup(inner string) *firmware.File {
	fi, err := r.img.res.FS.Stat(r.fsPath(inner))
	if err != nil {
		return nil
	}
	f, _ := fi.Sys().(*firmware.File)
	return f
}

// read returns the content of the regular file at inner (symlinks
// followed), bounded by MaxFileSize; nil when missing or too large.
func (r *root) read(inner string) []byte {
	f := r.lookup(inner)
	if f == nil || !f.Mode.IsRegular() {
		return nil
	}
	b, _ := r.img.readFile(f)
	return b
}

// readFile reads a regular file bounded by MaxFileSize.
func (img *image) readFile(f *firmware.File) ([]byte, error) {
	if f.Size > img.opts.MaxFileSize {
		img.opts.Log.Debug("detect: file too large, skipped", "path", f.Path, "size", f.Size)
		return nil, nil
	}
	h, err := img.res.FS.Open(f.Path)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	return io.ReadAll(io.LimitReader(h, img.opts.MaxFileSize))
}

// maxGlobWork bounds the path matches the globs of one root try; past it
// glob finds nothing.
const maxGlobWork = 10_000_000

// glob returns the inner paths of the root's entries matching pattern
// (path.Match syntax), sorted. It matches only the entries of the
// directories the pattern's directory part names: matching every entry
// of the root for each pattern made a boot script naming thousands of
// wildcard paths (or thousands of enabled systemd units, each with its
// drop-in pattern) cost patterns × files. Work is bounded by maxGlobWork
// for the root. Not safe for concurrent use.
func (r *root) glob(pattern string) []string {
	r.dirsOnce.Do(func() {
		r.dirs = map[string][]string{}
		for p := range r.files {
			r.dirs[path.Dir(p)] = append(r.dirs[path.Dir(p)], p)
		}
		for _, ps := range r.dirs {
			slices.Sort(ps)
		}
	})
	dir := path.Dir(pattern)
	dirs := []string{dir}
	if strings.ContainsAny(dir, `*?[\`) {
		dirs = nil
		r.globWork += len(r.dirs)
		if r.globWork > maxGlobWork {
			return nil
		}
		for d := range r.dirs {
			if ok, _ := path.Match(dir, d); ok {
				dirs = append(dirs, d)
			}
		}
	}
	// Entries must start with the pattern's literal prefix.
	base := path.Base(pattern)
	lit := base[:strings.IndexAny(base+"*", `*?[\`)]
	var out []string
	for _, d := range dirs {
		ps := r.dirs[d]
		prefix := path.Join(d, lit)
		if lit == "" {
			prefix = ""
		}
		i, _ := slices.BinarySearch(ps, prefix)
		j := i + sort.Search(len(ps)-i, func(k int) bool { return !strings.HasPrefix(ps[i+k], prefix) })
		r.globWork += 1 + j - i
		if r.globWork > maxGlobWork {
			return nil
		}
		for _, p := range ps[i:j] {
			if ok, _ := path.Match(pattern, p); ok {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out
}

// problem returns a Problem located at f.
func problem(f *firmware.File, category, severity, confidence, detail, evidence string) Problem {
	return Problem{
		Category: category, Severity: severity, Confidence: confidence,
		Path: f.InnerPath, Container: f.Enclosing(), Detail: detail, Evidence: evidence,
	}
}

// isExecutable reports whether any execute bit is set.
func isExecutable(f *firmware.File) bool { return f.Mode&0o111 != 0 }

// isText reports whether b looks like text: no NUL byte in its first 8 KiB.
func isText(b []byte) bool {
	return !bytes.Contains(b[:min(len(b), 8<<10)], []byte{0})
}

// docPrefixes hold documentation, examples and manuals: never problems.
var docPrefixes = []string{
	"/usr/share/doc/", "/usr/share/man/", "/usr/share/info/", "/usr/share/examples/",
	"/usr/local/share/doc/", "/usr/local/share/man/", "/usr/doc/", "/usr/man/",
	"/usr/share/common-licenses/", "/usr/share/licenses/", "/usr/share/gtk-doc/",
	"/usr/include/", "/usr/share/locale/", "/usr/share/zoneinfo/",
}

// isDoc reports whether inner is documentation, an example or a sample:
// content detectors skip it.
func isDoc(inner string) bool {
	for _, p := range docPrefixes {
		if strings.HasPrefix(inner, p) {
			return true
		}
	}
	base := strings.ToLower(path.Base(inner))
	for _, s := range []string{".example", ".sample", ".dist", ".md", ".rst", ".pod"} {
		if strings.HasSuffix(base, s) {
			return true
		}
	}
	for _, s := range []string{"example", "readme", "license", "copying", "changelog", "sample"} {
		if strings.Contains(base, s) {
			return true
		}
	}
	return strings.Contains(inner, "/examples/") || strings.Contains(inner, "/doc/") || strings.Contains(inner, "/man/man")
}

// isPackageDB reports whether inner belongs to a package database, whose
// homepage URLs and maintainer addresses are not endpoints.
func isPackageDB(inner string) bool {
	for _, p := range []string{"/var/lib/dpkg/", "/usr/lib/opkg/", "/var/lib/opkg/", "/lib/apk/db/", "/var/lib/rpm/", "/usr/lib/sysimage/rpm/", "/lib/opkg/"} {
		if strings.HasPrefix(inner, p) {
			return true
		}
	}
	return strings.Contains(inner, ".egg-info/") || strings.Contains(inner, ".dist-info/")
}

// isLibraryTree reports third-party language library trees (Python,
// Node, Perl, Ruby packages), whose docstrings and defaults name many
// project sites.
func isLibraryTree(inner string) bool {
	for _, s := range []string{"/site-packages/", "/dist-packages/", "/node_modules/", "/usr/lib/perl", "/usr/share/perl", "/usr/lib/ruby/", "/usr/lib/python"} {
		if strings.Contains(inner, s) {
			return true
		}
	}
	return false
}

// isCode reports source files of programming languages other than shell,
// in which a password assignment counts only with a quoted literal.
func isCode(inner string, b []byte) bool {
	switch path.Ext(inner) {
	case ".py", ".pyc", ".js", ".mjs", ".ts", ".lua", ".php", ".pl", ".pm", ".rb", ".go", ".c", ".h", ".cc", ".cpp", ".java", ".cs", ".rs", ".tcl":
		return true
	}
	first, _, _ := bytes.Cut(b[:min(len(b), 256)], []byte("\n"))
	f := string(first)
	return strings.HasPrefix(f, "#!") && (strings.Contains(f, "python") || strings.Contains(f, "perl") || strings.Contains(f, "node") ||
		strings.Contains(f, "lua") || strings.Contains(f, "php") || strings.Contains(f, "ruby"))
}
