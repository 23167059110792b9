// Package limit holds the named bounds every extractor honours, so that
// hostile input (huge, deeply nested or endless files, archive bombs) costs
// bounded memory and time.
package limit

import (
	"errors"
	"fmt"
	"io"
)

// Limits bounds the work done on one input. The zero value of a field
// means "use the default" (see Default); set a field to a negative value
// to disable that bound.
type Limits struct {
	// MaxFileBytes is the largest document (SBOM, lockfile, package
	// database, manifest) that is parsed. Default 256 MiB.
	MaxFileBytes int64
	// MaxBinaryBytes is the largest executable read for build information.
	// Default 1 GiB.
	MaxBinaryBytes int64
	// MaxStringBytes is the longest single token of a JSON or XML
	// document: a JSON string, number or run of white space; an XML text,
	// tag, comment, CDATA section, processing instruction or directive.
	// Decoders buffer each token whole, so this bounds their memory.
	// Default 16 MiB.
	MaxStringBytes int64
	// MaxComponents is the most components read from one document.
	// Default 2,000,000.
	MaxComponents int
	// MaxDepth is the deepest nesting of components (CycloneDX nested
	// components, pedigree) that is followed. Default 64.
	MaxDepth int
	// MaxFiles is the most files visited in a directory walk or unpacked
	// from an image. Default 1,000,000.
	MaxFiles int
	// MaxTotalBytes is the most bytes decompressed from one container
	// image (all layers together). Default 16 GiB.
	MaxTotalBytes int64
	// MaxLayers is the most layers of a container image. Default 512.
	MaxLayers int
	// MaxImageContentBytes is the most file content of one container image
	// kept in memory for the walk (package databases, executables, likely
	// SBOMs). Default 1 GiB.
	MaxImageContentBytes int64
	// MaxImages is the most images read from one multi-image archive
	// (docker save of several images) or OCI index. Default 64.
	MaxImages int
}

// Default returns the default limits.
func Default() Limits {
	return Limits{
		MaxFileBytes:   256 << 20,
		MaxBinaryBytes: 1 << 30,
		MaxStringBytes: 16 << 20,
		MaxComponents:  2_000_000,
		MaxDepth:       64,
		MaxFiles:       1_000_000,
		MaxTotalBytes:  16 << 30,
		MaxLayers:      512,

		MaxImageContentBytes: 1 << 30,
		MaxImages:            64,
	}
}

// WithDefaults returns l with every zero field set to its default and
// every negative field set to "unbounded".
func (l Limits) WithDefaults() Limits {
	d := Default()
	l.MaxFileBytes = pick64(l.MaxFileBytes, d.MaxFileBytes)
	l.MaxBinaryBytes = pick64(l.MaxBinaryBytes, d.MaxBinaryBytes)
	l.MaxStringBytes = pick64(l.MaxStringBytes, d.MaxStringBytes)
	l.MaxTotalBytes = pick64(l.MaxTotalBytes, d.MaxTotalBytes)
	l.MaxImageContentBytes = pick64(l.MaxImageContentBytes, d.MaxImageContentBytes)
	l.MaxComponents = int(pick64(int64(l.MaxComponents), int64(d.MaxComponents)))
	l.MaxDepth = int(pick64(int64(l.MaxDepth), int64(d.MaxDepth)))
	l.MaxFiles = int(pick64(int64(l.MaxFiles), int64(d.MaxFiles)))
	l.MaxLayers = int(pick64(int64(l.MaxLayers), int64(d.MaxLayers)))
	l.MaxImages = int(pick64(int64(l.MaxImages), int64(d.MaxImages)))
	return l
}

func pick64(v, def int64) int64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 1<<62 - 1
	}
	return v
}

// ErrTooLarge is wrapped by errors about input that exceeds a limit.
var ErrTooLarge = errors.New("input exceeds limit")

// Reader returns a reader that yields at most n bytes of r and then fails
// with an error wrapping ErrTooLarge (instead of a silent EOF that would
// look like a truncated file).
func Reader(r io.Reader, n int64) io.Reader {
	return &reader{r: r, left: n, max: n}
}

type reader struct {
	r    io.Reader
	left int64
	max  int64
}

func (l *reader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Probe for one more byte: exactly n bytes is fine.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, l.max)
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// ReadAll reads all of r, failing with ErrTooLarge beyond n bytes.
func ReadAll(r io.Reader, n int64) ([]byte, error) {
	return io.ReadAll(Reader(r, n))
}

// Count checks a running count against max and returns an error wrapping
// ErrTooLarge once it is exceeded; what names the counted thing.
func Count(n, max int, what string) error {
	if n > max {
		return fmt.Errorf("%w: more than %d %s", ErrTooLarge, max, what)
	}
	return nil
}
