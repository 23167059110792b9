package firmware

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path"
	"time"
)

// cramfs reader (no Go library reads cramfs): superblock, 12-byte inodes
// with packed bit fields (either byte order), zlib-compressed 4 KiB
// blocks addressed by a block-pointer table.

const (
	cramfsMagic      = 0x28cd3d45
	cramfsSuperLen   = 76
	cramfsBlock      = 4096
	cramfsExtPtrFlag = 0x800
)

func cramfsFormats() []*format {
	return []*format{
		{name: "cramfs", magic: []byte{0x45, 0x3d, 0xcd, 0x28}, probe: probeCramfs, walk: walkCramfs},
		{name: "cramfs", magic: []byte{0x28, 0xcd, 0x3d, 0x45}, probe: probeCramfs, walk: walkCramfs},
	}
}

func cramfsOrder(h []byte) binary.ByteOrder {
	if binary.LittleEndian.Uint32(h) == cramfsMagic {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

func probeCramfs(h []byte) bool {
	return len(h) >= cramfsSuperLen && cramfsOrder(h).Uint32(h) == cramfsMagic && string(h[16:32]) == "Compressed ROMFS"
}

type cramfsInode struct {
	mode, uid, size, gid, offset uint32
	name                         string
	next                         int64 // offset after this inode and its name
}

type cramfsFS struct {
	r    *io.SectionReader
	bo   binary.ByteOrder
	size int64
}

func (c *cramfsFS) inode(off int64) (*cramfsInode, error) {
	var b [12]byte
	if off < 0 || off+12 > c.size {
		return nil, fmt.Errorf("cramfs: inode at %#x outside the image", off)
	}
	if _, err := c.r.ReadAt(b[:], off); err != nil {
		return nil, err
	}
	w0, w1, w2 := c.bo.Uint32(b[0:]), c.bo.Uint32(b[4:]), c.bo.Uint32(b[8:])
	in := &cramfsInode{}
	var nameLen uint32
	if c.bo == binary.LittleEndian {
		in.mode, in.uid = w0&0xffff, w0>>16
		in.size, in.gid = w1&0xffffff, w1>>24
		nameLen, in.offset = (w2&0x3f)*4, (w2>>6)*4
	} else {
		in.mode, in.uid = w0>>16, w0&0xffff
		in.size, in.gid = w1>>8, w1&0xff
		nameLen, in.offset = (w2>>26)*4, (w2&0x3ffffff)*4
	}
	name := make([]byte, nameLen)
	if _, err := c.r.ReadAt(name, off+12); err != nil && nameLen > 0 {
		return nil, err
	}
	in.name = string(bytes.TrimRight(name, "\x00"))
	in.next = off + 12 + int64(nameLen)
	return in, nil
}

func walkCramfs(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	sb := make([]byte, cramfsSuperLen)
	if _, err := r.ReadAt(sb, 0); err != nil {
		return 0, err
	}
	c := &cramfsFS{r: r, bo: cramfsOrder(sb)}
	size := int64(c.bo.Uint32(sb[4:]))
	if size < cramfsSuperLen || size > r.Size() {
		return 0, fmt.Errorf("cramfs: size %d outside the %d available bytes", size, r.Size())
	}
	if c.bo.Uint32(sb[8:])&cramfsExtPtrFlag != 0 {
		return 0, fmt.Errorf("cramfs with extended block pointers: %w", errUnsupported)
	}
	c.size = size
	root, err := c.inode(64)
	if err != nil {
		return size, err
	}
	return size, c.walkDir(ctx, s, root, "", 0, map[uint32]bool{})
}

func (c *cramfsFS) walkDir(ctx context.Context, s *sink, dir *cramfsInode, p string, depth int, seen map[uint32]bool) error {
	if depth > maxPathDepth || seen[dir.offset] {
		s.u.unassessed(s.display("/"+p), "cramfs: directory loop or nesting too deep")
		return nil
	}
	seen[dir.offset] = true
	end := int64(dir.offset) + int64(dir.size)
	for off := int64(dir.offset); off < end; {
		in, err := c.inode(off)
		if err != nil {
			return err
		}
		off = in.next
		if in.name == "" {
			continue
		}
		cp := path.Join(p, in.name)
		e := entry{Name: cp, Mode: unixMode(in.mode), UID: int(in.uid), GID: int(in.gid), ModTime: time.Unix(0, 0), Size: int64(in.size)}
		switch in.mode & sIFMT {
		case sIFLNK:
			b, err := c.read(in)
			if err != nil {
				s.u.unassessed(s.display("/"+cp), "cramfs symlink: "+err.Error())
				continue
			}
			e.Link, e.Size = string(b), 0
		case sIFREG:
			e.Open = func() (io.Reader, error) {
				b, err := c.read(in)
				return bytes.NewReader(b), err
			}
		}
		if err := s.emit(ctx, e); err != nil {
			return err
		}
		if in.mode&sIFMT == sIFDIR && in.size > 0 {
			if err := c.walkDir(ctx, s, in, cp, depth+1, seen); err != nil {
				s.u.unassessed(s.display("/"+cp), err.Error())
			}
		}
	}
	return nil
}

// read decompresses a file's blocks.
func (c *cramfsFS) read(in *cramfsInode) ([]byte, error) {
	if in.size == 0 {
		return nil, nil
	}
	n := (int64(in.size) + cramfsBlock - 1) / cramfsBlock
	ptrs := make([]byte, 4*n)
	if _, err := c.r.ReadAt(ptrs, int64(in.offset)); err != nil {
		return nil, fmt.Errorf("cramfs: block pointers: %w", err)
	}
	out := make([]byte, 0, in.size)
	start := int64(in.offset) + 4*n
	for i := range n {
		end := int64(c.bo.Uint32(ptrs[4*i:]))
		if end < start || end > c.size {
			return out, errors.New("cramfs: bad block pointer")
		}
		if end == start { // a hole
			out = append(out, make([]byte, min(cramfsBlock, int64(in.size)-int64(len(out))))...)
			continue
		}
		z, err := zlib.NewReader(io.NewSectionReader(c.r, start, end-start))
		if err != nil {
			return out, fmt.Errorf("cramfs block %d: %w", i, err)
		}
		b, err := io.ReadAll(io.LimitReader(z, cramfsBlock))
		if err != nil {
			return out, fmt.Errorf("cramfs block %d: %w", i, err)
		}
		out = append(out, b...)
		start = end
	}
	return out, nil
}
