package firmware

import (
	"bytes"
	"context"
	"io"
	"slices"
)

// format describes one container or compression format.
type format struct {
	name     string
	magic    []byte // signature used for carving; nil: recognised at offset 0 only
	magicOff int64  // offset of magic from the container start
	// probe reports whether hdr (the first bytes of a candidate, up to
	// probeSize) starts a container of this format. It must be cheap and
	// strict: it runs on every carving candidate.
	probe func(hdr []byte) bool
	// walk emits the entries of an archive or filesystem and returns the
	// number of input bytes it occupied (0 when unknown).
	walk func(ctx context.Context, r *io.SectionReader, s *sink) (int64, error)
	// open starts decompressing a stream; name is the original file name
	// when the format records one.
	open func(r io.Reader) (rd io.Reader, name string, err error)
	// opaque marks archives whose entries are raw payloads (kernel,
	// ramdisk) that are carved in turn.
	opaque bool
	// weak marks a stream format without a real magic (lzma-alone): a
	// decoding error means the candidate was a false positive.
	weak bool
}

// formats returns every supported format in probing order.
func formats() []*format {
	return append([]*format{
		squashfsFormat(), squashfsBEFormat(),
		cpioFormat("cpio-newc", "070701"), cpioFormat("cpio-crc", "070702"), cpioFormat("cpio-odc", "070707"),
		tarFormat(), zipFormat(), extFormat(), ubiFormat(), ubifsFormat(), fatFormat(), mbrFormat(),
		uimageFormat(), fitFormat(),
		gzipFormat(), xzFormat(), bzip2Format(), zstdFormat(), lz4Format(), lzmaFormat(), lzopFormat(),
	}, append(jffs2Formats(), cramfsFormats()...)...)
}

// formatsAt returns the formats whose probe accepts hdr.
func formatsAt(hdr []byte) []*format {
	var out []*format
	for _, f := range formats() {
		if f.probe(hdr) {
			out = append(out, f)
		}
	}
	return out
}

// scanner finds carving candidates (signature hits) in a blob in offset
// order.
type scanner struct {
	b       blob
	fmts    []*format
	pos     int64 // start of the next chunk
	pending []candidate
}

type candidate struct {
	off int64
	f   *format
}

const (
	scanChunk   = 1 << 20
	scanOverlap = 4096 // longest magic plus its offset
)

func newScanner(b blob, from int64) *scanner {
	var fm []*format
	for _, f := range formats() {
		if f.magic != nil {
			fm = append(fm, f)
		}
	}
	return &scanner{b: b, fmts: fm, pos: from}
}

// next returns the next candidate.
func (s *scanner) next() (int64, *format, bool) {
	for len(s.pending) == 0 {
		if s.pos >= s.b.size {
			return 0, nil, false
		}
		s.fill()
	}
	c := s.pending[0]
	s.pending = s.pending[1:]
	return c.off, c.f, true
}

// fill scans one chunk for magics, starting at s.pos.
func (s *scanner) fill() {
	n := min(s.b.size-s.pos, scanChunk+scanOverlap)
	buf := make([]byte, n)
	k, _ := s.b.r.ReadAt(buf, s.pos)
	buf = buf[:k]
	limit := int64(min(k, scanChunk)) // hits must start in the chunk proper
	for _, f := range s.fmts {
		for i := 0; ; {
			j := bytes.Index(buf[i:], f.magic)
			if j < 0 {
				break
			}
			hit := int64(i + j)
			i += j + 1
			if hit >= limit+f.magicOff {
				break
			}
			start := s.pos + hit - f.magicOff
			if hit < f.magicOff || start < s.pos {
				continue
			}
			s.pending = append(s.pending, candidate{off: start, f: f})
		}
	}
	slices.SortStableFunc(s.pending, func(a, b candidate) int { return int(a.off - b.off) })
	if k == 0 {
		s.pos = s.b.size
		return
	}
	s.pos += limit
}
