package firmware

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"
	"unicode/utf16"
)

// FAT12/16/32 reader. Our own: go-diskfs v1.7.0 reads only FAT32, and
// small firmware and boot partitions are usually FAT12/16. Long file
// names (VFAT) are supported. FAT has no owners: UID and GID are -1, and
// modes are 0755 for directories, 0644 (0444 when read-only) for files.

const (
	fatAttrReadOnly = 0x01
	fatAttrVolume   = 0x08
	fatAttrDir      = 0x10
	fatAttrLFN      = 0x0F
	fatMaxDirBytes  = 4 << 20
)

func fatFormat() *format {
	return &format{name: "fat", probe: probeFAT, walk: walkFAT}
}

func probeFAT(h []byte) bool {
	if len(h) < 512 || h[510] != 0x55 || h[511] != 0xAA || (h[0] != 0xEB && h[0] != 0xE9) {
		return false
	}
	le := binary.LittleEndian
	bps := le.Uint16(h[11:])
	spc := h[13]
	return (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096) && spc != 0 && spc&(spc-1) == 0 &&
		h[16] >= 1 && h[16] <= 4 && le.Uint16(h[14:]) >= 1 &&
		(string(h[54:57]) == "FAT" || string(h[82:87]) == "FAT32")
}

type fatFS struct {
	r         *io.SectionReader
	bps, spc  int64
	typ       int // 12, 16 or 32
	fat       []byte
	firstData int64 // byte offset of cluster 2
	clusters  uint32
	rootOff   int64 // FAT12/16 fixed root directory
	rootLen   int64
	rootClus  uint32
	seenDirs  map[uint32]bool // first clusters of directories walked
}

func walkFAT(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	b := make([]byte, 512)
	if _, err := r.ReadAt(b, 0); err != nil {
		return 0, err
	}
	le := binary.LittleEndian
	f := &fatFS{r: r, bps: int64(le.Uint16(b[11:])), spc: int64(b[13]), seenDirs: map[uint32]bool{}}
	rsvd, nFATs, rootEnt := int64(le.Uint16(b[14:])), int64(b[16]), int64(le.Uint16(b[17:]))
	tot := int64(le.Uint16(b[19:]))
	if tot == 0 {
		tot = int64(le.Uint32(b[32:]))
	}
	fatSz := int64(le.Uint16(b[22:]))
	if fatSz == 0 {
		fatSz = int64(le.Uint32(b[36:]))
	}
	rootSecs := (rootEnt*32 + f.bps - 1) / f.bps
	dataSec := tot - rsvd - nFATs*fatSz - rootSecs
	if tot <= 0 || fatSz <= 0 || dataSec <= 0 {
		return 0, errors.New("fat: bad geometry")
	}
	used := tot * f.bps
	f.clusters = uint32(dataSec / f.spc)
	switch {
	case f.clusters < 4085:
		f.typ = 12
	case f.clusters < 65525:
		f.typ = 16
	default:
		f.typ = 32
		f.rootClus = le.Uint32(b[44:])
	}
	if fatSz*f.bps > 64<<20 {
		return 0, errors.New("fat: FAT larger than 64 MiB")
	}
	f.fat = make([]byte, fatSz*f.bps)
	if _, err := r.ReadAt(f.fat, rsvd*f.bps); err != nil {
		return 0, fmt.Errorf("fat: read FAT: %w", err)
	}
	f.rootOff = (rsvd + nFATs*fatSz) * f.bps
	f.rootLen = rootSecs * f.bps
	f.firstData = f.rootOff + f.rootLen
	var root []byte
	var err error
	if f.typ == 32 {
		root, err = f.readChain(f.rootClus, fatMaxDirBytes)
	} else {
		root = make([]byte, f.rootLen)
		_, err = r.ReadAt(root, f.rootOff)
	}
	if err != nil {
		return used, fmt.Errorf("fat: root directory: %w", err)
	}
	return min(used, r.Size()), f.walkDir(ctx, s, root, "", 0)
}

// next returns the FAT entry for cluster c.
func (f *fatFS) next(c uint32) uint32 {
	le := binary.LittleEndian
	switch f.typ {
	case 12:
		o := int(c) + int(c)/2
		if o+2 > len(f.fat) {
			return 0xFFF
		}
		v := uint32(le.Uint16(f.fat[o:]))
		if c&1 == 1 {
			v >>= 4
		}
		v &= 0xFFF
		if v >= 0xFF7 {
			v |= 0x0FFFF000
		}
		return v
	case 16:
		if int(c)*2+2 > len(f.fat) {
			return 0x0FFFFFFF
		}
		v := uint32(le.Uint16(f.fat[c*2:]))
		if v >= 0xFFF7 {
			v |= 0x0FFF0000
		}
		return v
	}
	if int(c)*4+4 > len(f.fat) {
		return 0x0FFFFFFF
	}
	return le.Uint32(f.fat[c*4:]) & 0x0FFFFFFF
}

// chain lists the clusters of a file, bounded by the cluster count.
func (f *fatFS) chain(first uint32) ([]uint32, error) {
	var out []uint32
	for c := first; c >= 2 && c < 0x0FFFFFF7; c = f.next(c) {
		if c >= f.clusters+2 {
			return out, fmt.Errorf("fat: cluster %d out of range", c)
		}
		if uint32(len(out)) > f.clusters {
			return out, errors.New("fat: cluster chain loops")
		}
		out = append(out, c)
	}
	return out, nil
}

func (f *fatFS) readChain(first uint32, limit int64) ([]byte, error) {
	cs, err := f.chain(first)
	if err != nil {
		return nil, err
	}
	cl := f.bps * f.spc
	if int64(len(cs))*cl > limit {
		return nil, fmt.Errorf("fat: directory larger than %d bytes", limit)
	}
	out := make([]byte, int64(len(cs))*cl)
	for i, c := range cs {
		if _, err := f.r.ReadAt(out[int64(i)*cl:int64(i+1)*cl], f.firstData+int64(c-2)*cl); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fatReader reads a file through its cluster chain.
type fatReader struct {
	f    *fatFS
	cs   []uint32
	size int64
	pos  int64
}

func (x *fatReader) Read(p []byte) (int, error) {
	if x.pos >= x.size {
		return 0, io.EOF
	}
	cl := x.f.bps * x.f.spc
	i := x.pos / cl
	if i >= int64(len(x.cs)) {
		return 0, io.ErrUnexpectedEOF
	}
	within := x.pos % cl
	n := min(int64(len(p)), cl-within, x.size-x.pos)
	k, err := x.f.r.ReadAt(p[:n], x.f.firstData+int64(x.cs[i]-2)*cl+within)
	x.pos += int64(k)
	if k < int(n) {
		return k, fmt.Errorf("fat: %w", err)
	}
	return k, nil
}

func (f *fatFS) walkDir(ctx context.Context, s *sink, data []byte, p string, depth int) error {
	if depth > maxPathDepth {
		s.u.unassessed(s.display("/"+p), fmt.Sprintf("directory nesting deeper than %d", maxPathDepth))
		return nil
	}
	le := binary.LittleEndian
	var lfn []uint16
	var lfnParts map[int][]uint16
	for o := 0; o+32 <= len(data); o += 32 {
		d := data[o : o+32]
		if d[0] == 0 {
			break
		}
		if d[0] == 0xE5 {
			lfnParts = nil
			continue
		}
		attr := d[11]
		if attr&0x3F == fatAttrLFN {
			if d[0]&0x40 != 0 {
				lfnParts = map[int][]uint16{}
			}
			if lfnParts != nil {
				var u []uint16
				for _, r := range [][2]int{{1, 11}, {14, 26}, {28, 32}} {
					for i := r[0]; i < r[1]; i += 2 {
						u = append(u, le.Uint16(d[i:]))
					}
				}
				lfnParts[int(d[0]&0x1F)] = u
			}
			continue
		}
		lfn = nil
		for i := 1; i <= len(lfnParts); i++ {
			lfn = append(lfn, lfnParts[i]...)
		}
		lfnParts = nil
		if attr&fatAttrVolume != 0 {
			continue
		}
		name := fatShortName(d)
		if l := fatLongName(lfn); l != "" {
			name = l
		}
		if name == "." || name == ".." || name == "" {
			continue
		}
		cp := path.Join(p, name)
		first := uint32(le.Uint16(d[26:])) | uint32(le.Uint16(d[20:]))<<16
		size := int64(le.Uint32(d[28:]))
		e := entry{Name: cp, UID: -1, GID: -1, ModTime: fatTime(le.Uint16(d[24:]), le.Uint16(d[22:])), Size: size, Mode: 0o644}
		if attr&fatAttrReadOnly != 0 {
			e.Mode = 0o444
		}
		if attr&fatAttrDir != 0 {
			e.Mode, e.Size = fs.ModeDir|0o755, 0
		} else {
			e.Open = func() (io.Reader, error) {
				cs, err := f.chain(first)
				if err != nil {
					return nil, err
				}
				return &fatReader{f: f, cs: cs, size: size}, nil
			}
		}
		if err := s.emit(ctx, e); err != nil {
			return err
		}
		if attr&fatAttrDir != 0 {
			if f.seenDirs[first] || first < 2 {
				s.u.unassessed(s.display("/"+cp), "fat: directory loop")
				continue
			}
			f.seenDirs[first] = true
			sub, err := f.readChain(first, fatMaxDirBytes)
			if err != nil {
				s.u.unassessed(s.display("/"+cp), err.Error())
				continue
			}
			if err := f.walkDir(ctx, s, sub, cp, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func fatShortName(d []byte) string {
	base := strings.TrimRight(string(d[0:8]), " ")
	ext := strings.TrimRight(string(d[8:11]), " ")
	if d[0] == 0x05 {
		base = "\xe5" + base[1:]
	}
	if d[12]&0x08 != 0 {
		base = strings.ToLower(base)
	}
	if d[12]&0x10 != 0 {
		ext = strings.ToLower(ext)
	}
	if ext != "" {
		return base + "." + ext
	}
	return base
}

func fatLongName(u []uint16) string {
	for i, c := range u {
		if c == 0 || c == 0xFFFF {
			u = u[:i]
			break
		}
	}
	return strings.ReplaceAll(string(utf16.Decode(u)), "/", "_")
}

func fatTime(date, tm uint16) time.Time {
	if date == 0 {
		return time.Time{}
	}
	return time.Date(1980+int(date>>9), time.Month(date>>5&0xF), int(date&0x1F), int(tm>>11), int(tm>>5&0x3F), int(tm&0x1F)*2, 0, time.UTC)
}
