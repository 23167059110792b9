package detect

import (
	"context"
	"testing"

	"github.com/assayhq/assay/firmware"
	"github.com/assayhq/assay/internal/firmwaretest"
)

// BenchmarkDetectPublicSample runs Detect on the unpacked public sample
// (3.9 MB squashfs-xz, 7.8 MB of files); the unpack is not timed.
func BenchmarkDetectPublicSample(b *testing.B) {
	img, _ := firmwaretest.Sample(b)
	res, err := firmware.Unpack(context.Background(), img, firmware.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	defer res.Close()
	var total int64
	for _, f := range res.Files {
		total += f.Size
	}
	b.SetBytes(total)
	b.ResetTimer()
	for range b.N {
		if _, err := Detect(context.Background(), res, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectFixtures runs Detect on the fixture images (many small
// files of every kind the detectors look at).
func BenchmarkDetectFixtures(b *testing.B) {
	var imgs [][]byte
	for _, fx := range fixtures(b) {
		imgs = append(imgs, buildFixture(b, fx))
	}
	b.ResetTimer()
	for range b.N {
		for _, img := range imgs {
			detectImage(b, img)
		}
	}
}

// BenchmarkCrackDES checks one DES crypt hash that is not in the wordlist
// against the account name and the whole wordlist (the worst case): a
// traditional hash and a BSDi extended one with the usual count of 725.
func BenchmarkCrackDES(b *testing.B) {
	for _, h := range []string{
		"q/AgOp07Ig3N.",        // crypt(3) of a password in no wordlist
		"_J9..rnd2m8uIw.GSHMo", // the same, extended
	} {
		b.Run(h[:min(len(h), 9)], func(b *testing.B) {
			for b.Loop() {
				if pw, ok := crack(h, "admin"); ok {
					b.Fatalf("cracked as %q", pw)
				}
			}
			b.ReportMetric(float64(len(wordlist())+1), "candidates")
		})
	}
}
