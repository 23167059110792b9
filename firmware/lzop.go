package firmware

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// lzop streams (the format U-Boot uses for LZO-compressed uImage and FIT
// payloads, and a common standalone firmware compressor). Block
// checksums are not verified; blocks are decoded with LZO1X.

const (
	lzopMagic      = "\x89LZO\x00\r\n\x1a\n"
	lzopMaxBlock   = 64 << 20
	lzopFAdler32D  = 0x1
	lzopFAdler32C  = 0x2
	lzopFExtra     = 0x40
	lzopFCRC32D    = 0x100
	lzopFCRC32C    = 0x200
	lzopFHFilter   = 0x800
	lzopFMultipart = 0x400
)

func lzopFormat() *format {
	return &format{
		name:  "lzop",
		magic: []byte(lzopMagic),
		probe: func(h []byte) bool { return len(h) >= 20 && string(h[:9]) == lzopMagic },
		open: func(r io.Reader) (io.Reader, string, error) {
			z, name, err := newLzopReader(r)
			return z, safeBase(name), err
		},
	}
}

type lzopReader struct {
	r     *bufio.Reader
	flags uint32
	buf   []byte
	done  bool
}

func newLzopReader(r io.Reader) (*lzopReader, string, error) {
	br := bufio.NewReader(r)
	z := &lzopReader{r: br}
	var magic [9]byte
	if _, err := io.ReadFull(br, magic[:]); err != nil || string(magic[:]) != lzopMagic {
		return nil, "", errors.New("lzop: bad magic")
	}
	var hdr struct{ Version, LibVersion uint16 }
	if err := binary.Read(br, binary.BigEndian, &hdr); err != nil {
		return nil, "", fmt.Errorf("lzop header: %w", err)
	}
	skip := func(n int) error { _, err := br.Discard(n); return err }
	if hdr.Version >= 0x0940 {
		if err := skip(2); err != nil { // version needed to extract
			return nil, "", err
		}
	}
	method, err := br.ReadByte()
	if err != nil {
		return nil, "", err
	}
	if method < 1 || method > 3 {
		return nil, "", fmt.Errorf("lzop: method %d not supported", method)
	}
	if hdr.Version >= 0x0940 {
		if err := skip(1); err != nil { // level
			return nil, "", err
		}
	}
	if err := binary.Read(br, binary.BigEndian, &z.flags); err != nil {
		return nil, "", err
	}
	if z.flags&lzopFMultipart != 0 {
		return nil, "", fmt.Errorf("lzop: multipart archives: %w", errUnsupported)
	}
	n := 8 // mode, mtime low
	if z.flags&lzopFHFilter != 0 {
		n += 4
	}
	if hdr.Version >= 0x0940 {
		n += 4 // mtime high
	}
	if err := skip(n); err != nil {
		return nil, "", err
	}
	nameLen, err := br.ReadByte()
	if err != nil {
		return nil, "", err
	}
	name := make([]byte, nameLen)
	if _, err := io.ReadFull(br, name); err != nil {
		return nil, "", err
	}
	if err := skip(4); err != nil { // header checksum
		return nil, "", err
	}
	if z.flags&lzopFExtra != 0 {
		var l uint32
		if err := binary.Read(br, binary.BigEndian, &l); err != nil || l > 1<<20 {
			return nil, "", errors.New("lzop: bad extra field")
		}
		if err := skip(int(l) + 4); err != nil {
			return nil, "", err
		}
	}
	return z, string(bytes.TrimRight(name, "\x00")), nil
}

func (z *lzopReader) Read(p []byte) (int, error) {
	for len(z.buf) == 0 {
		if z.done {
			return 0, io.EOF
		}
		if err := z.block(); err != nil {
			return 0, err
		}
	}
	n := copy(p, z.buf)
	z.buf = z.buf[n:]
	return n, nil
}

func (z *lzopReader) block() error {
	var dst uint32
	if err := binary.Read(z.r, binary.BigEndian, &dst); err != nil {
		return fmt.Errorf("lzop block: %w", io.ErrUnexpectedEOF)
	}
	if dst == 0 {
		z.done = true
		return nil
	}
	var src uint32
	if err := binary.Read(z.r, binary.BigEndian, &src); err != nil {
		return io.ErrUnexpectedEOF
	}
	if dst > lzopMaxBlock || src > dst {
		return errors.New("lzop: bad block sizes")
	}
	sums := 0
	if z.flags&(lzopFAdler32D|lzopFCRC32D) != 0 {
		sums += 4 * bitsSet(z.flags&(lzopFAdler32D|lzopFCRC32D))
	}
	if src < dst && z.flags&(lzopFAdler32C|lzopFCRC32C) != 0 {
		sums += 4 * bitsSet(z.flags&(lzopFAdler32C|lzopFCRC32C))
	}
	if _, err := z.r.Discard(sums); err != nil {
		return io.ErrUnexpectedEOF
	}
	data := make([]byte, src)
	if _, err := io.ReadFull(z.r, data); err != nil {
		return io.ErrUnexpectedEOF
	}
	if src == dst {
		z.buf = data
		return nil
	}
	out, err := lzoDecompress(data, int(dst))
	if err != nil {
		return err
	}
	z.buf = out
	return nil
}

func bitsSet(v uint32) int {
	n := 0
	for ; v != 0; v &= v - 1 {
		n++
	}
	return n
}
