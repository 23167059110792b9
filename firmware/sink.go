package firmware

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"
)

// entry is one directory entry read from a container.
type entry struct {
	Name     string      // path inside the container as recorded
	Mode     fs.FileMode // type and permission bits
	UID, GID int
	ModTime  time.Time
	Link     string // symlink target
	HardLink string // hard-link target (path inside the same container)
	Size     int64  // content size of a regular file
	// Open returns the content of a regular file.
	Open func() (io.Reader, error)
	// pre, when set, holds the content already spooled by a prefetcher.
	pre *prefetched
}

// sink receives the entries of one container and places them in the FS.
type sink struct {
	u      *unpacker
	chain  []Layer
	mount  string
	opaque bool // entries are raw payloads: carve them
	root   *node
	count  int
	byPath map[string]*File // inner path -> regular file, for hard links
}

func (s *sink) mountPath() string {
	if s.root == nil {
		return s.mount
	}
	return nodePath(s.root)
}

func nodePath(n *node) string {
	var parts []string
	for ; n.parent != nil; n = n.parent {
		parts = append(parts, n.name)
	}
	if len(parts) == 0 {
		return "."
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "/")
}

// mountNode creates the container's root directory on first use.
func (s *sink) mountNode() (*node, error) {
	if s.root != nil {
		return s.root, nil
	}
	if s.mount == "." {
		s.root = s.u.fsys.root
		return s.root, nil
	}
	parent, err := s.u.fsys.mkdirAll(path.Dir(s.mount), nil)
	if err != nil {
		return nil, err
	}
	name := path.Base(s.mount)
	if c, ok := parent.children[name]; ok && !c.isDir() {
		name = uniqueName(parent, name)
	}
	n, err := s.u.fsys.mkdirAll(path.Join(nodePath(parent), name), nil)
	if err != nil {
		return nil, err
	}
	s.root = n
	return n, nil
}

// innerName cleans a recorded name; ok is false when it escapes the root.
func innerName(name string) (string, bool) {
	depth := 0
	for _, p := range strings.Split(name, "/") {
		switch p {
		case "", ".":
		case "..":
			depth--
			if depth < 0 {
				return "", false
			}
		default:
			depth++
		}
	}
	return path.Clean("/" + name), true
}

// display is how unassessed entries name an entry of this container.
func (s *sink) display(inner string) string {
	return path.Join(s.mountPath(), strings.TrimPrefix(inner, "/"))
}

// emit places one entry. It returns an error only when extraction of the
// container must stop (a global limit).
func (s *sink) emit(ctx context.Context, e entry) error {
	u := s.u
	if err := u.check(ctx); err != nil {
		return err
	}
	inner, ok := innerName(e.Name)
	if !ok {
		u.unassessed(s.display(path.Base(e.Name)), fmt.Sprintf("path traversal: entry %q leaves the container root; not extracted", e.Name))
		return nil
	}
	if inner == "/" {
		return nil
	}
	switch {
	case e.Mode&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeIrregular) != 0:
		u.res.Ignored = append(u.res.Ignored, Unassessed{Path: s.display(inner), Reason: "special file (" + modeString(e.Mode) + ") not extracted"})
		return nil
	}
	u.files++
	if u.files > u.lim.MaxFiles {
		err := &LimitError{Limit: "max-files", Value: fmt.Sprint(u.lim.MaxFiles)}
		u.stop(err)
		return err
	}
	root, err := s.mountNode()
	if err != nil {
		u.unassessed(s.mount, "cannot create mount directory: "+err.Error())
		return nil
	}
	rel := strings.TrimPrefix(inner, "/")
	dir, err := u.fsys.mkdirAll(path.Join(nodePath(root), path.Dir(rel)), root.croot)
	if err != nil {
		u.unassessed(s.display(inner), "parent is not a directory: "+err.Error())
		return nil
	}
	f := &File{InnerPath: inner, Chain: s.chain, Mode: e.Mode, UID: e.UID, GID: e.GID, ModTime: e.ModTime, Link: e.Link}
	name := path.Base(rel)
	switch {
	case e.Mode.IsDir():
		n, err := u.fsys.mkdirAll(path.Join(nodePath(dir), name), root.croot)
		if err != nil {
			u.unassessed(s.display(inner), "name conflict: "+err.Error())
			return nil
		}
		n.mode, n.mtime, n.file = e.Mode, e.ModTime, f
		s.record(f, n)
		return nil
	case e.Mode&fs.ModeSymlink != 0:
		s.place(dir, name, f)
		return nil
	case e.HardLink != "":
		target, ok := innerName(e.HardLink)
		t := s.byPath[target]
		if !ok || t == nil {
			u.unassessed(s.display(inner), fmt.Sprintf("hard link to %q: target not found in the container", e.HardLink))
			return nil
		}
		f.Size, f.SHA256, f.blob = t.Size, t.SHA256, t.blob
		if f.Mode.Perm() == 0 {
			f.Mode = t.Mode
		}
		s.place(dir, name, f)
		return nil
	}
	if e.Size > u.lim.MaxFileSize {
		u.unassessed(s.display(inner), fmt.Sprintf("file of %d bytes not extracted: limit max-file-size (%d) reached", e.Size, u.lim.MaxFileSize))
		return nil
	}
	if e.Open == nil {
		u.unassessed(s.display(inner), "file type "+modeString(e.Mode)+" has no readable content")
		return nil
	}
	var out spooled
	if e.pre != nil {
		<-e.pre.done
		out, err = e.pre.out, e.pre.err
	} else {
		out, err = u.spool1(ctx, e)
	}
	if err != nil && u.stopErr() != nil {
		return u.stopErr()
	}
	if err != nil && out.path == "" && u.stopErr() == nil {
		u.unassessed(s.display(inner), "read: "+err.Error())
		return nil
	}
	if err != nil {
		u.unassessed(s.display(inner), "not fully extracted: "+err.Error())
		if u.stopErr() != nil {
			return err
		}
		if out.path == "" {
			return nil
		}
	}
	f.Size, f.SHA256, f.blob = out.size, out.sha256, out.path
	n := s.place(dir, name, f)
	if n != nil {
		s.nested(ctx, n, f, out)
	}
	return nil
}

// addBlob places an already spooled blob as a regular file at the
// container root.
func (s *sink) addBlob(name string, out spooled) {
	root, err := s.mountNode()
	if err != nil {
		s.u.unassessed(s.mount, "cannot create mount directory: "+err.Error())
		return
	}
	f := &File{InnerPath: "/" + name, Chain: s.chain, Mode: 0o644, UID: -1, GID: -1, Size: out.size, SHA256: out.sha256, blob: out.path}
	s.place(root, name, f)
}

// place inserts a non-directory node. On a conflict with a directory the
// new entry is renamed NAME~N; an earlier non-directory of the same name
// (a tar or cpio member written twice) is kept as NAME~N and the new one
// takes the name, as on the device.
func (s *sink) place(dir *node, name string, f *File) *node {
	if c, ok := dir.children[name]; ok {
		if c.isDir() {
			name = uniqueName(dir, name)
		} else {
			old := uniqueName(dir, name)
			c.name = old
			dir.children[old] = c
			if c.file != nil {
				c.file.Path = nodePath(c)
			}
		}
	}
	n := &node{name: name, parent: dir, croot: dir.croot, file: f, mode: f.Mode, mtime: f.ModTime}
	dir.children[name] = n
	s.record(f, n)
	if f.Mode.IsRegular() {
		s.byPath[f.InnerPath] = f
	}
	return n
}

func (s *sink) record(f *File, n *node) {
	f.Path = nodePath(n)
	f.ModeString, f.Perm = modeString(f.Mode), unixPermString(f.Mode)
	s.count++
	s.u.res.Files = append(s.u.res.Files, f)
}

// nested analyses an extracted regular file for containers.
func (s *sink) nested(ctx context.Context, n *node, f *File, out spooled) {
	if out.size == 0 {
		return
	}
	fh, err := os.Open(out.path)
	if err != nil {
		return
	}
	defer fh.Close()
	pl := place{
		chain:    s.chain,
		blobPath: f.InnerPath,
		mount:    nodePath(n) + ".extracted",
		carve:    s.opaque,
		name:     strings.TrimSuffix(n.name, path.Ext(n.name)),
	}
	u := s.u
	key := fmt.Sprintf("%s/%t", out.sha256, s.opaque)
	if prev, ok := u.analysed[key]; ok {
		// Identical content was unpacked before: copy that result under
		// this file's provenance instead of unpacking it again.
		if prev.root != nil {
			s.cloneAnalysis(prev, n, f)
		}
		return
	}
	f0, c0 := len(u.res.Files), len(u.res.Containers)
	u.analyse(ctx, blob{r: fh, size: out.size}, pl)
	if u.stopErr() != nil {
		return // a partial result must not be copied
	}
	a := &blobAnalysis{prefix: len(s.chain), files: slices.Clone(u.res.Files[f0:]), containers: slices.Clone(u.res.Containers[c0:])}
	if r, ok := n.parent.children[n.name+".extracted"]; ok && r.isDir() && len(a.files) > 0 {
		a.root = r
	}
	u.analysed[key] = a
}

// blobAnalysis is what unpacking one nested file produced, kept so that
// identical content elsewhere in the image is copied, not unpacked again.
type blobAnalysis struct {
	root       *node // the NAME.extracted directory; nil when nothing was found
	prefix     int   // chain length of the file that was analysed
	files      []*File
	containers []Container
}

// cloneAnalysis copies a previous analysis below the file node n.
func (s *sink) cloneAnalysis(prev *blobAnalysis, n *node, f *File) {
	u := s.u
	if u.files+len(prev.files) > u.lim.MaxFiles {
		err := &LimitError{Limit: "max-files", Value: fmt.Sprint(u.lim.MaxFiles)}
		u.stop(err)
		u.unassessed(nodePath(n), "nested content not copied: "+err.Error())
		return
	}
	u.files += len(prev.files)
	oldBase := nodePath(prev.root)
	name := uniqueName(n.parent, n.name+".extracted")
	newBase := path.Join(nodePath(n.parent), name)
	chain := func(c []Layer) []Layer {
		out := append(slices.Clone(s.chain), c[prev.prefix:]...)
		out[len(s.chain)].Path = f.InnerPath
		return out
	}
	files := map[*File]*File{}
	var clone func(src, parent *node, name string, m map[*node]*node) *node
	clone = func(src, parent *node, name string, m map[*node]*node) *node {
		c := &node{name: name, parent: parent, mode: src.mode, mtime: src.mtime}
		m[src] = c
		if r, ok := m[src.croot]; ok && src.croot != src {
			c.croot = r
		} else {
			c.croot = c
		}
		if src.file != nil {
			nf := *src.file
			nf.Path = newBase + strings.TrimPrefix(src.file.Path, oldBase)
			nf.Chain = chain(src.file.Chain)
			files[src.file] = &nf
			c.file = &nf
		}
		if src.children != nil {
			c.children = make(map[string]*node, len(src.children))
			for k, ch := range src.children {
				c.children[k] = clone(ch, c, k, m)
			}
		}
		return c
	}
	n.parent.children[name] = clone(prev.root, n.parent, name, map[*node]*node{})
	for _, old := range prev.files {
		if nf, ok := files[old]; ok {
			u.res.Files = append(u.res.Files, nf)
		}
	}
	for _, c := range prev.containers {
		c.Chain = chain(c.Chain)
		c.Mount = newBase + strings.TrimPrefix(c.Mount, oldBase)
		u.res.Containers = append(u.res.Containers, c)
	}
}

// spool1 opens an entry and spools its content. A panic in a decoder
// becomes an error (prefetch workers run outside run's recover).
func (u *unpacker) spool1(ctx context.Context, e entry) (out spooled, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = spooled{}, fmt.Errorf("reader failed: %v", r)
		}
	}()
	r, err := e.Open()
	if err != nil {
		return spooled{}, err
	}
	out, err = u.spoolCopy(ctx, r)
	if rc, ok := r.(io.Closer); ok {
		rc.Close()
	}
	return out, err
}
