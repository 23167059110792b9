package firmware

import (
	"context"
	"testing"
)

// BenchmarkUnpackPublicSample unpacks the public sample image (3.9 MB
// squashfs-xz, 7.8 MB of files).
func BenchmarkUnpackPublicSample(b *testing.B) {
	img, _ := sampleImageB(b)
	b.ResetTimer()
	for range b.N {
		res, err := Unpack(context.Background(), img, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		res.Close()
	}
}
