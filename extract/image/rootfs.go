package image

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
)

// RootFS is the merged, read-only file tree of an image's layers. Files
// the caller did not ask for are listed with their size but read as empty.
type RootFS struct {
	root   *node
	layers []string
}

type node struct {
	mode     fs.FileMode
	size     int64
	layer    int
	link     string // symlink target, or hard link target path
	hard     bool
	data     []byte
	children map[string]*node
	opaque   int // 1 + the layer of the last opaque whiteout applied to this directory
}

func newDir(layer int) *node {
	return &node{mode: fs.ModeDir | 0o755, layer: layer, children: map[string]*node{}}
}

// maxLinkHops bounds symbolic link resolution.
const maxLinkHops = 40

// RootFS applies the layers in order (whiteouts and opaque directories
// included) and loads the content of the regular files for which want
// returns true.
func (img *Image) RootFS(ctx context.Context, lim limit.Limits, want func(p string, info fs.FileInfo) bool) (*RootFS, error) {
	lim = lim.WithDefaults()
	r := &RootFS{root: newDir(-1), layers: img.Layers}
	budget := lim.MaxTotalBytes
	count := 0
	for i := range img.paths {
		if err := img.eachEntry(ctx, i, &budget, true, func(name string, h *tar.Header, _ *tar.Reader) error {
			count++
			if count > lim.MaxFiles {
				return fmt.Errorf("%w: more than %d files in the image layers", limit.ErrTooLarge, lim.MaxFiles)
			}
			r.apply(name, h, i)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	loads := r.plan(want)
	kept := int64(0)
	for i := range img.paths {
		if len(loads[i]) == 0 {
			continue
		}
		err := img.eachEntry(ctx, i, &budget, false, func(name string, h *tar.Header, tr *tar.Reader) error {
			targets := loads[i][name]
			if len(targets) == 0 || (h.Typeflag != tar.TypeReg && h.Typeflag != typeRegA) {
				return nil
			}
			if h.Size > lim.MaxFileBytes {
				img.skip(name, fmt.Sprintf("file of %d bytes exceeds the %d byte limit; not read", h.Size, lim.MaxFileBytes))
				return nil
			}
			if kept+h.Size > lim.MaxImageContentBytes {
				img.skip(name, fmt.Sprintf("not read: the image content kept in memory would exceed %d bytes", lim.MaxImageContentBytes))
				return nil
			}
			kept += h.Size
			data, err := io.ReadAll(io.LimitReader(tr, h.Size))
			if err != nil {
				return err
			}
			for _, n := range targets {
				n.data, n.size = data, int64(len(data))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (img *Image) skip(p, reason string) {
	img.Unassessed = append(img.Unassessed, inventory.Unassessed{Path: p, Reason: reason})
}

// eachEntry calls fn for every entry of layer i with a clean relative
// name; entries escaping the root are refused and recorded.
func (img *Image) eachEntry(ctx context.Context, i int, budget *int64, record bool, fn func(string, *tar.Header, *tar.Reader) error) error {
	tr, c, err := img.layerReader(i, budget)
	if err != nil {
		return err
	}
	defer c.Close()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("layer %s: %w", img.Layers[i], err)
		}
		name, ok := cleanName(h.Name)
		if !ok {
			if !record {
				continue
			}
			img.skip(img.Layers[i]+"!"+h.Name, "layer entry name escapes the image root; refused")
			continue
		}
		if name == "" {
			continue
		}
		if err := fn(name, h, tr); err != nil {
			return fmt.Errorf("layer %s: %s: %w", img.Layers[i], name, err)
		}
	}
}

// cleanName turns a tar entry name into a slash path relative to the
// root; ok is false when it contains a ".." element.
func cleanName(n string) (string, bool) {
	n = strings.TrimPrefix(n, "./")
	for _, el := range strings.Split(n, "/") {
		if el == ".." {
			return "", false
		}
	}
	c := path.Clean("/" + n)[1:]
	return c, true
}

// apply adds one layer entry (or whiteout) to the tree.
func (r *RootFS) apply(name string, h *tar.Header, layer int) {
	dir, base := path.Split(name)
	parent := r.mkdirAll(strings.TrimSuffix(dir, "/"), layer)
	if parent == nil {
		return
	}
	switch {
	case base == ".wh..wh..opq":
		// Once per layer: a layer repeating the marker among n entries
		// of the directory cost n² (20,000 of each took 2.5 s).
		if parent.opaque == layer+1 {
			return
		}
		parent.opaque = layer + 1
		for k, c := range parent.children {
			if c.layer < layer {
				delete(parent.children, k)
			}
		}
		return
	case strings.HasPrefix(base, ".wh."):
		delete(parent.children, strings.TrimPrefix(base, ".wh."))
		return
	}
	mode := fs.FileMode(h.Mode) & fs.ModePerm
	switch h.Typeflag {
	case tar.TypeDir:
		if old, ok := parent.children[base]; ok && old.children != nil {
			old.mode, old.layer = fs.ModeDir|mode, layer
			return
		}
		d := newDir(layer)
		d.mode = fs.ModeDir | mode
		parent.children[base] = d
	case tar.TypeReg, typeRegA:
		parent.children[base] = &node{mode: mode, size: h.Size, layer: layer}
	case tar.TypeSymlink:
		parent.children[base] = &node{mode: fs.ModeSymlink | 0o777, layer: layer, link: h.Linkname}
	case tar.TypeLink:
		if target, ok := cleanName(h.Linkname); ok {
			parent.children[base] = &node{mode: mode, layer: layer, link: target, hard: true}
		}
	}
}

// mkdirAll returns the directory node for dir, creating missing
// directories and following symbolic links inside the tree.
func (r *RootFS) mkdirAll(dir string, layer int) *node {
	if dir == "" || dir == "." {
		return r.root
	}
	if n, err := r.lookup(dir, true); err == nil && n.children != nil {
		return n
	}
	parentPath, base := path.Split(dir)
	parent := r.mkdirAll(strings.TrimSuffix(parentPath, "/"), layer)
	if parent == nil {
		return nil
	}
	d := newDir(layer)
	parent.children[base] = d
	return d
}

// plan decides which layer entries to read: per layer, entry name → the
// nodes that take its content (a hard link takes its target's).
func (r *RootFS) plan(want func(string, fs.FileInfo) bool) map[int]map[string][]*node {
	loads := map[int]map[string][]*node{}
	add := func(layer int, name string, n *node) {
		if loads[layer] == nil {
			loads[layer] = map[string][]*node{}
		}
		loads[layer][name] = append(loads[layer][name], n)
	}
	var walk func(dir string, d *node)
	walk = func(dir string, d *node) {
		for name, n := range d.children {
			p := path.Join(dir, name)
			switch {
			case n.children != nil:
				walk(p, n)
			case n.mode&fs.ModeSymlink != 0:
			case want(p, fileInfo{name: name, n: n}):
				if n.hard {
					add(n.layer, n.link, n)
				} else {
					add(n.layer, p, n)
				}
			}
		}
	}
	walk("", r.root)
	return loads
}

// lookup resolves name; symbolic links are followed inside the tree (an
// absolute or "../" target cannot leave the root), the last element only
// when followLast is set.
func (r *RootFS) lookup(name string, followLast bool) (*node, error) {
	parts := splitPath(name)
	cur, curPath, hops := r.root, []string(nil), 0
	for i := 0; i < len(parts); i++ {
		if cur.children == nil {
			return nil, fs.ErrNotExist
		}
		child, ok := cur.children[parts[i]]
		if !ok {
			return nil, fs.ErrNotExist
		}
		if child.mode&fs.ModeSymlink != 0 && (i < len(parts)-1 || followLast) {
			hops++
			if hops > maxLinkHops {
				return nil, fmt.Errorf("too many levels of symbolic links")
			}
			base := strings.Join(curPath, "/")
			if strings.HasPrefix(child.link, "/") {
				base = ""
			}
			target := path.Clean("/" + path.Join(base, child.link))[1:]
			parts = append(splitPath(target), parts[i+1:]...)
			cur, curPath, i = r.root, nil, -1
			continue
		}
		cur, curPath = child, append(curPath, parts[i])
	}
	return cur, nil
}

func splitPath(p string) []string {
	if p == "" || p == "." {
		return nil
	}
	return strings.Split(p, "/")
}

// Layer returns the digest of the layer that provided the file at p, or
// "" when unknown.
func (r *RootFS) Layer(p string) string {
	n, err := r.lookup(p, false)
	if err != nil || n.layer < 0 || n.layer >= len(r.layers) {
		return ""
	}
	return r.layers[n.layer]
}

// Open implements fs.FS.
func (r *RootFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	n, err := r.lookup(name, true)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	info := fileInfo{name: path.Base(name), n: n}
	if n.children != nil {
		return &dirFile{info: info, n: n}, nil
	}
	return &file{info: info, Reader: bytes.NewReader(n.data)}, nil
}

type fileInfo struct {
	name string
	n    *node
}

func (i fileInfo) Name() string               { return i.name }
func (i fileInfo) Size() int64                { return i.n.size }
func (i fileInfo) Mode() fs.FileMode          { return i.n.mode }
func (i fileInfo) ModTime() time.Time         { return time.Time{} }
func (i fileInfo) IsDir() bool                { return i.n.children != nil }
func (i fileInfo) Sys() any                   { return nil }
func (i fileInfo) Type() fs.FileMode          { return i.n.mode.Type() }
func (i fileInfo) Info() (fs.FileInfo, error) { return i, nil }

type file struct {
	info fileInfo
	*bytes.Reader
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Close() error               { return nil }

type dirFile struct {
	info    fileInfo
	n       *node
	entries []fs.DirEntry
	off     int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Close() error               { return nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errors.New("is a directory")}
}

// ReadDir implements fs.ReadDirFile, in name order.
func (d *dirFile) ReadDir(count int) ([]fs.DirEntry, error) {
	if d.entries == nil {
		names := make([]string, 0, len(d.n.children))
		for k := range d.n.children {
			names = append(names, k)
		}
		slices.Sort(names)
		d.entries = make([]fs.DirEntry, 0, len(names))
		for _, k := range names {
			d.entries = append(d.entries, fileInfo{name: k, n: d.n.children[k]})
		}
	}
	rest := d.entries[d.off:]
	if count <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if count > len(rest) {
		count = len(rest)
	}
	d.off += count
	return rest[:count], nil
}

// typeRegA is the pre-POSIX regular-file type flag ('\x00') that old
// layer tars still carry; archive/tar deprecated its constant but reads it.
const typeRegA = '\x00'
