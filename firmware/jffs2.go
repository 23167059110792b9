package firmware

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path"
	"slices"
	"time"
)

// JFFS2 reader: no Go library reads JFFS2, so this is our own. It scans
// the image for nodes (either byte order), keeps the newest directory
// entry per name and the newest metadata per inode, and rebuilds file
// content by applying data nodes in version order. Compression: none,
// zero, rtime, zlib and LZO; rubin and LZMA nodes are reported.

const (
	jffs2Magic      = 0x1985
	jffs2Dirent     = 0xE001
	jffs2Inode      = 0xE002
	jffs2DirentLen  = 40
	jffs2InodeLen   = 68
	jffs2Window     = 4 << 20 // bytes scanned per read
	jffs2MaxNodeLen = 1 << 20
	jffs2MaxGap     = 1 << 20 // non-node, non-erased bytes that end a filesystem
	jffs2RootIno    = 1
)

func jffs2Formats() []*format {
	return []*format{
		{name: "jffs2", magic: []byte{0x85, 0x19}, probe: probeJFFS2, walk: walkJFFS2},
		{name: "jffs2", magic: []byte{0x19, 0x85}, probe: probeJFFS2, walk: walkJFFS2},
	}
}

// jffs2CRC is the CRC-32 used by JFFS2: initial value 0, no inversion.
func jffs2CRC(b []byte) uint32 { return ^crc32.Update(0xFFFFFFFF, crc32.IEEETable, b) }

func jffs2Order(h []byte) binary.ByteOrder {
	if len(h) >= 2 && h[0] == 0x85 && h[1] == 0x19 {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

func probeJFFS2(h []byte) bool {
	if len(h) < 12 {
		return false
	}
	bo := jffs2Order(h)
	if bo.Uint16(h) != jffs2Magic {
		return false
	}
	switch bo.Uint16(h[2:]) {
	case jffs2Dirent, jffs2Inode, 0x2003, 0x2004, 0x2006:
	default:
		return false
	}
	return jffs2CRC(h[:8]) == bo.Uint32(h[8:])
}

type jffs2Dent struct {
	pino, ino, version uint32
	name               string
}

type jffs2Data struct {
	version, offset, dsize uint32
	comp                   byte
	data                   []byte
}

type jffs2Ino struct {
	version  uint32
	mode     uint32
	uid, gid int
	isize    uint32
	mtime    time.Time
	nodes    []jffs2Data
}

func walkJFFS2(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	var magic [2]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil {
		return 0, err
	}
	bo := jffs2Order(magic[:])
	dents := map[string]*jffs2Dent{} // key pino/name
	inodes := map[uint32]*jffs2Ino{}
	size := r.Size()
	buf := make([]byte, jffs2Window)
	var base int64 // offset of buf[:n]
	n := 0
	var end int64 // end of the last valid node
	for pos := int64(0); pos+12 <= size; {
		if pos+jffs2MaxNodeLen > base+int64(n) && base+int64(n) < size || pos < base {
			if err := s.u.check(ctx); err != nil {
				return end, err
			}
			base = pos
			k, err := r.ReadAt(buf, base)
			if k == 0 {
				return end, fmt.Errorf("jffs2: read at %#x: %w", base, err)
			}
			n = k
		}
		h := buf[pos-base : n]
		if len(h) < 12 {
			break
		}
		if bo.Uint16(h) != jffs2Magic || jffs2CRC(h[:8]) != bo.Uint32(h[8:]) {
			// Erased flash (0xFF) continues the filesystem; anything else
			// for long enough ends it.
			if binary.LittleEndian.Uint32(h) != 0xFFFFFFFF && pos-end > jffs2MaxGap {
				break
			}
			pos += 4
			continue
		}
		ln := int64(bo.Uint32(h[4:]))
		if ln < 12 || ln > jffs2MaxNodeLen || ln > int64(len(h)) {
			pos += 4
			continue
		}
		node := h[:ln]
		switch bo.Uint16(h[2:]) {
		case jffs2Dirent:
			if d := jffs2ParseDirent(bo, node); d != nil {
				key := fmt.Sprintf("%d/%s", d.pino, d.name)
				if old := dents[key]; old == nil || d.version > old.version {
					dents[key] = d
				}
			}
		case jffs2Inode:
			jffs2ParseInode(bo, node, inodes)
		}
		pos += (ln + 3) &^ 3
		end = pos
	}
	if len(dents) == 0 && len(inodes) == 0 {
		return 0, errors.New("jffs2: no valid nodes")
	}
	children := map[uint32][]*jffs2Dent{}
	for _, d := range dents {
		if d.ino != 0 { // ino 0 marks an unlinked name
			children[d.pino] = append(children[d.pino], d)
		}
	}
	j := &jffs2FS{inodes: inodes, children: children}
	return end, j.walkDir(ctx, s, jffs2RootIno, "", 0, map[uint32]bool{jffs2RootIno: true})
}

func jffs2ParseDirent(bo binary.ByteOrder, n []byte) *jffs2Dent {
	if len(n) < jffs2DirentLen || jffs2CRC(n[:32]) != bo.Uint32(n[32:]) {
		return nil
	}
	nsize := int(n[28])
	if jffs2DirentLen+nsize > len(n) {
		return nil
	}
	name := n[jffs2DirentLen : jffs2DirentLen+nsize]
	if jffs2CRC(name) != bo.Uint32(n[36:]) {
		return nil
	}
	return &jffs2Dent{pino: bo.Uint32(n[12:]), version: bo.Uint32(n[16:]), ino: bo.Uint32(n[20:]), name: string(name)}
}

func jffs2ParseInode(bo binary.ByteOrder, n []byte, inodes map[uint32]*jffs2Ino) {
	if len(n) < jffs2InodeLen || jffs2CRC(n[:60]) != bo.Uint32(n[64:]) {
		return
	}
	ino, version := bo.Uint32(n[12:]), bo.Uint32(n[16:])
	csize := int(bo.Uint32(n[48:]))
	if jffs2InodeLen+csize > len(n) {
		return
	}
	data := n[jffs2InodeLen : jffs2InodeLen+csize]
	if jffs2CRC(data) != bo.Uint32(n[60:]) {
		return
	}
	in := inodes[ino]
	if in == nil {
		in = &jffs2Ino{}
		inodes[ino] = in
	}
	if version >= in.version {
		in.version = version
		in.mode = bo.Uint32(n[20:])
		in.uid, in.gid = int(bo.Uint16(n[24:])), int(bo.Uint16(n[26:]))
		in.isize = bo.Uint32(n[28:])
		in.mtime = time.Unix(int64(bo.Uint32(n[36:])), 0)
	}
	in.nodes = append(in.nodes, jffs2Data{version: version, offset: bo.Uint32(n[44:]), dsize: bo.Uint32(n[52:]), comp: n[56], data: bytes.Clone(data)})
}

type jffs2FS struct {
	inodes   map[uint32]*jffs2Ino
	children map[uint32][]*jffs2Dent
}

func (j *jffs2FS) walkDir(ctx context.Context, s *sink, dir uint32, p string, depth int, seen map[uint32]bool) error {
	if depth > maxPathDepth {
		s.u.unassessed(s.display("/"+p), fmt.Sprintf("directory nesting deeper than %d", maxPathDepth))
		return nil
	}
	ds := j.children[dir]
	slices.SortFunc(ds, func(a, b *jffs2Dent) int { return bytes.Compare([]byte(a.name), []byte(b.name)) })
	for _, d := range ds {
		cp := path.Join(p, d.name)
		in := j.inodes[d.ino]
		if in == nil {
			s.u.unassessed(s.display("/"+cp), fmt.Sprintf("jffs2: inode %d not found", d.ino))
			continue
		}
		e := entry{Name: cp, Mode: unixMode(in.mode), UID: in.uid, GID: in.gid, ModTime: in.mtime, Size: int64(in.isize)}
		switch in.mode & sIFMT {
		case sIFLNK:
			b, err := in.content(s.u.lim.MaxFileSize, maxLinkTarget)
			if err != nil {
				s.u.unassessed(s.display("/"+cp), "jffs2 symlink: "+err.Error())
				continue
			}
			e.Link, e.Size = string(b), 0
		case sIFREG:
			e.Open = func() (io.Reader, error) {
				// Only what the byte budget can take is built in memory;
				// the rest of the size the inode claims reads as zeros.
				b, err := in.content(s.u.lim.MaxFileSize, s.u.remaining()+1)
				if err != nil {
					return bytes.NewReader(b), err
				}
				return io.MultiReader(bytes.NewReader(b), io.LimitReader(zeros{}, int64(in.isize)-int64(len(b)))), nil
			}
		}
		if err := s.emit(ctx, e); err != nil {
			return err
		}
		if in.mode&sIFMT == sIFDIR && !seen[d.ino] {
			seen[d.ino] = true
			if err := j.walkDir(ctx, s, d.ino, cp, depth+1, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxLinkTarget bounds the symbolic link targets read.
const maxLinkTarget = 64 << 10

// content rebuilds the first keep bytes of a file by applying its data
// nodes in version order. The size is the inode's claim, not its data:
// building all of it let a node of a few bytes claiming 1 GiB allocate
// 1 GiB however small the image and its byte budget.
func (in *jffs2Ino) content(maxSize, keep int64) ([]byte, error) {
	if int64(in.isize) > maxSize {
		return nil, &LimitError{Limit: "max-file-size", Value: fmt.Sprint(maxSize)}
	}
	out := make([]byte, min(int64(in.isize), max(keep, 0)))
	nodes := slices.Clone(in.nodes)
	slices.SortStableFunc(nodes, func(a, b jffs2Data) int { return int(int64(a.version) - int64(b.version)) })
	for _, n := range nodes {
		if n.dsize == 0 || int64(n.offset) >= int64(len(out)) {
			continue
		}
		b, err := jffs2Decompress(n)
		if err != nil {
			return out, err
		}
		copy(out[n.offset:], b)
	}
	return out, nil
}

func jffs2Decompress(n jffs2Data) ([]byte, error) {
	if n.dsize > 1<<20 {
		return nil, errors.New("jffs2: data node too large")
	}
	switch n.comp {
	case 0: // none
		return n.data, nil
	case 1: // zero
		return make([]byte, n.dsize), nil
	case 2:
		return rtimeDecompress(n.data, int(n.dsize))
	case 6:
		z, err := zlib.NewReader(bytes.NewReader(n.data))
		if err != nil {
			return nil, fmt.Errorf("jffs2 zlib: %w", err)
		}
		return io.ReadAll(io.LimitReader(z, int64(n.dsize)))
	case 7:
		return lzoDecompress(n.data, int(n.dsize))
	}
	return nil, fmt.Errorf("jffs2: compression %d not supported", n.comp)
}

// rtimeDecompress implements the JFFS2 "rtime" run-length scheme.
func rtimeDecompress(in []byte, dsize int) ([]byte, error) {
	out := make([]byte, dsize)
	var positions [256]int
	o := 0
	for i := 0; o < dsize; {
		if i+2 > len(in) {
			return out[:o], errors.New("jffs2 rtime: truncated")
		}
		v, rep := in[i], int(in[i+1])
		i += 2
		out[o] = v
		o++
		back := positions[v]
		positions[v] = o
		for ; rep > 0 && o < dsize; rep-- {
			out[o] = out[back]
			o, back = o+1, back+1
		}
	}
	return out, nil
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
