package firmware

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"path"

	"github.com/CalebQ42/squashfs"
)

// maxPathDepth bounds directory nesting inside one filesystem (a crafted
// image can make a directory contain its own ancestor).
const maxPathDepth = 128

// errUnsupported marks a container that was recognised but whose variant
// is not supported; it is reported even when found by carving.
var errUnsupported = errors.New("unsupported variant")

func squashfsFormat() *format {
	return &format{
		name:  "squashfs",
		magic: []byte("hsqs"),
		probe: probeSquashfs,
		walk:  walkSquashfs,
	}
}

// squashfsBEFormat recognises big-endian (pre-4.0) squashfs, which no Go
// library reads, so that it is reported instead of silently skipped.
func squashfsBEFormat() *format {
	return &format{
		name:  "squashfs-v3",
		magic: []byte("sqsh"),
		probe: func(h []byte) bool {
			return len(h) >= 32 && string(h[:4]) == "sqsh" && binary.BigEndian.Uint16(h[28:30]) <= 3
		},
		walk: func(context.Context, *io.SectionReader, *sink) (int64, error) {
			return 0, fmt.Errorf("big-endian squashfs (version 3 or older): %w", errUnsupported)
		},
	}
}

// squashfsLZ4 is the superblock compressor id of lz4.
const squashfsLZ4 = 5

func probeSquashfs(h []byte) bool {
	if len(h) < 96 || string(h[:4]) != "hsqs" {
		return false
	}
	le := binary.LittleEndian
	block := le.Uint32(h[12:16])
	comp := le.Uint16(h[20:22])
	blockLog := le.Uint16(h[22:24])
	major := le.Uint16(h[28:30])
	if major < 4 {
		return true // reported as unsupported by walk
	}
	return major == 4 && bits.OnesCount32(block) == 1 && 1<<blockLog == block && comp >= 1 && comp <= 6
}

func walkSquashfs(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	h := make([]byte, 96)
	if _, err := r.ReadAt(h, 0); err != nil {
		return 0, err
	}
	if major := binary.LittleEndian.Uint16(h[28:30]); major < 4 {
		return 0, fmt.Errorf("squashfs version %d: %w", major, errUnsupported)
	}
	if comp := binary.LittleEndian.Uint16(h[20:22]); comp == squashfsLZ4 {
		// github.com/CalebQ42/squashfs v1.4.1 (and go-diskfs) decode lz4
		// frames, but squashfs stores raw lz4 blocks.
		return 0, fmt.Errorf("lz4-compressed squashfs: %w", errUnsupported)
	}
	used := int64(binary.LittleEndian.Uint64(h[40:48]))
	if used <= 0 || used > r.Size() {
		return 0, fmt.Errorf("squashfs: bytes_used %d outside the %d available bytes", used, r.Size())
	}
	rdr, err := squashfs.NewReader(io.NewSectionReader(r, 0, used))
	if err != nil {
		return 0, fmt.Errorf("squashfs: %w", err)
	}
	var es []entry
	if err := collectSquash(&rdr, ".", 0, s, &es); err != nil {
		return used, err
	}
	pf := s.u.prefetch(ctx, es)
	defer pf.wait()
	for _, e := range es {
		if err := s.emit(ctx, e); err != nil {
			return used, err
		}
	}
	return used, nil
}

// squashInfo is the metadata squashfs.FileInfo adds to fs.FileInfo.
type squashInfo interface {
	Uid() int
	Gid() int
	SymlinkPath() string
}

// collectSquash lists the entries below dir (metadata only).
func collectSquash(rdr *squashfs.Reader, dir string, depth int, s *sink, out *[]entry) error {
	if depth > maxPathDepth {
		s.u.unassessed(s.display("/"+dir), fmt.Sprintf("directory nesting deeper than %d", maxPathDepth))
		return nil
	}
	if len(*out) > s.u.lim.MaxFiles {
		return nil // emit reports max-files
	}
	ents, err := rdr.ReadDir(dir)
	if err != nil {
		if dir == "." {
			return fmt.Errorf("read root directory: %w", err)
		}
		s.u.unassessed(s.display("/"+dir), "squashfs: read directory: "+err.Error())
		return nil
	}
	for _, de := range ents {
		p := path.Join(dir, de.Name())
		fi, err := de.Info()
		if err != nil {
			s.u.unassessed(s.display("/"+p), "squashfs: "+err.Error())
			continue
		}
		e := entry{Name: p, ModTime: fi.ModTime(), Size: fi.Size(), UID: -1, GID: -1}
		m := fi.Mode()
		e.Mode = m.Type() | unixPerm(uint32(m&0o7777))
		if si, ok := fi.(squashInfo); ok {
			e.UID, e.GID, e.Link = si.Uid(), si.Gid(), si.SymlinkPath()
		}
		if m.IsRegular() {
			e.Open = func() (io.Reader, error) { return rdr.Open(p) }
		}
		*out = append(*out, e)
		if m.IsDir() {
			if err := collectSquash(rdr, p, depth+1, s, out); err != nil {
				return err
			}
		}
	}
	return nil
}
