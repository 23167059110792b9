// Package supplier assesses vendors: who they are (profiles with
// ownership, facilities and sub-suppliers), whether they or their owners
// are on restricted-party lists (through package screen over the lists
// imported by package lists), and the resulting supplier risk profile with
// evidence per review factor.
package supplier

import (
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/assayhq/assay/supplier/lists"
	"github.com/assayhq/assay/supplier/screen"
)

// ListsDir is where the imported lists are kept under the data directory.
func ListsDir(home string) string { return filepath.Join(home, "supplier") }

// OpenScreener loads the imported lists from the data directory and opens
// a screener over them, from the screening index saved beside the lists
// (<home>/supplier/screen-index.gob) when it belongs to them; a missing or
// stale index is rebuilt and saved. Failing to save the rebuilt index is
// logged, not fatal.
func OpenScreener(home string, opt screen.Options, log *slog.Logger) (*screen.Screener, *lists.Snapshot, error) {
	snap, err := lists.Load(ListsDir(home))
	if err != nil {
		return nil, nil, fmt.Errorf("open supplier lists: %w", err)
	}
	s, rebuilt, err := screen.Open(ListsDir(home), snap, opt)
	switch {
	case log == nil || !rebuilt:
	case err != nil:
		log.Warn("screening index rebuilt but not saved; the next run rebuilds it again", "err", err)
	default:
		log.Debug("screening index rebuilt and saved", "dir", ListsDir(home))
	}
	return s, snap, nil
}

// SaveScreenIndex builds the screening index over snap and saves it in the
// data directory, so that screening commands start without building it.
func SaveScreenIndex(home string, snap *lists.Snapshot) error {
	return screen.New(snap, screen.Options{}).SaveIndex(ListsDir(home))
}
