package firmware

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"path"
	"sync"
	"time"

	"github.com/CalebQ42/squashfs/low/directory"
	"github.com/CalebQ42/squashfs/low/inode"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
	xzembedded "github.com/mikelolasagasti/xz"
	"github.com/pierrec/lz4/v4"
	"github.com/rasky/go-lzo"
	"github.com/ulikunitz/xz/lzma"
)

// Squashfs 4.0 reader. Inode and directory records are decoded by
// github.com/CalebQ42/squashfs/low (v1.4.1); block I/O, decompression and
// caching are ours, because the library's file reader decompresses a
// whole fragment block again for every small file (a rootfs of 3000 small
// files took minutes) and decodes lz4 blocks as lz4 frames (squashfs
// stores raw lz4 blocks), so lz4 images failed.

// maxPathDepth bounds directory nesting inside one filesystem (a crafted
// image can make a directory contain its own ancestor).
const maxPathDepth = 128

const (
	squashMetaSize     = 8192
	squashMetaCacheMax = 4096 // decompressed metadata blocks kept (32 MiB)
	squashFragCacheMax = 16   // decompressed fragment blocks kept
	squashNoFragment   = 0xFFFFFFFF
	squashUncompressed = 1 << 24
	squashMaxFragments = 1 << 22
	squashMaxIDs       = 1 << 16
)

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

// squashFS holds one squashfs image's tables and caches. Its methods are
// safe for concurrent use by prefetch workers.
type squashFS struct {
	r         io.ReaderAt
	size      int64
	blockSize uint32
	comp      uint16
	inodes    int64 // inode table start
	dirs      int64 // directory table start
	ids       []uint32
	frags     []squashFrag
	zstd      *zstd.Decoder

	mu        sync.Mutex
	meta      map[int64]squashMeta
	fragCache map[uint32][]byte
	fragOrder []uint32
	xzPool    sync.Pool
}

type squashMeta struct {
	data []byte
	next int64 // disk position of the following block
}

type squashFrag struct {
	start uint64
	size  uint32
}

func walkSquashfs(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	h := make([]byte, 96)
	if _, err := r.ReadAt(h, 0); err != nil {
		return 0, err
	}
	le := binary.LittleEndian
	if major := le.Uint16(h[28:30]); major != 4 {
		return 0, fmt.Errorf("squashfs version %d: %w", major, errUnsupported)
	}
	used := int64(le.Uint64(h[40:48]))
	if used <= 96 || used > r.Size() {
		return 0, fmt.Errorf("squashfs: bytes_used %d outside the %d available bytes", used, r.Size())
	}
	q := &squashFS{
		r: r, size: used, blockSize: le.Uint32(h[12:]), comp: le.Uint16(h[20:]),
		inodes: int64(le.Uint64(h[64:])), dirs: int64(le.Uint64(h[72:])),
		meta: map[int64]squashMeta{}, fragCache: map[uint32][]byte{},
	}
	if q.blockSize < 4096 || q.blockSize > 1<<20 {
		return 0, fmt.Errorf("squashfs: bad block size %d", q.blockSize)
	}
	if q.comp == 6 {
		z, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(4<<20))
		if err != nil {
			return 0, err
		}
		defer z.Close()
		q.zstd = z
	}
	var err error
	if q.ids, err = squashTable(q, int64(le.Uint64(h[48:])), int(le.Uint16(h[26:])), 4, squashMaxIDs, func(b []byte) uint32 { return le.Uint32(b) }); err != nil {
		return 0, fmt.Errorf("squashfs id table: %w", err)
	}
	if fc := int(le.Uint32(h[16:])); fc > 0 && le.Uint64(h[80:]) != ^uint64(0) {
		if q.frags, err = squashTable(q, int64(le.Uint64(h[80:])), fc, 16, squashMaxFragments, func(b []byte) squashFrag {
			return squashFrag{start: le.Uint64(b), size: le.Uint32(b[8:])}
		}); err != nil {
			return 0, fmt.Errorf("squashfs fragment table: %w", err)
		}
	}
	rootRef := le.Uint64(h[32:])
	root, err := q.inode(rootRef>>16, uint16(rootRef))
	if err != nil {
		return 0, fmt.Errorf("squashfs root inode: %w", err)
	}
	var es []entry
	if err := q.collect(root, "", 0, s, &es, map[[2]uint32]bool{}); err != nil {
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

// table reads a lookup table (ids, fragments) of n records of size rec.
func squashTable[T any](q *squashFS, start int64, n, rec, limit int, parse func([]byte) T) ([]T, error) {
	if n > limit {
		return nil, fmt.Errorf("%d entries", n)
	}
	per := squashMetaSize / rec
	blocks := (n + per - 1) / per
	idx := make([]byte, 8*blocks)
	if _, err := q.r.ReadAt(idx, start); err != nil {
		return nil, err
	}
	out := make([]T, 0, n)
	buf := make([]byte, rec)
	for i := range blocks {
		mr := q.metaReader(int64(binary.LittleEndian.Uint64(idx[8*i:])), 0)
		for j := 0; j < per && len(out) < n; j++ {
			if _, err := io.ReadFull(mr, buf); err != nil {
				return nil, err
			}
			out = append(out, parse(buf))
		}
	}
	return out, nil
}

// decompress decodes one block of at most max bytes.
func (q *squashFS) decompress(b []byte, max int) ([]byte, error) {
	var out []byte
	var err error
	switch q.comp {
	case 1:
		var z io.ReadCloser
		if z, err = zlib.NewReader(bytes.NewReader(b)); err == nil {
			out, err = io.ReadAll(io.LimitReader(z, int64(max)+1))
		}
	case 2:
		var z *lzma.Reader
		if z, err = lzma.NewReader(bytes.NewReader(b)); err == nil {
			out, err = io.ReadAll(io.LimitReader(z, int64(max)+1))
		}
	case 3:
		out, err = lzoDecompress(b, max)
	case 4:
		z, _ := q.xzPool.Get().(*xzembedded.Reader)
		if z == nil {
			z, err = xzembedded.NewReader(bytes.NewReader(b), 0)
		} else {
			err = z.Reset(bytes.NewReader(b))
		}
		if err == nil {
			out, err = io.ReadAll(io.LimitReader(z, int64(max)+1))
			q.xzPool.Put(z)
		}
	case 5:
		out = make([]byte, max)
		var n int
		n, err = lz4.UncompressBlock(b, out)
		out = out[:n]
	case 6:
		out, err = q.zstd.DecodeAll(b, make([]byte, 0, max))
	default:
		err = fmt.Errorf("unknown compressor %d", q.comp)
	}
	if err != nil {
		return nil, fmt.Errorf("squashfs decompress: %w", err)
	}
	if len(out) > max {
		return nil, fmt.Errorf("squashfs: block decompresses to more than %d bytes", max)
	}
	return out, nil
}

// metaBlock returns the metadata block at pos, decompressed and cached.
func (q *squashFS) metaBlock(pos int64) (squashMeta, error) {
	q.mu.Lock()
	m, ok := q.meta[pos]
	q.mu.Unlock()
	if ok {
		return m, nil
	}
	var hb [2]byte
	if pos < 0 || pos+2 > q.size {
		return m, fmt.Errorf("squashfs: metadata block at %#x outside the image", pos)
	}
	if _, err := q.r.ReadAt(hb[:], pos); err != nil {
		return m, err
	}
	h := binary.LittleEndian.Uint16(hb[:])
	n := int64(h & 0x7fff)
	if n == 0 || pos+2+n > q.size {
		return m, fmt.Errorf("squashfs: bad metadata block at %#x", pos)
	}
	raw := make([]byte, n)
	if _, err := q.r.ReadAt(raw, pos+2); err != nil {
		return m, err
	}
	data := raw
	if h&0x8000 == 0 {
		var err error
		if data, err = q.decompress(raw, squashMetaSize); err != nil {
			return m, err
		}
	}
	m = squashMeta{data: data, next: pos + 2 + n}
	q.mu.Lock()
	if len(q.meta) >= squashMetaCacheMax {
		clear(q.meta)
	}
	q.meta[pos] = m
	q.mu.Unlock()
	return m, nil
}

// metaReader reads the metadata stream starting offset bytes into the
// block at pos. Each Read fills p completely unless an error occurs (the
// library's parsers expect that).
type metaReader struct {
	q    *squashFS
	next int64
	buf  []byte
	skip int
	err  error
}

func (q *squashFS) metaReader(pos int64, offset int) *metaReader {
	return &metaReader{q: q, next: pos, skip: offset}
}

func (m *metaReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(m.buf) == 0 {
			if m.err != nil {
				return n, m.err
			}
			b, err := m.q.metaBlock(m.next)
			if err != nil {
				m.err = err
				return n, err
			}
			m.buf, m.next = b.data, b.next
			if m.skip > 0 {
				if m.skip > len(m.buf) {
					m.err = errors.New("squashfs: metadata offset beyond its block")
					return n, m.err
				}
				m.buf, m.skip = m.buf[m.skip:], 0
			}
			continue
		}
		k := copy(p[n:], m.buf)
		m.buf = m.buf[k:]
		n += k
	}
	return n, nil
}

func (q *squashFS) inode(block uint64, offset uint16) (inode.Inode, error) {
	return inode.Read(q.metaReader(q.inodes+int64(block), int(offset)), q.blockSize)
}

// collect lists the entries below the directory inode dir.
func (q *squashFS) collect(dir inode.Inode, p string, depth int, s *sink, out *[]entry, seen map[[2]uint32]bool) error {
	if len(*out) > s.u.lim.MaxFiles {
		return nil // emit reports max-files
	}
	var start uint32
	var size uint32
	var offset uint16
	switch d := dir.Data.(type) {
	case inode.Directory:
		start, size, offset = d.BlockStart, uint32(d.Size), d.Offset
	case inode.EDirectory:
		start, size, offset = d.BlockStart, d.Size, d.Offset
	default:
		return errors.New("squashfs: not a directory")
	}
	if size <= 3 { // empty; its position may equal the next listing's
		return nil
	}
	// A crafted image can list one directory block under several names.
	key := [2]uint32{start, uint32(offset)}
	if depth > maxPathDepth || seen[key] {
		s.u.unassessed(s.display("/"+p), fmt.Sprintf("squashfs: directory loop or nesting deeper than %d", maxPathDepth))
		return nil
	}
	seen[key] = true
	ents, err := directory.ReadDirectory(q.metaReader(q.dirs+int64(start), int(offset)), size)
	if err != nil {
		if depth == 0 {
			return fmt.Errorf("squashfs: read root directory: %w", err)
		}
		s.u.unassessed(s.display("/"+p), "squashfs: read directory: "+err.Error())
		return nil
	}
	for _, de := range ents {
		cp := path.Join(p, de.Name)
		in, err := q.inode(uint64(de.BlockStart), de.Offset)
		if err != nil {
			s.u.unassessed(s.display("/"+cp), "squashfs: inode: "+err.Error())
			continue
		}
		e := entry{Name: cp, ModTime: time.Unix(int64(in.ModTime), 0), UID: q.id(in.UidInd), GID: q.id(in.GidInd), Mode: unixPerm(uint32(in.Perm))}
		switch d := in.Data.(type) {
		case inode.Directory, inode.EDirectory:
			e.Mode |= fs.ModeDir
		case inode.Symlink:
			e.Mode, e.Link = e.Mode|fs.ModeSymlink, string(d.Target)
		case inode.ESymlink:
			e.Mode, e.Link = e.Mode|fs.ModeSymlink, string(d.Target)
		case inode.File:
			e.Size = int64(d.Size)
			e.Open = q.opener(uint64(d.BlockStart), uint64(d.Size), d.FragInd, d.FragOffset, d.BlockSizes)
		case inode.EFile:
			e.Size = int64(d.Size)
			e.Open = q.opener(d.BlockStart, d.Size, d.FragInd, d.FragOffset, d.BlockSizes)
		default:
			switch in.Type {
			case inode.Block, inode.EBlock:
				e.Mode |= fs.ModeDevice
			case inode.Char, inode.EChar:
				e.Mode |= fs.ModeDevice | fs.ModeCharDevice
			case inode.Fifo, inode.EFifo:
				e.Mode |= fs.ModeNamedPipe
			default:
				e.Mode |= fs.ModeSocket
			}
		}
		*out = append(*out, e)
		if e.Mode.IsDir() {
			if err := q.collect(in, cp, depth+1, s, out, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

func (q *squashFS) id(i uint16) int {
	if int(i) < len(q.ids) {
		return int(q.ids[i])
	}
	return -1
}

func (q *squashFS) opener(start, size uint64, frag, fragOff uint32, sizes []uint32) func() (io.Reader, error) {
	return func() (io.Reader, error) {
		return &squashFile{q: q, pos: int64(start), size: int64(size), frag: frag, fragOff: fragOff, sizes: sizes}, nil
	}
}

// squashFile reads a regular file block by block.
type squashFile struct {
	q       *squashFS
	pos     int64 // disk position of the next block
	size    int64
	done    int64 // bytes produced
	frag    uint32
	fragOff uint32
	sizes   []uint32
	buf     []byte
}

func (f *squashFile) Read(p []byte) (int, error) {
	for len(f.buf) == 0 {
		if f.done >= f.size {
			return 0, io.EOF
		}
		b, err := f.nextBlock()
		if err != nil {
			return 0, err
		}
		if int64(len(b)) > f.size-f.done {
			b = b[:f.size-f.done]
		}
		if len(b) == 0 {
			return 0, io.ErrUnexpectedEOF
		}
		f.buf = b
		f.done += int64(len(b))
	}
	n := copy(p, f.buf)
	f.buf = f.buf[n:]
	return n, nil
}

func (f *squashFile) nextBlock() ([]byte, error) {
	q, bs := f.q, int64(f.q.blockSize)
	if len(f.sizes) > 0 {
		sz := f.sizes[0]
		f.sizes = f.sizes[1:]
		want := min(bs, f.size-f.done)
		n := int64(sz &^ squashUncompressed)
		if n == 0 { // sparse block
			return make([]byte, want), nil
		}
		if f.pos+n > q.size || n > bs {
			return nil, fmt.Errorf("squashfs: data block at %#x outside the image", f.pos)
		}
		raw := make([]byte, n)
		if _, err := q.r.ReadAt(raw, f.pos); err != nil {
			return nil, err
		}
		f.pos += n
		if sz&squashUncompressed != 0 {
			return raw, nil
		}
		return q.decompress(raw, int(bs))
	}
	if f.frag == squashNoFragment {
		return nil, errors.New("squashfs: file data missing")
	}
	fb, err := q.fragment(f.frag)
	if err != nil {
		return nil, err
	}
	end := int64(f.fragOff) + (f.size - f.done)
	if end > int64(len(fb)) {
		return nil, errors.New("squashfs: fragment shorter than the file tail")
	}
	return fb[f.fragOff:end], nil
}

// fragment returns a decompressed fragment block, cached.
func (q *squashFS) fragment(i uint32) ([]byte, error) {
	q.mu.Lock()
	b, ok := q.fragCache[i]
	q.mu.Unlock()
	if ok {
		return b, nil
	}
	if int(i) >= len(q.frags) {
		return nil, fmt.Errorf("squashfs: fragment %d out of range", i)
	}
	fr := q.frags[i]
	n := int64(fr.size &^ squashUncompressed)
	if n == 0 || n > int64(q.blockSize) || int64(fr.start)+n > q.size {
		return nil, fmt.Errorf("squashfs: bad fragment %d", i)
	}
	raw := make([]byte, n)
	if _, err := q.r.ReadAt(raw, int64(fr.start)); err != nil {
		return nil, err
	}
	b = raw
	if fr.size&squashUncompressed == 0 {
		var err error
		if b, err = q.decompress(raw, int(q.blockSize)); err != nil {
			return nil, err
		}
	}
	q.mu.Lock()
	if _, ok := q.fragCache[i]; !ok {
		q.fragCache[i] = b
		q.fragOrder = append(q.fragOrder, i)
		if len(q.fragOrder) > squashFragCacheMax {
			delete(q.fragCache, q.fragOrder[0])
			q.fragOrder = q.fragOrder[1:]
		}
	}
	q.mu.Unlock()
	return b, nil
}

// lzoDecompress wraps the LZO decoder, which may panic on corrupt input.
func lzoDecompress(in []byte, max int) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("lzo: corrupt input (%v)", r)
		}
	}()
	out, err = lzo.Decompress1X(bytes.NewReader(in), len(in), max)
	if err == nil && len(out) > max {
		return nil, fmt.Errorf("lzo: output larger than %d bytes", max)
	}
	return out, err
}
