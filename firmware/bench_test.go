package firmware

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkUnpackPublicSample unpacks the public sample image (3.9 MB
// squashfs-xz, 7.8 MB of files).
func BenchmarkUnpackPublicSample(b *testing.B) {
	img, _ := sampleImage(b)
	b.ResetTimer()
	for range b.N {
		res, err := Unpack(context.Background(), img, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		res.Close()
	}
}

// BenchmarkUnpack100MB unpacks a 100 MB image: a 512-byte vendor header,
// then a gzip squashfs of 2000 files (half incompressible, half text).
func BenchmarkUnpack100MB(b *testing.B) {
	needTool(b, "mksquashfs")
	dir := b.TempDir()
	src := filepath.Join(dir, "root")
	rnd := rand.New(rand.NewSource(1))
	for i := range 2000 {
		d := filepath.Join(src, fmt.Sprintf("d%02d", i%40))
		os.MkdirAll(d, 0o755)
		buf := make([]byte, 60<<10+rnd.Intn(20<<10))
		if i%2 == 0 {
			rnd.Read(buf)
		} else {
			for j := range buf {
				buf[j] = "abcdefgh ijklmnop\n"[rnd.Intn(18)]
			}
		}
		if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("f%04d", i)), buf, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	sq := filepath.Join(dir, "rootfs.sqsh")
	run(b, "", "mksquashfs", src, sq, "-comp", "gzip", "-noappend", "-no-progress", "-quiet")
	raw, err := os.ReadFile(sq)
	if err != nil {
		b.Fatal(err)
	}
	img := writeTemp(b, append(bytes.Repeat([]byte{0x5a}, 512), raw...))
	b.SetBytes(int64(len(raw) + 512))
	b.ResetTimer()
	for range b.N {
		res, err := Unpack(context.Background(), img, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Files) < 2000 {
			b.Fatalf("%d files", len(res.Files))
		}
		res.Close()
	}
}
