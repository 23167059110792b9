package firmware

import (
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMutatedImages unpacks randomly damaged variants of every fixture: no
// reader may panic (a recovered panic shows up as "reader failed") or take
// long. It complements the fuzz targets with a fixed, fast sample.
func TestMutatedImages(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	ms, _ := filepath.Glob("testdata/*")
	seeds := [][]byte{gz(tarArchive(t, sampleTree)), newcArchive(sampleTree), odcArchive(sampleTree), zipArchive(t, sampleTree),
		uimage(gz(newcArchive(sampleTree)), 3, 1, "rd"), xzc(tarArchive(t, sampleTree)), lzmac(newcArchive(sampleTree)),
		zstdc(newcArchive(sampleTree)), lz4c(newcArchive(sampleTree))}
	for _, m := range ms {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	r := rand.New(rand.NewSource(42))
	p := filepath.Join(t.TempDir(), "img")
	for si, s := range seeds {
		for i := range 25 {
			d := append([]byte{}, s...)
			for range 1 + r.Intn(8) {
				d[r.Intn(len(d))] = byte(r.Intn(256))
			}
			if r.Intn(4) == 0 {
				d = d[:r.Intn(len(d))]
			}
			if err := os.WriteFile(p, d, 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			res, err := Unpack(context.Background(), p, fuzzLimits())
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range res.Unassessed {
				if strings.Contains(u.Reason, "reader failed") {
					t.Errorf("seed %d mutation %d: %s", si, i, u.Reason)
				}
			}
			exerciseFS(t, res.FS)
			res.Close()
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("seed %d mutation %d took %v", si, i, el)
			}
		}
	}
}
