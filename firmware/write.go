package firmware

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// WriteDir writes the extracted tree into dir, which must be empty or
// absent. Every write goes through an os.Root, so nothing lands outside
// dir. Regular files get their permission bits without setuid, setgid or
// sticky; symlinks are written only when their target stays inside the
// container that holds them (absolute targets are rewritten relative to
// the container root). It returns the entries it did not write, with
// reasons.
func (r *Result) WriteDir(dir string) ([]Unassessed, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	if len(ents) > 0 {
		return nil, fmt.Errorf("write %s: directory is not empty", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	defer root.Close()
	w := &dirWriter{root: root}
	if err := w.walk(r.FS.root, "."); err != nil {
		return w.skipped, fmt.Errorf("write %s: %w", dir, err)
	}
	return w.skipped, nil
}

type dirWriter struct {
	root    *os.Root
	skipped []Unassessed
}

func (w *dirWriter) walk(n *node, p string) error {
	for _, de := range n.entries() {
		c := n.children[de.Name()]
		cp := path.Join(p, c.name)
		switch {
		case c.isDir():
			if err := w.root.MkdirAll(cp, 0o755); err != nil {
				w.skipped = append(w.skipped, Unassessed{Path: cp, Reason: "directory not written: " + err.Error()})
				continue
			}
			if err := w.walk(c, cp); err != nil {
				return err
			}
		case c.mode&fs.ModeSymlink != 0:
			t, ok := linkInside(c)
			if !ok {
				w.skipped = append(w.skipped, Unassessed{Path: cp, Reason: fmt.Sprintf("symlink to %q leaves its container; not written", c.file.Link)})
				continue
			}
			if err := w.root.Symlink(t, cp); err != nil {
				w.skipped = append(w.skipped, Unassessed{Path: cp, Reason: "symlink: " + err.Error()})
			}
		case c.mode.IsRegular():
			if err := w.copyFile(c, cp); err != nil {
				var pe *os.PathError
				if !errors.As(err, &pe) {
					return err
				}
				w.skipped = append(w.skipped, Unassessed{Path: cp, Reason: "not written: " + err.Error()})
			}
		}
	}
	return nil
}

func (w *dirWriter) copyFile(n *node, p string) error {
	src, err := os.Open(n.file.blob)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := w.root.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, n.mode.Perm()|0o200)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// linkInside returns the on-disk target for a symlink node: relative,
// and resolving inside the node's container root. ok is false when the
// target would leave the container.
func linkInside(n *node) (string, bool) {
	t := n.file.Link
	if t == "" {
		return "", false
	}
	// Depth of the link's directory below the container root.
	depth := 0
	for d := n.parent; d != nil && d != n.croot; d = d.parent {
		depth++
	}
	if strings.HasPrefix(t, "/") {
		rel := strings.TrimLeft(path.Clean(t), "/")
		if rel == "" {
			rel = "."
		}
		return strings.Repeat("../", depth) + rel, true
	}
	level := depth
	for _, part := range strings.Split(t, "/") {
		switch part {
		case "", ".":
		case "..":
			level--
			if level < 0 {
				return "", false
			}
		default:
			level++
		}
	}
	return t, true
}
