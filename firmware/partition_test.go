package firmware

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"
)

// diskImage lays out parts at align boundaries (a multiple of 64 KiB)
// behind an MBR or a GPT.
func diskImage(align int, gpt bool, parts ...[]byte) []byte {
	img := make([]byte, align)
	le := binary.LittleEndian
	var starts []int64
	for _, p := range parts {
		starts = append(starts, int64(len(img)))
		pad := (len(p) + align - 1) / align * align
		img = append(img, append(p, make([]byte, pad-len(p))...)...)
	}
	img[510], img[511] = 0x55, 0xAA
	if !gpt {
		for i, p := range parts {
			e := img[446+16*i:]
			e[4] = 0x83
			le.PutUint32(e[8:], uint32(starts[i]/512))
			le.PutUint32(e[12:], uint32((len(p)+511)/512))
		}
		return img
	}
	e := img[446:]
	e[4] = mbrProtected
	le.PutUint32(e[8:], 1)
	le.PutUint32(e[12:], uint32(len(img)/512-1))
	h := img[512:]
	copy(h, "EFI PART")
	le.PutUint64(h[72:], 2)
	le.PutUint32(h[80:], 128)
	le.PutUint32(h[84:], 128)
	for i, p := range parts {
		ent := img[1024+128*i:]
		ent[0] = 1 // non-zero type GUID
		le.PutUint64(ent[32:], uint64(starts[i]/512))
		le.PutUint64(ent[40:], uint64((starts[i]+int64(len(p))+511)/512-1))
		for j, c := range utf16.Encode([]rune([]string{"rootfs", "data"}[i])) {
			le.PutUint16(ent[56+2*j:], c)
		}
	}
	return img
}

func TestPartitions(t *testing.T) {
	parts := [][]byte{tarArchive(t, sampleTree), gz(newcArchive(sampleTree))}
	for _, tc := range []struct {
		name  string
		gpt   bool
		names []string
	}{
		{"mbr", false, []string{"p1-type83", "p2-type83"}},
		{"gpt", true, []string{"p1-rootfs", "p2-data"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := unpackBytes(t, diskImage(1<<20, tc.gpt, parts...), Limits{MaxRatio: 1e6})
			got := map[string]bool{}
			for _, f := range res.Files {
				if f.InnerPath == "/etc/passwd" {
					got[chainFormats(f)+" "+f.Chain[1].Path] = true
				}
			}
			for _, want := range []string{"partitions>tar /" + tc.names[0], "partitions>gzip>cpio-newc /" + tc.names[1]} {
				if !got[want] {
					t.Errorf("missing /etc/passwd via %q; got %v (unassessed %v)", want, got, res.Unassessed)
				}
			}
		})
	}
}

func FuzzPartitions(f *testing.F) {
	f.Add(diskImage(64<<10, false, []byte("p1"), []byte("p2")))
	f.Add(diskImage(64<<10, true, []byte("p1"), []byte("p2")))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFormat(t, mbrFormat(), data) })
}

func TestLogicalPartitions(t *testing.T) {
	const sec = 512
	le := binary.LittleEndian
	payload := tarArchive(t, sampleTree)
	n := (len(payload) + sec - 1) / sec
	// MBR | extended partition at sector 8: EBR, logical 1, EBR, logical 2
	ext := 8
	img := make([]byte, (ext+2*(1+n)+1)*sec)
	img[510], img[511] = 0x55, 0xAA
	e := img[446:]
	e[4] = 0x05
	le.PutUint32(e[8:], uint32(ext))
	le.PutUint32(e[12:], uint32(2*(1+n)))
	for i := range 2 {
		ebr := (ext + i*(1+n)) * sec
		img[ebr+510], img[ebr+511] = 0x55, 0xAA
		l := img[ebr+446:]
		l[4] = 0x83
		le.PutUint32(l[8:], 1)
		le.PutUint32(l[12:], uint32(n))
		copy(img[ebr+sec:], payload)
		if i == 0 {
			nx := img[ebr+462:]
			nx[4] = 0x05
			le.PutUint32(nx[8:], uint32(1+n))
			le.PutUint32(nx[12:], uint32(1+n))
		}
	}
	res := unpackBytes(t, img, Limits{MaxRatio: 1e6})
	got := map[string]bool{}
	for _, f := range res.Files {
		if f.InnerPath == "/etc/passwd" {
			got[f.Chain[1].Path] = true
		}
	}
	if !got["/p5-type83"] || !got["/p6-type83"] || len(res.Unassessed) > 0 {
		t.Errorf("logical partitions reached: %v (unassessed %v)", got, res.Unassessed)
	}
}
