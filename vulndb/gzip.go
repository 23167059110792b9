package vulndb

import (
	"bufio"
	"compress/gzip"
	"io"
)

// maybeGunzip returns r decompressed when it starts with the gzip magic,
// else r itself.
func maybeGunzip(r io.Reader) (io.Reader, func() error, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	magic, _ := br.Peek(2)
	if len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return br, func() error { return nil }, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, nil, err
	}
	return zr, zr.Close, nil
}
