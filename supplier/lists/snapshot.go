package lists

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// snapshotVersion is the on-disk format version of the snapshot file.
const snapshotVersion = 1

// SnapshotFile is the name of the snapshot inside the lists directory.
const SnapshotFile = "lists.gob"

// ErrNoSnapshot reports that no lists have been imported yet.
var ErrNoSnapshot = errors.New("no supplier lists imported (run `assay supplier lists update`)")

// Save writes s to dir/lists.gob atomically: it is written to a temporary
// file in dir, synced, and renamed over the previous snapshot, so readers
// see either the old or the new snapshot, never a mix.
func Save(dir string, s *Snapshot) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save supplier lists: %w", err)
	}
	tmp, err := os.CreateTemp(dir, SnapshotFile+".tmp-*")
	if err != nil {
		return fmt.Errorf("save supplier lists: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 1<<20)
	if err := gob.NewEncoder(w).Encode(s); err != nil {
		tmp.Close()
		return fmt.Errorf("save supplier lists: encode: %w", err)
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("save supplier lists: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save supplier lists: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save supplier lists: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, SnapshotFile)); err != nil {
		return fmt.Errorf("save supplier lists: %w", err)
	}
	return nil
}

// Load reads the snapshot stored in dir; it returns ErrNoSnapshot when
// there is none.
func Load(dir string) (*Snapshot, error) {
	p := filepath.Join(dir, SnapshotFile)
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoSnapshot
	}
	if err != nil {
		return nil, fmt.Errorf("load supplier lists: %w", err)
	}
	defer f.Close()
	var s Snapshot
	if err := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&s); err != nil {
		return nil, fmt.Errorf("load supplier lists %s: %w", p, err)
	}
	if s.Version != snapshotVersion {
		return nil, fmt.Errorf("load supplier lists %s: format version %d, want %d (run `assay supplier lists update`)", p, s.Version, snapshotVersion)
	}
	if s.Lists == nil {
		s.Lists = map[string]*ListState{}
	}
	if s.Entries == nil {
		s.Entries = map[string][]Entry{}
	}
	return &s, nil
}
