package vulndb

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"path"
	"runtime"
	"strings"
	"sync"

	"github.com/assayhq/assay/advisory"
)

// Limits on one OSV all.zip.
const (
	// MaxZipMembers bounds the number of records in one zip.
	MaxZipMembers = 2_000_000
)

// parseOSVZip reads an OSV all.zip (one <ID>.json record per member) and
// sends every valid record to s. Malformed members are skipped and
// counted; a zip that cannot be opened fails as a whole. It returns the
// number of records read.
func parseOSVZip(ctx context.Context, r io.ReaderAt, size int64, s sink) (int, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return 0, fmt.Errorf("open zip: %w", err)
	}
	if len(zr.File) > MaxZipMembers {
		return 0, fmt.Errorf("zip has %d members, over the limit of %d", len(zr.File), MaxZipMembers)
	}
	type result struct {
		name string
		rec  *record
		err  error
	}
	files := make(chan *zip.File)
	results := make(chan result, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range files {
				var r *record
				a, err := readOSVMember(f)
				if err == nil {
					r, err = prepare(a)
				}
				results <- result{f.Name, r, err}
			}
		}()
	}
	go func() {
		defer close(files)
		for _, f := range zr.File {
			if strings.HasSuffix(f.Name, "/") {
				continue
			}
			select {
			case files <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	n := 0
	var sinkErr error
	for res := range results {
		n++
		switch {
		case sinkErr != nil:
		case res.err != nil:
			s.skip(res.name, res.err.Error())
		default:
			sinkErr = s.advisory(res.rec)
		}
	}
	if sinkErr != nil {
		return n, sinkErr
	}
	return n, ctx.Err()
}

func readOSVMember(f *zip.File) (*advisory.Advisory, error) {
	if path.Ext(f.Name) != ".json" {
		return nil, fmt.Errorf("not a .json record")
	}
	if f.UncompressedSize64 > advisory.MaxRecordBytes {
		return nil, fmt.Errorf("record is %d bytes, over the %d byte limit", f.UncompressedSize64, advisory.MaxRecordBytes)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, advisory.MaxRecordBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return advisory.Parse(data)
}

// parseEcosystems reads an OSV ecosystems.txt: one ecosystem per line.
func parseEcosystems(data []byte) []string {
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if e := strings.TrimSpace(line); e != "" && !strings.HasPrefix(e, "#") {
			out = append(out, e)
		}
	}
	return out
}
