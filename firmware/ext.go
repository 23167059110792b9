package firmware

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path"
	"time"
)

// The ext2/3/4 reader is our own: go-diskfs v1.7.0 (the version pinned for
// scalibr) rejects ext2 and ext3 superblocks and exposes neither modes,
// owners nor symlink targets. This read-only reader handles block maps
// (ext2/3), extent trees (ext4), 32- and 64-bit group descriptors, fast
// symlinks, and linear or hashed (htree) directories.

const (
	extSuperOff       = 1024
	extMagic          = 0xEF53
	extExtentsFlag    = 0x80000
	extInlineDataFlag = 0x10000000
	extIncompat64bit  = 0x80
	extIncompatFtype  = 0x2
	extExtentMagic    = 0xF30A
	extMaxExtentDepth = 5
	extRootIno        = 2
)

func extFormat() *format {
	return &format{
		name:     "ext",
		magic:    []byte{0x53, 0xef},
		magicOff: extSuperOff + 56,
		probe:    probeExt,
		walk:     walkExt,
	}
}

func probeExt(h []byte) bool {
	if len(h) < extSuperOff+264 {
		return false
	}
	sb := h[extSuperOff:]
	le := binary.LittleEndian
	if le.Uint16(sb[56:]) != extMagic {
		return false
	}
	logBS := le.Uint32(sb[24:])
	first := le.Uint32(sb[20:])
	ipg, bpg := le.Uint32(sb[40:]), le.Uint32(sb[32:])
	rev := le.Uint32(sb[76:])
	return logBS <= 6 && ipg > 0 && bpg > 0 && rev <= 1 && (first == 1) == (logBS == 0) && le.Uint32(sb[0:]) > 0
}

type extFS struct {
	r          io.ReaderAt
	size       int64
	bs         int64 // block size
	inodeSize  int64
	ipg        uint32 // inodes per group
	inodes     uint32
	descSize   int64
	descStart  int64
	groups     uint32
	ftype      bool
	maxBlocks  int64 // blocks in the filesystem
	extentRead int   // extents visited, bounded
}

type extInode struct {
	mode     uint16
	uid, gid int
	size     int64
	mtime    time.Time
	flags    uint32
	block    [60]byte
}

func walkExt(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	sb := make([]byte, 1024)
	if _, err := r.ReadAt(sb, extSuperOff); err != nil {
		return 0, fmt.Errorf("ext superblock: %w", err)
	}
	le := binary.LittleEndian
	e := &extFS{r: r, size: r.Size()}
	e.bs = 1024 << le.Uint32(sb[24:])
	e.inodes = le.Uint32(sb[0:])
	e.ipg = le.Uint32(sb[40:])
	blocks := int64(le.Uint32(sb[4:]))
	incompat := le.Uint32(sb[96:])
	e.inodeSize = 128
	if le.Uint32(sb[76:]) >= 1 {
		e.inodeSize = int64(le.Uint16(sb[88:]))
	}
	if e.inodeSize < 128 || e.inodeSize > e.bs {
		return 0, fmt.Errorf("ext: bad inode size %d", e.inodeSize)
	}
	e.descSize = 32
	if incompat&extIncompat64bit != 0 {
		blocks |= int64(le.Uint32(sb[0x150:])) << 32
		if ds := int64(le.Uint16(sb[254:])); ds >= 32 {
			e.descSize = ds
		}
	}
	e.ftype = incompat&extIncompatFtype != 0
	used := blocks * e.bs
	if blocks <= 0 || used/e.bs != blocks {
		return 0, fmt.Errorf("ext: bad block count %d", blocks)
	}
	if used > r.Size() {
		// Images are often stored without their trailing unused blocks;
		// reads past the end fail per file and are reported.
		used = r.Size()
	}
	e.size, e.maxBlocks = used, (used+e.bs-1)/e.bs
	e.groups = (e.inodes + e.ipg - 1) / e.ipg
	e.descStart = (int64(le.Uint32(sb[20:])) + 1) * e.bs
	root, err := e.inode(extRootIno)
	if err != nil {
		return used, err
	}
	if root.mode&sIFMT != sIFDIR {
		return used, errors.New("ext: root inode is not a directory")
	}
	return used, e.walkDir(ctx, s, root, "", 0, map[uint32]bool{extRootIno: true})
}

func (e *extFS) inode(ino uint32) (*extInode, error) {
	if ino == 0 || ino > e.inodes {
		return nil, fmt.Errorf("ext: inode %d out of range", ino)
	}
	g := (ino - 1) / e.ipg
	d := make([]byte, e.descSize)
	if _, err := e.r.ReadAt(d, e.descStart+int64(g)*e.descSize); err != nil {
		return nil, fmt.Errorf("ext: group descriptor %d: %w", g, err)
	}
	le := binary.LittleEndian
	table := int64(le.Uint32(d[8:]))
	if e.descSize >= 64 {
		table |= int64(le.Uint32(d[0x28:])) << 32
	}
	off := table*e.bs + int64((ino-1)%e.ipg)*e.inodeSize
	b := make([]byte, 128)
	if off < 0 || off+128 > e.size {
		return nil, fmt.Errorf("ext: inode %d outside the filesystem", ino)
	}
	if _, err := e.r.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("ext: inode %d: %w", ino, err)
	}
	in := &extInode{
		mode:  le.Uint16(b[0:]),
		uid:   int(le.Uint16(b[2:])) | int(le.Uint16(b[120:]))<<16,
		gid:   int(le.Uint16(b[24:])) | int(le.Uint16(b[122:]))<<16,
		size:  int64(le.Uint32(b[4:])) | int64(le.Uint32(b[108:]))<<32,
		mtime: time.Unix(int64(le.Uint32(b[16:])), 0),
		flags: le.Uint32(b[32:]),
	}
	copy(in.block[:], b[40:100])
	return in, nil
}

// extent is a run of file blocks: logical start, physical start, count
// (physical 0 for a hole or an uninitialised extent).
type extent struct{ logical, physical, count int64 }

func (e *extFS) extents(in *extInode) ([]extent, error) {
	nblocks := (in.size + e.bs - 1) / e.bs
	if nblocks > e.maxBlocks {
		return nil, fmt.Errorf("ext: file of %d bytes larger than the filesystem", in.size)
	}
	if in.flags&extExtentsFlag != 0 {
		var out []extent
		err := e.extentNode(in.block[:], 0, &out)
		return out, err
	}
	var out []extent
	le := binary.LittleEndian
	logical := int64(0)
	add := func(p int64) {
		if n := len(out); n > 0 && out[n-1].physical != 0 && p != 0 && out[n-1].physical+out[n-1].count == p && out[n-1].logical+out[n-1].count == logical {
			out[n-1].count++
		} else {
			out = append(out, extent{logical, p, 1})
		}
		logical++
	}
	var walk func(blk int64, level int) error
	walk = func(blk int64, level int) error {
		per := e.bs / 4
		if blk == 0 {
			span := int64(1)
			for range level {
				span *= per
			}
			logical += span
			return nil
		}
		if level == 0 {
			add(blk)
			return nil
		}
		buf := make([]byte, e.bs)
		if blk >= e.maxBlocks {
			return fmt.Errorf("ext: indirect block %d outside the filesystem", blk)
		}
		if _, err := e.r.ReadAt(buf, blk*e.bs); err != nil {
			return err
		}
		for i := int64(0); i < per && logical < nblocks; i++ {
			if err := walk(int64(le.Uint32(buf[4*i:])), level-1); err != nil {
				return err
			}
		}
		return nil
	}
	for i := 0; i < 15 && logical < nblocks; i++ {
		level := max(i-11, 0)
		if err := walk(int64(le.Uint32(in.block[4*i:])), level); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (e *extFS) extentNode(b []byte, depth int, out *[]extent) error {
	le := binary.LittleEndian
	if len(b) < 12 || le.Uint16(b) != extExtentMagic {
		return errors.New("ext: bad extent header")
	}
	n := int(le.Uint16(b[2:]))
	d := int(le.Uint16(b[6:]))
	if depth > extMaxExtentDepth || d > extMaxExtentDepth || 12+12*n > len(b) {
		return errors.New("ext: bad extent tree")
	}
	for i := range n {
		ent := b[12+12*i:]
		e.extentRead++
		if e.extentRead > 1<<20 {
			return errors.New("ext: too many extents")
		}
		if d == 0 {
			l := int64(le.Uint16(ent[4:]))
			p := int64(le.Uint16(ent[6:]))<<32 | int64(le.Uint32(ent[8:]))
			if l > 32768 { // uninitialised: reads as zeros
				l, p = l-32768, 0
			}
			*out = append(*out, extent{int64(le.Uint32(ent[0:])), p, l})
			continue
		}
		leaf := int64(le.Uint16(ent[8:]))<<32 | int64(le.Uint32(ent[4:]))
		if leaf <= 0 || leaf >= e.maxBlocks {
			return fmt.Errorf("ext: extent index block %d outside the filesystem", leaf)
		}
		buf := make([]byte, e.bs)
		if _, err := e.r.ReadAt(buf, leaf*e.bs); err != nil {
			return err
		}
		if err := e.extentNode(buf, depth+1, out); err != nil {
			return err
		}
	}
	return nil
}

// extReader reads a file's content through its extents.
type extReader struct {
	e    *extFS
	ext  []extent
	size int64
	pos  int64
}

func (x *extReader) Read(p []byte) (int, error) {
	if x.pos >= x.size {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), x.size-x.pos)]
	blk := x.pos / x.e.bs
	within := x.pos % x.e.bs
	for _, ex := range x.ext {
		if blk < ex.logical || blk >= ex.logical+ex.count {
			continue
		}
		n := min(int64(len(p)), (ex.logical+ex.count-blk)*x.e.bs-within)
		if ex.physical == 0 {
			clear(p[:n])
		} else {
			phys := ex.physical + blk - ex.logical
			if phys+((within+n-1)/x.e.bs) >= x.e.maxBlocks {
				return 0, fmt.Errorf("ext: data block %d outside the filesystem", phys)
			}
			k, err := x.e.r.ReadAt(p[:n], phys*x.e.bs+within)
			if k < int(n) {
				return k, fmt.Errorf("ext: read block %d: %w", phys, err)
			}
		}
		x.pos += n
		return int(n), nil
	}
	// A hole not covered by any extent reads as zeros.
	n := min(int64(len(p)), x.e.bs-within)
	clear(p[:n])
	x.pos += n
	return int(n), nil
}

func (e *extFS) open(in *extInode) (io.Reader, error) {
	if in.flags&extInlineDataFlag != 0 {
		if in.size > 60 {
			return nil, errors.New("ext: inline data beyond the inode is not supported")
		}
		return bytes.NewReader(in.block[:in.size]), nil
	}
	ext, err := e.extents(in)
	if err != nil {
		return nil, err
	}
	return &extReader{e: e, ext: ext, size: in.size}, nil
}

func (e *extFS) walkDir(ctx context.Context, s *sink, dir *extInode, p string, depth int, seen map[uint32]bool) error {
	if depth > maxPathDepth {
		s.u.unassessed(s.display("/"+p), fmt.Sprintf("directory nesting deeper than %d", maxPathDepth))
		return nil
	}
	if dir.size > 64<<20 {
		s.u.unassessed(s.display("/"+p), "ext: directory larger than 64 MiB")
		return nil
	}
	r, err := e.open(dir)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	for off := 0; off+8 <= len(data); {
		ino := le.Uint32(data[off:])
		rec := int(le.Uint16(data[off+4:]))
		nameLen := int(data[off+6])
		if !e.ftype {
			nameLen = int(le.Uint16(data[off+6:]))
		}
		if rec < 8 || off+rec > len(data) || 8+nameLen > rec {
			// Skip to the next block on a damaged entry.
			off = (off/int(e.bs) + 1) * int(e.bs)
			continue
		}
		name := string(data[off+8 : off+8+nameLen])
		off += rec
		if ino == 0 || name == "." || name == ".." || name == "" {
			continue
		}
		if err := e.emitEntry(ctx, s, ino, path.Join(p, name), depth, seen); err != nil {
			return err
		}
	}
	return nil
}

func (e *extFS) emitEntry(ctx context.Context, s *sink, ino uint32, p string, depth int, seen map[uint32]bool) error {
	in, err := e.inode(ino)
	if err != nil {
		s.u.unassessed(s.display("/"+p), err.Error())
		return nil
	}
	ent := entry{Name: p, Mode: unixMode(uint32(in.mode)), UID: in.uid, GID: in.gid, ModTime: in.mtime, Size: in.size}
	switch uint32(in.mode) & sIFMT {
	case sIFLNK:
		if in.size < 60 && in.flags&(extExtentsFlag|extInlineDataFlag) == 0 {
			ent.Link = string(bytes.TrimRight(in.block[:in.size], "\x00"))
		} else if in.size <= 4096 {
			r, err := e.open(in)
			if err == nil {
				b, rerr := io.ReadAll(r)
				err = rerr
				ent.Link = string(b)
			}
			if err != nil {
				s.u.unassessed(s.display("/"+p), "ext symlink: "+err.Error())
				return nil
			}
		}
		ent.Size = 0
	case sIFREG:
		ent.Open = func() (io.Reader, error) { return e.open(in) }
	}
	if err := s.emit(ctx, ent); err != nil {
		return err
	}
	if uint32(in.mode)&sIFMT == sIFDIR {
		if seen[ino] {
			s.u.unassessed(s.display("/"+p), "ext: directory loop")
			return nil
		}
		seen[ino] = true
		if err := e.walkDir(ctx, s, in, p, depth+1, seen); err != nil {
			s.u.unassessed(s.display("/"+p), err.Error())
		}
	}
	return nil
}
