// Package supplier assesses vendors: who they are (profiles with
// ownership, facilities and sub-suppliers), whether they or their owners
// are on restricted-party lists (through package screen over the lists
// imported by package lists), and the resulting supplier risk profile with
// evidence per review factor.
package supplier

import (
	"fmt"
	"path/filepath"

	"github.com/assayhq/assay/supplier/lists"
	"github.com/assayhq/assay/supplier/screen"
)

// ListsDir is where the imported lists are kept under the data directory.
func ListsDir(home string) string { return filepath.Join(home, "supplier") }

// OpenScreener loads the imported lists from the data directory and builds
// a screener over them.
func OpenScreener(home string, opt screen.Options) (*screen.Screener, *lists.Snapshot, error) {
	snap, err := lists.Load(ListsDir(home))
	if err != nil {
		return nil, nil, fmt.Errorf("open supplier lists: %w", err)
	}
	return screen.New(snap, opt), snap, nil
}
