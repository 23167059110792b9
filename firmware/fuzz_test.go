package firmware

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fuzzLimits keeps fuzz iterations small and fast.
func fuzzLimits() Limits {
	return Limits{MaxTotalBytes: 8 << 20, MaxRatio: 1000, MaxDepth: 4, MaxFiles: 500, MaxFileSize: 4 << 20, Timeout: 2 * time.Second, MaxUnassessed: 50}.withDefaults()
}

// fuzzFormat runs one reader on data as if found at offset 0, then
// exercises the resulting FS.
func fuzzFormat(t *testing.T, f *format, data []byte) {
	u := newUnpacker(t.TempDir(), fuzzLimits(), slog.New(slog.DiscardHandler), int64(len(data)))
	ctx, cancel := context.WithTimeout(context.Background(), u.lim.Timeout)
	defer cancel()
	b := blob{r: bytes.NewReader(data), size: int64(len(data))}
	hdr := readHeader(b, 0)
	if !f.probe(hdr) {
		return
	}
	u.run(ctx, f, b, 0, place{mount: ".", carve: true})
	exerciseFS(t, u.fsys)
}

func exerciseFS(t *testing.T, fsys *FS) {
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		fs.ReadFile(fsys, p)
		fs.ReadLink(fsys, p)
		return nil
	})
}

// seedFiles adds checked-in seeds from testdata whose names match glob.
func seedFiles(f *testing.F, glob string) {
	ms, _ := filepath.Glob(filepath.Join("testdata", glob))
	for _, m := range ms {
		if b, err := os.ReadFile(m); err == nil {
			f.Add(b)
		}
	}
}

func FuzzUnpack(f *testing.F) {
	f.Add(gz(tarArchive(f, sampleTree)))
	f.Add(append(append([]byte("HDR0"), uimage(gz(newcArchive(sampleTree)), 3, 1, "rd")...), zipArchive(f, sampleTree)...))
	f.Add(xzc(odcArchive(sampleTree)))
	seedFiles(f, "*")
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "img")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := Unpack(context.Background(), p, fuzzLimits())
		if err != nil {
			t.Fatal(err)
		}
		defer res.Close()
		exerciseFS(t, res.FS)
		res.WriteDir(filepath.Join(t.TempDir(), "out"))
	})
}

func FuzzSquashfs(f *testing.F) {
	seedFiles(f, "*.sqsh")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, squashfsFormat(), data) })
}

func FuzzCpio(f *testing.F) {
	f.Add(newcArchive(sampleTree))
	f.Add(odcArchive(sampleTree))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fm := range []*format{cpioFormat("cpio-newc", "070701"), cpioFormat("cpio-odc", "070707")} {
			fuzzFormat(t, fm, data)
		}
	})
}

func FuzzTar(f *testing.F) {
	f.Add(tarArchive(f, sampleTree))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, tarFormat(), data) })
}

func FuzzZip(f *testing.F) {
	f.Add(zipArchive(f, sampleTree))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, zipFormat(), data) })
}

func FuzzUImage(f *testing.F) {
	f.Add(uimage(gz([]byte("kernel")), 2, 1, "Linux"))
	f.Add(uimage(append([]byte{0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 0}, "abcdefgh"...), 4, 0, "multi"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, uimageFormat(), data) })
}

func FuzzCompressors(f *testing.F) {
	cpio := newcArchive(sampleTree)
	f.Add(gz(cpio))
	f.Add(xzc(cpio))
	f.Add(lzmac(cpio))
	f.Add(zstdc(cpio))
	f.Add(lz4c(cpio))
	seedFiles(f, "*.bz2")
	seedFiles(f, "*.lzo")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fm := range []*format{gzipFormat(), xzFormat(), lzmaFormat(), zstdFormat(), lz4Format(), bzip2Format(), lzopFormat()} {
			fuzzFormat(t, fm, data)
		}
	})
}

func FuzzExt(f *testing.F) {
	seedFiles(f, "*.ext[24]")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, extFormat(), data) })
}

func FuzzUBI(f *testing.F) {
	seedFiles(f, "*.ubi")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, ubiFormat(), data) })
}

func FuzzUBIFS(f *testing.F) {
	seedFiles(f, "*.ubifs")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, ubifsFormat(), data) })
}

func FuzzJFFS2(f *testing.F) {
	seedFiles(f, "*.jffs2")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fm := range jffs2Formats() {
			fuzzFormat(t, fm, data)
		}
	})
}

func FuzzCramfs(f *testing.F) {
	seedFiles(f, "*.cramfs")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, cramfsFormats()[0], data) })
}

func FuzzFAT(f *testing.F) {
	seedFiles(f, "*.fat")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, fatFormat(), data) })
}

func FuzzFIT(f *testing.F) {
	seedFiles(f, "*.itb")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, fitFormat(), data) })
}
