package firmware

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxLinkHops bounds symlink resolution inside FS.
const maxLinkHops = 40

// FS is the read-only merged view of extracted files. It implements
// fs.FS, fs.StatFS, fs.ReadDirFS, fs.ReadFileFS and fs.ReadLinkFS.
// Symlinks resolve inside the container that holds them: an absolute
// target starts at that container's root and ".." never leaves it.
// FileInfo.Sys returns the *File record. FS is safe for concurrent use.
type FS struct {
	root *node
}

type node struct {
	name     string
	parent   *node
	croot    *node // root directory of the container holding this node
	file     *File
	children map[string]*node
	next     map[string]int // name → the N of name~N to try first (see uniqueName)
	mode     fs.FileMode
	mtime    time.Time
}

func newFS() *FS {
	r := &node{mode: fs.ModeDir | 0o755, children: map[string]*node{}}
	r.croot = r
	return &FS{root: r}
}

func (n *node) isDir() bool { return n.mode.IsDir() }

// mkdirAll creates the directory p (clean, slash-separated, relative),
// giving new directories the container root croot. With a nil croot the
// last directory becomes a container root itself (a mount point).
func (f *FS) mkdirAll(p string, croot *node) (*node, error) {
	cur := f.root
	if p == "." || p == "" {
		return cur, nil
	}
	parts := strings.Split(p, "/")
	for i, part := range parts {
		c, ok := cur.children[part]
		if !ok {
			c = &node{name: part, parent: cur, croot: croot, mode: fs.ModeDir | 0o755, children: map[string]*node{}}
			if croot == nil {
				c.croot = cur.croot
				if i == len(parts)-1 {
					c.croot = c
				}
			}
			cur.children[part] = c
		}
		if !c.isDir() {
			return nil, &fs.PathError{Op: "mkdir", Path: p, Err: fs.ErrExist}
		}
		cur = c
	}
	return cur, nil
}

// uniqueName returns name, or name~N (the least N free) when name exists
// in dir. Entries are never removed, so the search resumes where the last
// one for name ended: an archive repeating one name n times costs O(n),
// not O(n²) (20,000 tar members named "a" took 22 s).
func uniqueName(dir *node, name string) string {
	if _, ok := dir.children[name]; !ok {
		return name
	}
	if dir.next == nil {
		dir.next = map[string]int{}
	}
	for i := max(dir.next[name], 1); ; i++ {
		n := name + "~" + strconv.Itoa(i)
		if _, ok := dir.children[n]; !ok {
			dir.next[name] = i
			return n
		}
	}
}

// lookup finds name, following symlinks in every component and, when
// follow is set, in the last one.
func (f *FS) lookup(name string, follow bool) (*node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	hops := 0
	n, err := f.walk(f.root, name, follow, &hops)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return n, nil
}

func (f *FS) walk(start *node, p string, follow bool, hops *int) (*node, error) {
	cur := start
	if p == "." || p == "" {
		return cur, nil
	}
	parts := strings.Split(p, "/")
	for i, part := range parts {
		last := i == len(parts)-1
		switch part {
		case "", ".":
			continue
		case "..":
			if cur != cur.croot && cur.parent != nil {
				cur = cur.parent
			}
			continue
		}
		if !cur.isDir() {
			return nil, fs.ErrNotExist
		}
		c, ok := cur.children[part]
		if !ok {
			return nil, fs.ErrNotExist
		}
		if c.mode&fs.ModeSymlink != 0 && (!last || follow) {
			*hops++
			if *hops > maxLinkHops {
				return nil, errors.New("too many levels of symbolic links")
			}
			base, target := cur, c.file.Link
			if strings.HasPrefix(target, "/") {
				base, target = c.croot, strings.TrimLeft(target, "/")
			}
			t, err := f.walk(base, target, true, hops)
			if err != nil {
				return nil, err
			}
			c = t
		}
		cur = c
	}
	return cur, nil
}

// Open opens the named file, following symlinks.
func (f *FS) Open(name string) (fs.File, error) {
	n, err := f.lookup(name, true)
	if err != nil {
		return nil, err
	}
	if n.isDir() {
		return &dirHandle{n: n}, nil
	}
	fh, err := os.Open(n.file.blob)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &fileHandle{f: fh, n: n}, nil
}

// Stat returns information about the named file, following symlinks.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	n, err := f.lookup(name, true)
	if err != nil {
		return nil, err
	}
	return info{n}, nil
}

// Lstat returns information about the named file without following a
// final symlink.
func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	n, err := f.lookup(name, false)
	if err != nil {
		return nil, err
	}
	return info{n}, nil
}

// ReadLink returns the target of the named symlink as recorded in the image.
func (f *FS) ReadLink(name string) (string, error) {
	n, err := f.lookup(name, false)
	if err != nil {
		return "", err
	}
	if n.mode&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return n.file.Link, nil
}

// ReadDir lists the named directory sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	n, err := f.lookup(name, true)
	if err != nil {
		return nil, err
	}
	if !n.isDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	return n.entries(), nil
}

// ReadFile reads the named file.
func (f *FS) ReadFile(name string) ([]byte, error) {
	n, err := f.lookup(name, true)
	if err != nil {
		return nil, err
	}
	if n.isDir() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	return os.ReadFile(n.file.blob)
}

func (n *node) entries() []fs.DirEntry {
	out := make([]fs.DirEntry, 0, len(n.children))
	for _, c := range n.children {
		out = append(out, fs.FileInfoToDirEntry(info{c}))
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out
}

type info struct{ n *node }

func (i info) Name() string {
	if i.n.parent == nil {
		return "."
	}
	return i.n.name
}
func (i info) Size() int64 {
	if i.n.file != nil && i.n.mode.IsRegular() {
		return i.n.file.Size
	}
	return 0
}
func (i info) Mode() fs.FileMode  { return i.n.mode }
func (i info) ModTime() time.Time { return i.n.mtime }
func (i info) IsDir() bool        { return i.n.isDir() }

// Sys returns the *File record (nil for directories made by Unpack).
func (i info) Sys() any { return i.n.file }

type fileHandle struct {
	f *os.File
	n *node
}

func (h *fileHandle) Stat() (fs.FileInfo, error)                { return info{h.n}, nil }
func (h *fileHandle) Read(p []byte) (int, error)                { return h.f.Read(p) }
func (h *fileHandle) ReadAt(p []byte, off int64) (int, error)   { return h.f.ReadAt(p, off) }
func (h *fileHandle) Seek(off int64, whence int) (int64, error) { return h.f.Seek(off, whence) }
func (h *fileHandle) Close() error                              { return h.f.Close() }

type dirHandle struct {
	n    *node
	list []fs.DirEntry
	read bool
}

func (d *dirHandle) Stat() (fs.FileInfo, error) { return info{d.n}, nil }
func (d *dirHandle) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.n.name, Err: errors.New("is a directory")}
}
func (d *dirHandle) Close() error { return nil }
func (d *dirHandle) ReadDir(count int) ([]fs.DirEntry, error) {
	if !d.read {
		d.list, d.read = d.n.entries(), true
	}
	if count <= 0 {
		out := d.list
		d.list = nil
		return out, nil
	}
	if len(d.list) == 0 {
		return nil, io.EOF
	}
	k := min(count, len(d.list))
	out := d.list[:k]
	d.list = d.list[k:]
	return out, nil
}
