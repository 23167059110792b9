package vulndb

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// layout names the files of the advisory database under a home
// directory:
//
//	<home>/db/CURRENT               name of the snapshot in service
//	<home>/db/snapshots/<name>/     one immutable snapshot (vuln.db)
//	<home>/db/snapshots/.tmp-*      a snapshot being built
//	<home>/db/lock                  held while an update or import runs
type layout struct{ root string }

func newLayout(home string) layout { return layout{root: filepath.Join(home, "db")} }

func (l layout) snapshots() string              { return filepath.Join(l.root, "snapshots") }
func (l layout) snapshotDir(name string) string { return filepath.Join(l.snapshots(), name) }
func (l layout) snapshotDB(name string) string {
	return filepath.Join(l.snapshotDir(name), "vuln.db")
}

// current returns the name of the snapshot in service.
func (l layout) current() (string, error) {
	b, err := os.ReadFile(filepath.Join(l.root, "CURRENT"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", ErrNoDatabase
	}
	if err != nil {
		return "", fmt.Errorf("read current snapshot: %w", err)
	}
	name := strings.TrimSpace(string(b))
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return "", fmt.Errorf("corrupt %s: %q", filepath.Join(l.root, "CURRENT"), name)
	}
	return name, nil
}

// lock takes the exclusive update lock, failing at once when another
// update or import holds it. The lock dies with the process (kill -9
// included), so it never goes stale.
func (l layout) lock() (unlock func(), err error) {
	if err := os.MkdirAll(l.snapshots(), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", l.root, err)
	}
	f, err := os.OpenFile(filepath.Join(l.root, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another 'assay db update' or 'db import' is running on %s", l.root)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// staging creates a fresh directory for a snapshot being built. Leftovers
// of interrupted runs are removed first (the caller holds the lock, so
// nobody else is using them).
func (l layout) staging() (string, error) {
	old, _ := filepath.Glob(filepath.Join(l.snapshots(), ".tmp-*"))
	for _, d := range old {
		os.RemoveAll(d)
	}
	return os.MkdirTemp(l.snapshots(), ".tmp-")
}

// newName returns a sortable, unique snapshot name.
func newName(now time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// install moves a complete staging directory into place and makes it the
// current snapshot. The switch is one rename of the CURRENT file, so a
// crash at any point leaves either the old or the new snapshot in service.
// All snapshots but the new one and its predecessor are then removed.
func (l layout) install(staging, name string) error {
	if err := syncDir(staging); err != nil {
		return err
	}
	dst := l.snapshotDir(name)
	if err := os.Rename(staging, dst); err != nil {
		return fmt.Errorf("install snapshot: %w", err)
	}
	prev, _ := l.current()
	tmp := filepath.Join(l.root, "CURRENT.tmp")
	if err := writeFileSync(tmp, []byte(name+"\n")); err != nil {
		return fmt.Errorf("install snapshot: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(l.root, "CURRENT")); err != nil {
		return fmt.Errorf("install snapshot: %w", err)
	}
	if err := syncDir(l.root); err != nil {
		return err
	}
	l.prune(name, prev)
	return nil
}

// prune removes snapshots other than keep.
func (l layout) prune(keep ...string) {
	entries, err := os.ReadDir(l.snapshots())
	if err != nil {
		return
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.HasPrefix(n, ".tmp-") || contains(keep, n) {
			continue
		}
		os.RemoveAll(l.snapshotDir(n))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func writeFileSync(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
