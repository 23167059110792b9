package firmware

import (
	"bytes"
	"compress/bzip2"
	"encoding/binary"
	"io"
	"math/bits"
	"path"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// maxZstdWindow bounds the memory a zstd frame may ask for.
const maxZstdWindow = 64 << 20

func gzipFormat() *format {
	magic := []byte{0x1f, 0x8b, 0x08}
	return &format{
		name:  "gzip",
		magic: magic,
		probe: func(h []byte) bool {
			// flags: reserved bits 5-7 must be clear.
			return len(h) >= 10 && bytes.HasPrefix(h, magic) && h[3]&0xe0 == 0
		},
		open: func(r io.Reader) (io.Reader, string, error) {
			z, err := gzip.NewReader(r)
			if err != nil {
				return nil, "", err
			}
			z.Multistream(false)
			return z, safeBase(z.Name), nil
		},
	}
}

func xzFormat() *format {
	magic := []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	return &format{
		name:  "xz",
		magic: magic,
		probe: func(h []byte) bool { return len(h) >= 12 && bytes.HasPrefix(h, magic) },
		open: func(r io.Reader) (io.Reader, string, error) {
			z, err := xz.ReaderConfig{SingleStream: true}.NewReader(r)
			return z, "", err
		},
	}
}

func bzip2Format() *format {
	return &format{
		name:  "bzip2",
		magic: []byte("1AY&SY"),
		// "BZh" + level '1'..'9' + block magic 0x314159265359.
		magicOff: 4,
		probe: func(h []byte) bool {
			return len(h) >= 10 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h' && h[3] >= '1' && h[3] <= '9' && string(h[4:10]) == "1AY&SY"
		},
		open: func(r io.Reader) (io.Reader, string, error) { return bzip2.NewReader(r), "", nil },
	}
}

func zstdFormat() *format {
	magic := []byte{0x28, 0xb5, 0x2f, 0xfd}
	return &format{
		name:  "zstd",
		magic: magic,
		probe: func(h []byte) bool {
			// Frame header descriptor: reserved bit 3 must be clear.
			return len(h) >= 6 && bytes.HasPrefix(h, magic) && h[4]&0x08 == 0
		},
		open: func(r io.Reader) (io.Reader, string, error) {
			z, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxZstdWindow), zstd.WithDecoderLowmem(true))
			if err != nil {
				return nil, "", err
			}
			return zstdReader{z}, "", nil
		},
	}
}

// zstdReader releases the decoder's goroutines on Close.
type zstdReader struct{ *zstd.Decoder }

func (z zstdReader) Close() error { z.Decoder.Close(); return nil }

func lz4Format() *format {
	magic := []byte{0x04, 0x22, 0x4d, 0x18}
	return &format{
		name:  "lz4",
		magic: magic,
		probe: func(h []byte) bool {
			// FLG: version 01, reserved bit 1 clear.
			return len(h) >= 7 && bytes.HasPrefix(h, magic) && h[4]>>6 == 1 && h[4]&0x02 == 0
		},
		open: func(r io.Reader) (io.Reader, string, error) { return lz4.NewReader(r), "", nil },
	}
}

// lzmaFormat is the headered "lzma-alone" format common in firmware. It
// has no real magic, so the probe checks the properties strictly.
func lzmaFormat() *format {
	return &format{
		name:  "lzma",
		weak:  true,
		magic: []byte{0x5d, 0x00, 0x00},
		probe: func(h []byte) bool {
			if len(h) < 14 || h[0] != 0x5d {
				return false
			}
			dict := binary.LittleEndian.Uint32(h[1:5])
			if dict < 1<<16 || dict > 1<<26 || bits.OnesCount32(dict) != 1 {
				return false
			}
			size := binary.LittleEndian.Uint64(h[5:13])
			if size != ^uint64(0) && (size == 0 || size > 1<<32) {
				return false
			}
			// The first byte of the range coder stream is always 0.
			return h[13] == 0
		},
		open: func(r io.Reader) (io.Reader, string, error) {
			z, err := lzma.NewReader(r)
			return z, "", err
		},
	}
}

// safeBase reduces a recorded file name to a safe base name.
func safeBase(name string) string {
	b := path.Base("/" + name)
	if b == "/" || b == "." || b == ".." {
		return ""
	}
	return b
}
