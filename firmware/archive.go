package firmware

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

func tarFormat() *format {
	return &format{
		name:     "tar",
		magic:    []byte("ustar"),
		magicOff: 257,
		probe: func(h []byte) bool {
			if len(h) < 512 || string(h[257:262]) != "ustar" {
				return false
			}
			return tarChecksumOK(h[:512])
		},
		walk: walkTar,
	}
}

// tarChecksumOK verifies a tar header block's checksum.
func tarChecksumOK(b []byte) bool {
	var sum int64
	for i, c := range b {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int64(c)
	}
	field := strings.TrimRight(strings.TrimLeft(string(b[148:156]), " "), " \x00")
	var want int64
	if _, err := fmt.Sscanf(field, "%o", &want); err != nil {
		return false
	}
	return want == sum
}

func walkTar(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	cr := &countReader{r: r}
	tr := tar.NewReader(cr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return cr.n, nil
		}
		if err != nil && !(errors.Is(err, tar.ErrInsecurePath) && h != nil) {
			return cr.n, fmt.Errorf("tar: %w", err)
		}
		e := entry{Name: h.Name, UID: h.Uid, GID: h.Gid, ModTime: h.ModTime, Size: h.Size, Mode: unixPerm(uint32(h.Mode))}
		switch h.Typeflag {
		case tar.TypeDir:
			e.Mode |= fs.ModeDir
		case tar.TypeSymlink:
			e.Mode |= fs.ModeSymlink
			e.Link = h.Linkname
		case tar.TypeLink:
			e.HardLink = h.Linkname
		case tar.TypeChar:
			e.Mode |= fs.ModeDevice | fs.ModeCharDevice
		case tar.TypeBlock:
			e.Mode |= fs.ModeDevice
		case tar.TypeFifo:
			e.Mode |= fs.ModeNamedPipe
		case tar.TypeReg, tar.TypeGNUSparse:
			e.Open = func() (io.Reader, error) { return tr, nil }
		default:
			continue
		}
		if err := s.emit(ctx, e); err != nil {
			return cr.n, err
		}
	}
}

func zipFormat() *format {
	magic := []byte("PK\x03\x04")
	return &format{
		name:  "zip",
		magic: magic,
		probe: func(h []byte) bool {
			if len(h) < 30 || !bytes.HasPrefix(h, magic) {
				return false
			}
			le := binary.LittleEndian
			method, nameLen := le.Uint16(h[8:]), le.Uint16(h[26:])
			knownMethod := method == 0 || method == 8 || method == 9 || method == 12 || method == 14 || method == 93 || method == 95 || method == 98 || method == 99
			return le.Uint16(h[4:]) <= 63 && knownMethod && nameLen > 0 && nameLen <= 1024
		},
		walk: walkZip,
	}
}

// zipEnd finds the end of the zip archive starting at offset 0 of r: the
// first end-of-central-directory record whose central directory lies
// before it. It returns the archive size.
func zipEnd(r *io.SectionReader) (int64, error) {
	const chunk = 1 << 20
	eocd := []byte("PK\x05\x06")
	buf := make([]byte, chunk+22)
	for pos := int64(0); pos < r.Size(); pos += chunk {
		n, _ := r.ReadAt(buf, pos)
		b := buf[:n]
		for i := 0; ; {
			j := bytes.Index(b[i:], eocd)
			if j < 0 || i+j+22 > len(b) {
				break
			}
			at := i + j
			i = at + 1
			rec := b[at : at+22]
			cdSize := int64(binary.LittleEndian.Uint32(rec[12:16]))
			cdOff := int64(binary.LittleEndian.Uint32(rec[16:20]))
			comment := int64(binary.LittleEndian.Uint16(rec[20:22]))
			end := pos + int64(at) + 22 + comment
			if cdOff+cdSize == pos+int64(at) && end <= r.Size() {
				return end, nil
			}
		}
	}
	return 0, errors.New("zip: no end of central directory record")
}

func walkZip(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	size, err := zipEnd(r)
	if err != nil {
		return 0, err
	}
	zr, err := zip.NewReader(io.NewSectionReader(r, 0, size), size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return 0, fmt.Errorf("zip: %w", err)
	}
	for _, zf := range zr.File {
		m := zf.Mode()
		e := entry{Name: strings.ReplaceAll(zf.Name, "\\", "/"), ModTime: zf.Modified, Size: int64(zf.UncompressedSize64), UID: -1, GID: -1}
		e.Mode = m.Type() | m.Perm() | (m & (fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky))
		if zf.Mode()&fs.ModeSymlink != 0 {
			rc, err := zf.Open()
			if err != nil {
				s.u.unassessed(s.display("/"+e.Name), "zip: "+err.Error())
				continue
			}
			t, err := io.ReadAll(io.LimitReader(rc, maxCpioName))
			rc.Close()
			if err != nil {
				s.u.unassessed(s.display("/"+e.Name), "zip: "+err.Error())
				continue
			}
			e.Link = string(t)
		} else if m.IsRegular() {
			e.Open = func() (io.Reader, error) { return zf.Open() }
		}
		if err := s.emit(ctx, e); err != nil {
			return size, err
		}
	}
	return size, nil
}
