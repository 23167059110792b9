package firmware

import (
	"fmt"
	"time"
)

// Limits bounds the work Unpack does on hostile input. A limit that is hit
// turns the affected file or container into an Unassessed entry naming the
// limit; it never aborts the whole unpack. Zero fields take the value from
// DefaultLimits.
type Limits struct {
	// MaxTotalBytes caps the bytes written for all extracted files and
	// intermediate (decompressed) blobs together.
	MaxTotalBytes int64
	// MaxRatio caps MaxTotalBytes further to MaxRatio times the image size
	// (decompression-bomb guard).
	MaxRatio float64
	// MaxDepth caps the number of nested container layers (a gzip inside a
	// squashfs inside a uImage is depth 3).
	MaxDepth int
	// MaxFiles caps the number of files, directories and links extracted.
	MaxFiles int
	// MaxFileSize caps the size of one extracted file or decompressed blob.
	MaxFileSize int64
	// Timeout caps the wall-clock time of one Unpack call.
	Timeout time.Duration
	// MaxUnassessed caps the number of Unassessed entries recorded; the
	// rest are summarised in one final entry.
	MaxUnassessed int
}

// DefaultLimits returns the limits used for zero fields of Limits: 4 GiB
// total, ratio 100, depth 8, 200 000 files, 1 GiB per file, 10 minutes,
// 1000 unassessed entries.
func DefaultLimits() Limits {
	return Limits{
		MaxTotalBytes: 4 << 30,
		MaxRatio:      100,
		MaxDepth:      8,
		MaxFiles:      200_000,
		MaxFileSize:   1 << 30,
		Timeout:       10 * time.Minute,
		MaxUnassessed: 1000,
	}
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = d.MaxFiles
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	if l.MaxUnassessed <= 0 {
		l.MaxUnassessed = d.MaxUnassessed
	}
	return l
}

// LimitError reports that a named limit stopped part of the unpack.
type LimitError struct {
	Limit string // "max-total-bytes", "max-ratio", "max-depth", "max-files", "max-file-size", "timeout"
	Value string // the configured value
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("limit %s (%s) reached", e.Limit, e.Value)
}
