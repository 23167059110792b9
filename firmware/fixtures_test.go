package firmware

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"github.com/assayhq/assay/internal/firmwaretest"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// fixture files used by the Go-built images.
type tfile struct {
	name string
	mode int64 // unix mode incl. type bits
	body string
	link string
	uid  int
}

var sampleTree = []tfile{
	{name: "etc", mode: sIFDIR | 0o755},
	{name: "etc/passwd", mode: sIFREG | 0o644, body: "root:x:0:0::/root:/bin/sh\n"},
	{name: "etc/shadow", mode: sIFREG | 0o600, body: "root::19723:0:99999:7:::\n"},
	{name: "bin", mode: sIFDIR | 0o755},
	{name: "bin/busybox", mode: sIFREG | 0o4755, body: "BusyBox v1.36.1 (2024-01-01) multi-call binary", uid: 0},
	{name: "bin/sh", mode: sIFLNK | 0o777, link: "busybox"},
	{name: "etc/init.d", mode: sIFDIR | 0o755},
	{name: "etc/init.d/rcS", mode: sIFREG | 0o755, body: "#!/bin/sh\ntelnetd -l /bin/sh\n", uid: 1000},
}

// newcArchive writes a cpio newc archive of files.
func newcArchive(files []tfile) []byte {
	var b bytes.Buffer
	pad := func() {
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
	}
	write := func(ino int, f tfile) {
		data := f.body
		if f.link != "" {
			data = f.link
		}
		fmt.Fprintf(&b, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
			ino, f.mode, f.uid, 0, 1, 1704110400, len(data), 0, 0, 0, 0, len(f.name)+1, 0)
		b.WriteString(f.name + "\x00")
		pad()
		b.WriteString(data)
		pad()
	}
	for i, f := range files {
		write(i+1, f)
	}
	write(0, tfile{name: "TRAILER!!!"})
	return b.Bytes()
}

// odcArchive writes a POSIX portable (odc) cpio archive of files.
func odcArchive(files []tfile) []byte {
	var b bytes.Buffer
	write := func(ino int, f tfile) {
		data := f.body
		if f.link != "" {
			data = f.link
		}
		fmt.Fprintf(&b, "070707%06o%06o%06o%06o%06o%06o%06o%011o%06o%011o", 1, ino, f.mode, f.uid, 0, 1, 0, 1704110400, len(f.name)+1, len(data))
		b.WriteString(f.name + "\x00")
		b.WriteString(data)
	}
	for i, f := range files {
		write(i+1, f)
	}
	write(0, tfile{name: "TRAILER!!!"})
	return b.Bytes()
}

func tarArchive(t testing.TB, files []tfile) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode & 0o7777, Uid: f.uid, ModTime: time.Unix(1704110400, 0), Format: tar.FormatUSTAR}
		switch f.mode & sIFMT {
		case sIFDIR:
			h.Typeflag = tar.TypeDir
		case sIFLNK:
			h.Typeflag, h.Linkname = tar.TypeSymlink, f.link
		case sIFCHR:
			h.Typeflag = tar.TypeChar
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(f.body))
		}
	}
	tw.Close()
	return b.Bytes()
}

func zipArchive(t testing.TB, files []tfile) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		if f.mode&sIFMT == sIFDIR {
			h.Name += "/"
		}
		h.SetMode(unixMode(uint32(f.mode)))
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if f.link != "" {
			w.Write([]byte(f.link))
		} else {
			w.Write([]byte(f.body))
		}
	}
	zw.Close()
	return b.Bytes()
}

func gz(b []byte) []byte {
	var o bytes.Buffer
	w := gzip.NewWriter(&o)
	w.Write(b)
	w.Close()
	return o.Bytes()
}

func xzc(b []byte) []byte {
	var o bytes.Buffer
	w, _ := xz.NewWriter(&o)
	w.Write(b)
	w.Close()
	return o.Bytes()
}

func lzmac(b []byte) []byte {
	var o bytes.Buffer
	w, _ := lzma.WriterConfig{SizeInHeader: true, Size: int64(len(b))}.NewWriter(&o)
	w.Write(b)
	w.Close()
	return o.Bytes()
}

func zstdc(b []byte) []byte {
	w, _ := zstd.NewWriter(nil)
	defer w.Close()
	return w.EncodeAll(b, nil)
}

func lz4c(b []byte) []byte {
	var o bytes.Buffer
	w := lz4.NewWriter(&o)
	w.Write(b)
	w.Close()
	return o.Bytes()
}

// bzip2c compresses with the bzip2 tool (the standard library only
// decompresses); it skips the test when the tool is absent.
func bzip2c(t testing.TB, b []byte) []byte {
	if _, err := exec.LookPath("bzip2"); err != nil {
		t.Skip("bzip2 not installed")
	}
	cmd := exec.Command("bzip2", "-c")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// uimage wraps data in a U-Boot legacy header.
func uimage(data []byte, typ, comp byte, name string) []byte {
	h := make([]byte, uimageHeaderLen)
	be := binary.BigEndian
	be.PutUint32(h[0:], uimageMagic)
	be.PutUint32(h[8:], 1704110400)
	be.PutUint32(h[12:], uint32(len(data)))
	be.PutUint32(h[24:], crc32.ChecksumIEEE(data))
	h[28], h[29], h[30], h[31] = 5, 2, typ, comp // linux, arm
	copy(h[32:], name)
	be.PutUint32(h[4:], crc32.ChecksumIEEE(h))
	return append(h, data...)
}

func writeTemp(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "image.bin")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func unpackBytes(t testing.TB, data []byte, lim Limits) *Result {
	t.Helper()
	return unpackFile(t, writeTemp(t, data), lim)
}

func unpackFile(t testing.TB, p string, lim Limits) *Result {
	t.Helper()
	res, err := Unpack(context.Background(), p, lim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Close() })
	return res
}

// byInner indexes files by "chain formats|inner path".
func byInner(res *Result) map[string]*File {
	m := map[string]*File{}
	for _, f := range res.Files {
		m[f.InnerPath] = f
	}
	return m
}

func chainFormats(f *File) string {
	s := ""
	for i, l := range f.Chain {
		if i > 0 {
			s += ">"
		}
		s += l.Format
	}
	return s
}

func needTool(t testing.TB, tools ...string) { t.Helper(); firmwaretest.NeedTools(t, tools...) }

func run(t testing.TB, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// writeTree materialises sampleTree under dir.
func writeTree(t testing.TB, dir string, files []tfile) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		switch f.mode & sIFMT {
		case sIFDIR:
			os.MkdirAll(p, 0o755)
		case sIFLNK:
			os.Symlink(f.link, p)
		default:
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(f.body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		os.Lchown(p, f.uid, 0)
		if f.mode&sIFMT == sIFREG {
			os.Chmod(p, unixMode(uint32(f.mode)))
		}
	}
}
