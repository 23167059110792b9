package firmware

import (
	"bytes"
	"compress/bzip2"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz/lzma"
)

// U-Boot legacy image header (include/image.h).
const (
	uimageMagic     = 0x27051956
	uimageHeaderLen = 64
	uimageTypeMulti = 4
	uimageMaxParts  = 64
)

var uimageTypes = map[byte]string{
	1: "standalone", 2: "kernel", 3: "ramdisk", 4: "multi", 5: "firmware", 6: "script", 7: "filesystem",
	8: "flat_dt", 9: "kwbimage", 10: "imximage", 14: "kernel_noload",
}

func uimageFormat() *format {
	return &format{
		name:   "uimage",
		magic:  []byte{0x27, 0x05, 0x19, 0x56},
		probe:  probeUImage,
		walk:   walkUImage,
		opaque: true,
	}
}

func probeUImage(h []byte) bool {
	if len(h) < uimageHeaderLen || binary.BigEndian.Uint32(h) != uimageMagic {
		return false
	}
	hdr := make([]byte, uimageHeaderLen)
	copy(hdr, h)
	want := binary.BigEndian.Uint32(hdr[4:8])
	clear(hdr[4:8])
	return crc32.ChecksumIEEE(hdr) == want
}

func walkUImage(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	h := make([]byte, uimageHeaderLen)
	if _, err := r.ReadAt(h, 0); err != nil {
		return 0, fmt.Errorf("uimage header: %w", err)
	}
	if !probeUImage(h) {
		return 0, fmt.Errorf("uimage: bad header checksum")
	}
	be := binary.BigEndian
	size := int64(be.Uint32(h[12:16]))
	mtime := time.Unix(int64(be.Uint32(h[8:12])), 0)
	if uimageHeaderLen+size > r.Size() {
		return 0, fmt.Errorf("uimage: data size %d exceeds the %d available bytes", size, r.Size()-uimageHeaderLen)
	}
	used := uimageHeaderLen + size
	data := io.NewSectionReader(r, uimageHeaderLen, size)
	if uimageDataCRC(data) != be.Uint32(h[24:28]) {
		s.u.unassessed(s.display("/"), "uimage: data checksum mismatch (image corrupt or modified); unpacked anyway")
	}
	comp, typ := h[31], h[30]
	name := sanitizeName(strings.TrimRight(string(h[32:64]), "\x00"))
	if name == "" {
		name = "payload"
	}
	if t, ok := uimageTypes[typ]; ok {
		name = t + "-" + name
	}
	parts := []*io.SectionReader{data}
	if typ == uimageTypeMulti {
		var err error
		if parts, err = uimageMultiParts(data); err != nil {
			return used, err
		}
	}
	for i, p := range parts {
		n := name
		if len(parts) > 1 {
			n = fmt.Sprintf("%s.%d", name, i)
		}
		e := entry{Name: n, Mode: 0o644, UID: -1, GID: -1, ModTime: mtime, Size: p.Size()}
		e.Open = func() (io.Reader, error) { return uimageDecompress(comp, p) }
		if err := s.emit(ctx, e); err != nil {
			return used, err
		}
	}
	return used, nil
}

func uimageDataCRC(r *io.SectionReader) uint32 {
	h := crc32.NewIEEE()
	io.Copy(h, io.NewSectionReader(r, 0, r.Size()))
	return h.Sum32()
}

// uimageMultiParts splits a multi-file image: a zero-terminated list of
// big-endian sizes, then the parts, each padded to 4 bytes.
func uimageMultiParts(data *io.SectionReader) ([]*io.SectionReader, error) {
	var sizes []int64
	var b [4]byte
	off := int64(0)
	for {
		if _, err := data.ReadAt(b[:], off); err != nil {
			return nil, fmt.Errorf("uimage multi: size table: %w", err)
		}
		off += 4
		n := int64(binary.BigEndian.Uint32(b[:]))
		if n == 0 {
			break
		}
		if len(sizes) == uimageMaxParts {
			return nil, fmt.Errorf("uimage multi: more than %d parts", uimageMaxParts)
		}
		sizes = append(sizes, n)
	}
	var parts []*io.SectionReader
	for _, n := range sizes {
		if off+n > data.Size() {
			return nil, fmt.Errorf("uimage multi: part of %d bytes exceeds the image", n)
		}
		parts = append(parts, io.NewSectionReader(data, off, n))
		off += (n + 3) &^ 3
	}
	return parts, nil
}

func uimageDecompress(comp byte, r io.Reader) (io.Reader, error) {
	switch comp {
	case 0:
		return r, nil
	case 1:
		z, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		z.Multistream(false)
		return z, nil
	case 2:
		return bzip2.NewReader(r), nil
	case 3:
		return lzma.NewReader(r)
	case 4:
		z, _, err := newLzopReader(r)
		return z, err
	case 5:
		return lz4.NewReader(r), nil
	case 6:
		z, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err != nil {
			return nil, err
		}
		return zstdReader{z}, nil
	}
	return nil, fmt.Errorf("uimage: unknown compression %d", comp)
}

// sanitizeName turns a recorded label into a safe single path element.
func sanitizeName(s string) string {
	var b bytes.Buffer
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
			b.WriteRune(c)
		case c == ' ' || c == '/' || c == ':':
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), ".")
	if len(out) > 64 {
		out = out[:64]
	}
	return out
}
