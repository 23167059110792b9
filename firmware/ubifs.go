package firmware

import (
	"bytes"
	"cmp"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"time"

	"github.com/klauspost/compress/zstd"
)

// UBIFS reader: no Go library reads UBIFS, so this is our own. It walks
// the committed index B+tree from the newest valid master node and
// rebuilds the tree from inode, directory-entry and data nodes (LZO, zlib,
// zstd or uncompressed). Changes still only in the journal of an image
// dumped from a running device (not yet committed to the index) are not
// replayed.

const (
	ubifsMagic      = 0x06101831
	ubifsCHLen      = 24
	ubifsInoNode    = 0
	ubifsDataNode   = 1
	ubifsDentNode   = 2
	ubifsSBNode     = 6
	ubifsMstNode    = 7
	ubifsIdxNode    = 9
	ubifsTrunNode   = 4
	ubifsPadNode    = 5
	ubifsRefNode    = 8
	ubifsCSNode     = 10
	ubifsLogLnum    = 3 // first LEB of the log
	ubifsPadByte    = 0xCE
	ubifsRootIno    = 1
	ubifsBlockSize  = 4096
	ubifsMaxNodeLen = 4096 + 48 + 64
	ubifsMaxIdxLen  = 64 << 10
	ubifsMaxLevel   = 64
	ubifsMaxNodes   = 4 << 20
)

func ubifsFormat() *format {
	return &format{
		name:  "ubifs",
		probe: probeUBIFS,
		walk:  walkUBIFS,
	}
}

func probeUBIFS(h []byte) bool {
	if len(h) < 4096 || binary.LittleEndian.Uint32(h) != ubifsMagic || h[20] != ubifsSBNode {
		return false
	}
	n := binary.LittleEndian.Uint32(h[16:])
	return n >= ubifsCHLen && int(n) <= len(h) && ubiCRC(h[8:n]) == binary.LittleEndian.Uint32(h[4:])
}

type ubifsFS struct {
	r      io.ReaderAt
	size   int64
	leb    int64
	nodes  int
	seen   map[int64]bool // index nodes visited (a crafted index can share subtrees)
	inodes map[uint64]*ubifsInode
	dents  map[uint64][]ubifsDent
	data   map[uint64][]ubifsData
}

type ubifsInode struct {
	size     int64
	mode     uint32
	uid, gid int
	mtime    time.Time
	inline   []byte // symlink target
}

type ubifsDent struct {
	name  string
	inum  uint64
	sqnum uint64
}

type ubifsData struct {
	block uint32
	pos   int64 // node position in the volume
	len   uint32
	sqnum uint64
}

func walkUBIFS(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	u := &ubifsFS{r: r, size: r.Size(), seen: map[int64]bool{}, inodes: map[uint64]*ubifsInode{}, dents: map[uint64][]ubifsDent{}, data: map[uint64][]ubifsData{}}
	sb, err := u.node(0, ubifsMaxNodeLen)
	if err != nil || sb[20] != ubifsSBNode {
		return 0, fmt.Errorf("ubifs superblock: %v", err)
	}
	le := binary.LittleEndian
	u.leb = int64(le.Uint32(sb[ubifsCHLen+12:]))
	lebCnt := int64(le.Uint32(sb[ubifsCHLen+16:]))
	if u.leb < 4096 || u.leb > ubiMaxPEBSize {
		return 0, fmt.Errorf("ubifs: bad LEB size %d", u.leb)
	}
	used := min(u.leb*lebCnt, r.Size())
	mst, err := u.master()
	if err != nil {
		return used, err
	}
	rootL, rootO := int64(le.Uint32(mst[ubifsCHLen+24:])), int64(le.Uint32(mst[ubifsCHLen+28:]))
	if err := u.index(rootL*u.leb+rootO, 0); err != nil {
		return used, err
	}
	if err := u.replay(sb, mst); err != nil {
		s.u.unassessed(s.display("/"), "ubifs: journal not replayed: "+err.Error())
	}
	if u.inodes[ubifsRootIno] == nil {
		return used, errors.New("ubifs: no root inode in the index")
	}
	return used, u.walkDir(ctx, s, ubifsRootIno, "", 0, map[uint64]bool{ubifsRootIno: true})
}

// node reads and CRC-checks the node at pos.
func (u *ubifsFS) node(pos int64, maxLen int) ([]byte, error) {
	var ch [ubifsCHLen]byte
	if pos < 0 || pos+ubifsCHLen > u.size {
		return nil, fmt.Errorf("ubifs: node at %#x outside the volume", pos)
	}
	if _, err := u.r.ReadAt(ch[:], pos); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	n := int64(le.Uint32(ch[16:]))
	if le.Uint32(ch[:]) != ubifsMagic || n < ubifsCHLen || n > int64(maxLen) || pos+n > u.size {
		return nil, fmt.Errorf("ubifs: bad node at %#x", pos)
	}
	b := make([]byte, n)
	if _, err := u.r.ReadAt(b, pos); err != nil {
		return nil, err
	}
	if ubiCRC(b[8:]) != le.Uint32(b[4:]) {
		return nil, fmt.Errorf("ubifs: node at %#x: bad CRC", pos)
	}
	return b, nil
}

// master returns the newest valid master node from LEBs 1 and 2.
func (u *ubifsFS) master() ([]byte, error) {
	var best []byte
	for lnum := int64(1); lnum <= 2; lnum++ {
		for off := int64(0); off+ubifsCHLen <= u.leb; {
			b, err := u.node(lnum*u.leb+off, 512)
			if err != nil {
				break
			}
			if b[20] == ubifsMstNode && (best == nil || binary.LittleEndian.Uint64(b[8:]) > binary.LittleEndian.Uint64(best[8:])) {
				best = b
			}
			off += (int64(len(b)) + 7) &^ 7
		}
	}
	if best == nil {
		return nil, errors.New("ubifs: no valid master node")
	}
	return best, nil
}

// index walks the index tree below the index node at pos, collecting leaves.
func (u *ubifsFS) index(pos int64, depth int) error {
	if depth > ubifsMaxLevel {
		return errors.New("ubifs: index too deep")
	}
	if u.seen[pos] {
		return fmt.Errorf("ubifs: index node at %#x referenced twice", pos)
	}
	u.seen[pos] = true
	b, err := u.node(pos, ubifsMaxIdxLen)
	if err != nil {
		return err
	}
	if b[20] != ubifsIdxNode {
		return fmt.Errorf("ubifs: expected an index node at %#x", pos)
	}
	le := binary.LittleEndian
	cnt := int(le.Uint16(b[ubifsCHLen:]))
	level := le.Uint16(b[ubifsCHLen+2:])
	const branch = 12 + 8
	for i := range cnt {
		o := ubifsCHLen + 4 + i*branch
		if o+branch > len(b) {
			return errors.New("ubifs: truncated index node")
		}
		lnum, offs, ln := int64(le.Uint32(b[o:])), int64(le.Uint32(b[o+4:])), le.Uint32(b[o+8:])
		child := lnum*u.leb + offs
		if level > 0 {
			if err := u.index(child, depth+1); err != nil {
				return err
			}
			continue
		}
		u.nodes++
		if u.nodes > ubifsMaxNodes {
			return errors.New("ubifs: too many nodes")
		}
		if err := u.leaf(child, ln); err != nil {
			return err
		}
	}
	return nil
}

func (u *ubifsFS) leaf(pos int64, ln uint32) error {
	if ln > ubifsMaxNodeLen+256 {
		return fmt.Errorf("ubifs: leaf at %#x too long", pos)
	}
	b, err := u.node(pos, int(ln)+8)
	if err != nil {
		return err
	}
	return u.apply(pos, b)
}

// apply adds a leaf node to the tree state; journal nodes applied in
// sequence order also delete (nlink 0, dentry to inode 0) and truncate.
func (u *ubifsFS) apply(pos int64, b []byte) error {
	le := binary.LittleEndian
	inum := uint64(le.Uint32(b[ubifsCHLen:]))
	sq := le.Uint64(b[8:])
	switch b[20] {
	case ubifsInoNode:
		if len(b) < 160 {
			return errors.New("ubifs: short inode node")
		}
		if le.Uint32(b[92:]) == 0 { // nlink 0: deleted
			delete(u.inodes, inum)
			delete(u.data, inum)
			return nil
		}
		in := &ubifsInode{
			size:  int64(le.Uint64(b[48:])),
			mtime: time.Unix(int64(le.Uint64(b[72:])), 0),
			uid:   int(le.Uint32(b[96:])),
			gid:   int(le.Uint32(b[100:])),
			mode:  le.Uint32(b[104:]),
		}
		dl := int(le.Uint32(b[112:]))
		if dl > 0 && 160+dl <= len(b) {
			in.inline = b[160 : 160+dl]
		}
		u.inodes[inum] = in
	case ubifsDentNode:
		if len(b) < 56 {
			return errors.New("ubifs: short dentry node")
		}
		nl := int(le.Uint16(b[50:]))
		if 56+nl > len(b) {
			return errors.New("ubifs: bad dentry name length")
		}
		d := ubifsDent{name: string(b[56 : 56+nl]), inum: le.Uint64(b[40:]), sqnum: sq}
		ds := slices.DeleteFunc(u.dents[inum], func(o ubifsDent) bool { return o.name == d.name && o.sqnum < d.sqnum })
		if d.inum != 0 {
			ds = append(ds, d)
		}
		u.dents[inum] = ds
	case ubifsDataNode:
		block := le.Uint32(b[ubifsCHLen+4:]) & 0x1fffffff
		u.data[inum] = append(u.data[inum], ubifsData{block: block, pos: pos, len: uint32(len(b)), sqnum: sq})
	case ubifsTrunNode:
		if len(b) < 56 {
			return errors.New("ubifs: short truncation node")
		}
		keep := (int64(le.Uint64(b[48:])) + ubifsBlockSize - 1) / ubifsBlockSize
		u.data[inum] = slices.DeleteFunc(u.data[inum], func(d ubifsData) bool { return int64(d.block) >= keep && d.sqnum < sq })
	}
	return nil
}

// journalNode is a node found while scanning a log or bud LEB.
type journalNode struct {
	pos int64
	b   []byte
}

// scanLEB returns the valid nodes of LEB lnum from offs on, stopping at
// erased space or damage. Padding nodes and padding bytes are skipped.
func (u *ubifsFS) scanLEB(lnum, offs int64) []journalNode {
	var out []journalNode
	end := (lnum + 1) * u.leb
	for pos := lnum*u.leb + offs; pos+ubifsCHLen <= end && pos+ubifsCHLen <= u.size; {
		b, err := u.node(pos, ubifsMaxNodeLen+256)
		if err != nil {
			var c [1]byte
			if _, rerr := u.r.ReadAt(c[:], pos); rerr == nil && c[0] == ubifsPadByte {
				pos++
				continue
			}
			break
		}
		next := pos + (int64(len(b))+7)&^7
		if b[20] == ubifsPadNode && len(b) >= 28 {
			next = pos + int64(len(b)) + int64(binary.LittleEndian.Uint32(b[24:]))
		} else {
			out = append(out, journalNode{pos: pos, b: b})
		}
		if len(out) > ubifsMaxNodes {
			break
		}
		pos = next
	}
	return out
}

// replay applies the journal: the buds referenced from the log written
// since the last commit, in sequence order. Images made by mkfs.ubifs
// have an empty journal; dumps of mounted devices usually do not.
func (u *ubifsFS) replay(sb, mst []byte) error {
	le := binary.LittleEndian
	if len(sb) < 68 || len(mst) < 64 {
		return errors.New("ubifs: short superblock or master node")
	}
	logLebs := int64(le.Uint32(sb[56:]))
	logLnum := int64(le.Uint32(mst[44:]))
	if logLebs < 2 || logLebs > 4096 || logLnum < ubifsLogLnum || logLnum >= ubifsLogLnum+logLebs {
		return fmt.Errorf("ubifs: bad log position %d of %d LEBs", logLnum, logLebs)
	}
	var cs uint64
	var buds [][2]int64
	for i := range logLebs {
		lnum := ubifsLogLnum + (logLnum-ubifsLogLnum+i)%logLebs
		nodes := u.scanLEB(lnum, 0)
		if len(nodes) == 0 {
			break
		}
		sq := le.Uint64(nodes[0].b[8:])
		if i == 0 {
			if nodes[0].b[20] != ubifsCSNode {
				return errors.New("ubifs: log does not start with a commit-start node")
			}
			cs = sq
		} else if sq <= cs {
			break // an older commit's log
		}
		for _, n := range nodes {
			if n.b[20] == ubifsRefNode && len(n.b) >= 36 {
				buds = append(buds, [2]int64{int64(le.Uint32(n.b[24:])), int64(le.Uint32(n.b[28:]))})
			}
		}
	}
	var journal []journalNode
	for _, bud := range buds {
		if bud[0] <= logLnum || bud[0]*u.leb >= u.size || bud[1] >= u.leb {
			continue
		}
		for _, n := range u.scanLEB(bud[0], bud[1]) {
			if le.Uint64(n.b[8:]) > cs {
				journal = append(journal, n)
			}
		}
	}
	slices.SortFunc(journal, func(a, b journalNode) int { return cmp.Compare(le.Uint64(a.b[8:]), le.Uint64(b.b[8:])) })
	for _, n := range journal {
		if err := u.apply(n.pos, n.b); err != nil {
			return err
		}
	}
	return nil
}

func (u *ubifsFS) walkDir(ctx context.Context, s *sink, dir uint64, p string, depth int, seen map[uint64]bool) error {
	if depth > maxPathDepth {
		s.u.unassessed(s.display("/"+p), fmt.Sprintf("directory nesting deeper than %d", maxPathDepth))
		return nil
	}
	ds := u.dents[dir]
	slices.SortFunc(ds, func(a, b ubifsDent) int {
		if a.name < b.name {
			return -1
		}
		if a.name > b.name {
			return 1
		}
		return 0
	})
	for _, d := range ds {
		cp := path.Join(p, d.name)
		in := u.inodes[d.inum]
		if in == nil {
			s.u.unassessed(s.display("/"+cp), fmt.Sprintf("ubifs: inode %d not found", d.inum))
			continue
		}
		e := entry{Name: cp, Mode: unixMode(in.mode), UID: in.uid, GID: in.gid, ModTime: in.mtime, Size: in.size}
		switch in.mode & sIFMT {
		case sIFLNK:
			e.Link, e.Size = string(in.inline), 0
		case sIFREG:
			inum := d.inum
			e.Open = func() (io.Reader, error) { return u.open(inum, in.size) }
		}
		if err := s.emit(ctx, e); err != nil {
			return err
		}
		if in.mode&sIFMT == sIFDIR && !seen[d.inum] {
			seen[d.inum] = true
			if err := u.walkDir(ctx, s, d.inum, cp, depth+1, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// open returns a reader over a file's data nodes; missing blocks are holes.
func (u *ubifsFS) open(inum uint64, size int64) (io.Reader, error) {
	nodes := slices.Clone(u.data[inum])
	// Newest node first for each block; the reader skips the older ones.
	slices.SortFunc(nodes, func(a, b ubifsData) int {
		return cmp.Or(cmp.Compare(a.block, b.block), cmp.Compare(b.sqnum, a.sqnum))
	})
	return &ubifsReader{u: u, nodes: nodes, size: size}, nil
}

type ubifsReader struct {
	u     *ubifsFS
	nodes []ubifsData
	size  int64
	pos   int64
	buf   []byte
}

func (r *ubifsReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.pos >= r.size {
			return 0, io.EOF
		}
		block := r.pos / ubifsBlockSize
		var out []byte
		for len(r.nodes) > 0 && int64(r.nodes[0].block) < block {
			r.nodes = r.nodes[1:]
		}
		if len(r.nodes) > 0 && int64(r.nodes[0].block) == block {
			var err error
			if out, err = r.u.readData(r.nodes[0]); err != nil {
				return 0, err
			}
			r.nodes = r.nodes[1:]
		}
		full := make([]byte, min(ubifsBlockSize, r.size-r.pos))
		copy(full, out)
		r.buf = full
		r.pos += int64(len(full))
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func (u *ubifsFS) readData(d ubifsData) ([]byte, error) {
	b, err := u.node(d.pos, int(d.len))
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	size := int(le.Uint32(b[40:]))
	if size > ubifsBlockSize {
		return nil, fmt.Errorf("ubifs: data node of %d bytes", size)
	}
	data := b[48:]
	switch comp := le.Uint16(b[44:]); comp {
	case 0:
		return data, nil
	case 1:
		return lzoDecompress(data, size)
	case 2:
		return io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(data)), ubifsBlockSize))
	case 3:
		z, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<20))
		if err != nil {
			return nil, err
		}
		defer z.Close()
		return z.DecodeAll(data, nil)
	default:
		return nil, fmt.Errorf("ubifs: unknown compression %d", comp)
	}
}
