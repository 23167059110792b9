package lists

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
)

// unpack returns the content of b: gunzipped when it is gzip, the first
// member ending in want (case-insensitive; any member when want is "")
// when it is a zip archive, else b itself. Output is bounded by
// lim.MaxUnpackedBytes.
func unpack(name string, b []byte, want string, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("gunzip %s: %w", name, err)
		}
		return readBounded(name, zr, lim.MaxUnpackedBytes)
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return nil, fmt.Errorf("unzip %s: %w", name, err)
		}
		for _, f := range zr.File {
			if want != "" && !strings.HasSuffix(strings.ToLower(f.Name), strings.ToLower(want)) {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				return nil, fmt.Errorf("unzip %s: %s: %w", name, f.Name, err)
			}
			defer rc.Close()
			return readBounded(name+":"+f.Name, rc, lim.MaxUnpackedBytes)
		}
		return nil, fmt.Errorf("unzip %s: no member ending in %q", name, want)
	}
	return b, nil
}

func readBounded(name string, r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("read %s: larger than %d bytes unpacked", name, max)
	}
	return b, nil
}
