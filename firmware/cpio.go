package firmware

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"time"
)

// maxCpioName bounds a cpio entry name.
const maxCpioName = 4096

// cpioFormat reads the SVR4 "newc" (070701) and "crc" (070702) formats
// and the POSIX.1 portable "odc" format (070707). One small reader covers
// all three (github.com/cavaliergopher/cpio reads newc only), hard links
// included.
func cpioFormat(name, magic string) *format {
	return &format{
		name:  name,
		magic: []byte(magic),
		probe: func(h []byte) bool {
			if len(h) < 76 || string(h[:6]) != magic {
				return false
			}
			n := 110
			if magic == "070707" {
				n = 76
			}
			if len(h) < n {
				return false
			}
			for _, c := range h[6:n] {
				if !isHexOrOctal(c, magic == "070707") {
					return false
				}
			}
			return true
		},
		walk: walkCpio,
	}
}

func isHexOrOctal(c byte, octal bool) bool {
	if octal {
		return c >= '0' && c <= '7'
	}
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// cpioHeader is the decoded part of a cpio header that matters here.
type cpioHeader struct {
	mode, uid, gid uint32
	nlink          uint32
	mtime          int64
	size           int64
	name           string
	ino, dev       uint64
	newc           bool // data padded to 4 bytes
}

func walkCpio(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	cr := &countReader{r: r}
	br := bufio.NewReaderSize(cr, 64<<10)
	var pos int64 // bytes consumed by the parser
	// newc stores a hard-linked file's data with its last link; earlier
	// links have size 0 and wait here for it.
	pending := map[[2]uint64][]entry{}
	flush := func() error {
		for _, es := range pending {
			for _, e := range es {
				e.Open = func() (io.Reader, error) { return bytes.NewReader(nil), nil }
				if err := s.emit(ctx, e); err != nil {
					return err
				}
			}
		}
		clear(pending)
		return nil
	}
	for {
		h, hlen, err := readCpioHeader(br)
		if err != nil {
			if pos == 0 {
				return 0, err
			}
			return pos, fmt.Errorf("cpio header at %#x: %w", pos, err)
		}
		pos += hlen
		if h.name == "TRAILER!!!" {
			return pos, flush()
		}
		if h.size < 0 || h.size > r.Size()-pos {
			return pos, fmt.Errorf("cpio entry %q: size %d exceeds the archive", h.name, h.size)
		}
		e := entry{Name: h.name, Mode: unixMode(h.mode), UID: int(h.uid), GID: int(h.gid), ModTime: time.Unix(h.mtime, 0), Size: h.size}
		data := io.NewSectionReader(r, pos, h.size)
		switch {
		case h.mode&sIFMT == sIFLNK:
			if h.size > maxCpioName {
				return pos, fmt.Errorf("cpio symlink %q: target too long", h.name)
			}
			t := make([]byte, h.size)
			if _, err := data.ReadAt(t, 0); err != nil {
				return pos, fmt.Errorf("cpio symlink %q: %w", h.name, err)
			}
			e.Link, e.Size = string(t), 0
		case h.mode&sIFMT == sIFREG || h.mode&sIFMT == 0:
			e.Open = func() (io.Reader, error) { return data, nil }
		}
		key := [2]uint64{h.dev, h.ino}
		isReg := h.mode&sIFMT == sIFREG
		switch {
		case isReg && h.newc && h.nlink > 1 && h.size == 0:
			if len(pending) < 4096 {
				pending[key] = append(pending[key], e)
			}
		default:
			if err := s.emit(ctx, e); err != nil {
				return pos, err
			}
			if isReg && h.size > 0 {
				for _, p := range pending[key] {
					p.HardLink = h.name
					if err := s.emit(ctx, p); err != nil {
						return pos, err
					}
				}
				delete(pending, key)
			}
		}
		pad := h.size
		if h.newc {
			pad = (h.size + 3) &^ 3
		}
		if _, err := br.Discard(int(min(pad, r.Size()-pos))); err != nil {
			return pos, fmt.Errorf("cpio entry %q: %w", h.name, err)
		}
		pos += pad
	}
}

// readCpioHeader reads one header and its name; hlen includes padding.
func readCpioHeader(br *bufio.Reader) (cpioHeader, int64, error) {
	var h cpioHeader
	magic, err := br.Peek(6)
	if err != nil {
		return h, 0, fmt.Errorf("truncated header: %w", err)
	}
	switch string(magic) {
	case "070701", "070702":
		var b [110]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return h, 0, err
		}
		f := func(i int) (uint64, error) { return strconv.ParseUint(string(b[6+8*i:14+8*i]), 16, 32) }
		var v [13]uint64
		for i := range v {
			if v[i], err = f(i); err != nil {
				return h, 0, fmt.Errorf("bad newc header field %d", i)
			}
		}
		h.ino, h.mode, h.uid, h.gid, h.nlink, h.mtime, h.size = v[0], uint32(v[1]), uint32(v[2]), uint32(v[3]), uint32(v[4]), int64(v[5]), int64(v[6])
		h.dev = v[7]<<32 | v[8]
		h.newc = true
		nameLen := int64(v[11])
		name, err := readCpioName(br, nameLen, (110+nameLen+3)&^3-110)
		if err != nil {
			return h, 0, err
		}
		h.name = name
		return h, (110 + nameLen + 3) &^ 3, nil
	case "070707":
		var b [76]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return h, 0, err
		}
		o := func(off, n int) (uint64, error) { return strconv.ParseUint(string(b[off:off+n]), 8, 64) }
		var v [10]uint64
		fields := [][2]int{{6, 6}, {12, 6}, {18, 6}, {24, 6}, {30, 6}, {36, 6}, {42, 6}, {48, 11}, {59, 6}, {65, 11}}
		for i, fl := range fields {
			if v[i], err = o(fl[0], fl[1]); err != nil {
				return h, 0, fmt.Errorf("bad odc header field %d", i)
			}
		}
		h.dev, h.ino, h.mode, h.uid, h.gid, h.nlink, h.mtime = v[0], v[1], uint32(v[2]), uint32(v[3]), uint32(v[4]), uint32(v[5]), int64(v[7])
		nameLen := int64(v[8])
		h.size = int64(v[9])
		name, err := readCpioName(br, nameLen, nameLen)
		if err != nil {
			return h, 0, err
		}
		h.name = name
		return h, 76 + nameLen, nil
	}
	return h, 0, fmt.Errorf("bad magic %q", magic)
}

func readCpioName(br *bufio.Reader, n, padded int64) (string, error) {
	if n <= 0 || n > maxCpioName {
		return "", fmt.Errorf("bad name length %d", n)
	}
	b := make([]byte, padded)
	if _, err := io.ReadFull(br, b); err != nil {
		return "", fmt.Errorf("truncated name: %w", err)
	}
	return string(bytes.TrimRight(b[:n], "\x00")), nil
}
