package firmware

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// checkSample verifies the sampleTree files under one chain.
func checkSample(t *testing.T, res *Result, chain string, withOwners bool) {
	t.Helper()
	files := byInner(res)
	for _, want := range sampleTree {
		f := files["/"+want.name]
		if f == nil {
			t.Errorf("%s: missing /%s (unassessed %v)", chain, want.name, res.Unassessed)
			continue
		}
		if got := chainFormats(f); got != chain {
			t.Errorf("/%s: chain %q, want %q", want.name, got, chain)
		}
		if wantMode := unixMode(uint32(want.mode)); f.Mode != wantMode && want.mode&sIFMT != sIFLNK {
			t.Errorf("/%s: mode %v, want %v", want.name, f.Mode, wantMode)
		}
		if want.link != "" && f.Link != want.link {
			t.Errorf("/%s: link %q, want %q", want.name, f.Link, want.link)
		}
		if withOwners && f.UID != want.uid {
			t.Errorf("/%s: uid %d, want %d", want.name, f.UID, want.uid)
		}
		if want.mode&sIFMT == sIFREG {
			got, err := res.FS.ReadFile(f.Path)
			if err != nil || string(got) != want.body {
				t.Errorf("/%s: content %q, %v", want.name, got, err)
			}
		}
	}
}

func TestUnpackFormats(t *testing.T) {
	cpio := newcArchive(sampleTree)
	tests := []struct {
		name   string
		image  func(t *testing.T) []byte
		chain  string
		owners bool
	}{
		{"cpio-newc", func(*testing.T) []byte { return cpio }, "cpio-newc", true},
		{"cpio-odc", func(*testing.T) []byte { return odcArchive(sampleTree) }, "cpio-odc", true},
		{"tar", func(t *testing.T) []byte { return tarArchive(t, sampleTree) }, "tar", true},
		{"zip", func(t *testing.T) []byte { return zipArchive(t, sampleTree) }, "zip", false},
		{"gzip", func(*testing.T) []byte { return gz(cpio) }, "gzip>cpio-newc", true},
		{"xz", func(*testing.T) []byte { return xzc(cpio) }, "xz>cpio-newc", true},
		{"lzma", func(*testing.T) []byte { return lzmac(cpio) }, "lzma>cpio-newc", true},
		{"zstd", func(*testing.T) []byte { return zstdc(cpio) }, "zstd>cpio-newc", true},
		{"lz4", func(*testing.T) []byte { return lz4c(cpio) }, "lz4>cpio-newc", true},
		{"bzip2", func(t *testing.T) []byte { return bzip2c(t, cpio) }, "bzip2>cpio-newc", true},
		{"uimage-ramdisk", func(*testing.T) []byte { return uimage(gz(cpio), 3, 1, "rootfs") }, "uimage>cpio-newc", true},
		{"tar.xz", func(t *testing.T) []byte { return xzc(tarArchive(t, sampleTree)) }, "xz>tar", true},
		{"carved-behind-vendor-header", func(t *testing.T) []byte {
			hdr := append([]byte("VENDORFW\x01\x02"), bytes.Repeat([]byte{0xff}, 502)...)
			return append(append(hdr, gz(tarArchive(t, sampleTree))...), bytes.Repeat([]byte{0}, 777)...)
		}, "gzip>tar", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := unpackBytes(t, tc.image(t), Limits{})
			checkSample(t, res, tc.chain, tc.owners)
			if len(res.Unassessed) > 0 {
				t.Errorf("unassessed: %v", res.Unassessed)
			}
		})
	}
}

func TestNestedAndProvenance(t *testing.T) {
	inner := gz(tarArchive(t, sampleTree))
	outer := append([]tfile{}, sampleTree...)
	outer = append(outer, tfile{name: "opt/pkg.tgz", mode: sIFREG | 0o644, body: string(inner)})
	kernel := append(bytes.Repeat([]byte{0x11}, 3000), gz(newcArchive(sampleTree))...)
	img := append(uimage(kernel, 2, 0, "Linux-6.1"), zipArchive(t, outer)...)
	res := unpackBytes(t, img, Limits{})

	var found int
	for _, f := range res.Files {
		if f.InnerPath != "/etc/passwd" {
			continue
		}
		found++
		switch chainFormats(f) {
		case "zip>gzip>tar":
			if f.Chain[1].Path != "/opt/pkg.tgz" {
				t.Errorf("nested chain %v: want path /opt/pkg.tgz on the gzip layer", f.Chain)
			}
			if f.Chain[0].Offset != int64(uimageHeaderLen+len(kernel)) {
				t.Errorf("zip offset %d", f.Chain[0].Offset)
			}
		case "zip", "uimage>gzip>cpio-newc":
		default:
			t.Errorf("unexpected chain %v for %s", f.Container(), f.Path)
		}
	}
	if found != 3 {
		t.Errorf("found /etc/passwd %d times, want 3 (zip, nested tgz, initramfs in kernel)", found)
	}
}

func TestSymlinksInFS(t *testing.T) {
	files := append([]tfile{}, sampleTree...)
	files = append(files,
		tfile{name: "lib", mode: sIFDIR | 0o755},
		tfile{name: "lib/abs", mode: sIFLNK | 0o777, link: "/etc/passwd"},
		tfile{name: "lib/up", mode: sIFLNK | 0o777, link: "../../../../../etc/shadow"},
		tfile{name: "lib/loop", mode: sIFLNK | 0o777, link: "loop"},
	)
	res := unpackBytes(t, tarArchive(t, files), Limits{})
	b, err := fs.ReadFile(res.FS, "lib/abs")
	if err != nil || !strings.HasPrefix(string(b), "root:x") {
		t.Errorf("absolute link: %q %v", b, err)
	}
	// ".." stops at the container root: the link cannot leave it.
	b, err = fs.ReadFile(res.FS, "lib/up")
	if err != nil || !strings.HasPrefix(string(b), "root::") {
		t.Errorf("escaping link: %q %v", b, err)
	}
	if _, err := res.FS.Open("lib/loop"); err == nil {
		t.Error("symlink loop opened")
	}
	if l, err := fs.ReadLink(res.FS, "bin/sh"); err != nil || l != "busybox" {
		t.Errorf("ReadLink = %q, %v", l, err)
	}
	if fi, err := fs.Lstat(res.FS, "bin/sh"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat: %v %v", fi, err)
	}
	fi, err := fs.Stat(res.FS, "bin/busybox")
	if err != nil || fi.Mode()&fs.ModeSetuid == 0 || fi.Sys().(*File).UID != 0 || fi.Sys().(*File).Perm != "4755" {
		t.Errorf("Stat busybox: %v %v", fi, err)
	}
	if err := testFSWalk(res.FS); err != nil {
		t.Error(err)
	}

	out := filepath.Join(t.TempDir(), "out")
	skipped, err := res.WriteDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 1 || skipped[0].Path != "lib/up" {
		t.Errorf("skipped %v, want only lib/up", skipped)
	}
	if l, _ := os.Readlink(filepath.Join(out, "lib/abs")); l != "../etc/passwd" {
		t.Errorf("written absolute link = %q", l)
	}
	if fi, err := os.Stat(filepath.Join(out, "bin/busybox")); err != nil || fi.Mode()&os.ModeSetuid != 0 {
		t.Errorf("setuid written to disk: %v %v", fi, err)
	}
	if _, err := res.WriteDir(out); err == nil {
		t.Error("WriteDir into a non-empty directory succeeded")
	}
}

func testFSWalk(fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			_, err = fs.ReadFile(fsys, p)
		}
		return err
	})
}

func TestHostileEntries(t *testing.T) {
	files := []tfile{
		{name: "../../etc/evil", mode: sIFREG | 0o644, body: "x"},
		{name: "/abs/ok", mode: sIFREG | 0o644, body: "y"},
		{name: "dev/console", mode: sIFCHR | 0o600},
		{name: "a/b/../../../c", mode: sIFREG | 0o644, body: "z"},
	}
	res := unpackBytes(t, tarArchive(t, files), Limits{})
	if f := byInner(res)["/abs/ok"]; f == nil {
		t.Error("absolute name not kept inside the container")
	}
	if len(res.Unassessed) != 2 {
		t.Errorf("unassessed = %v, want two path traversals", res.Unassessed)
	}
	for _, u := range res.Unassessed {
		if !strings.Contains(u.Reason, "path traversal") {
			t.Errorf("reason %q", u.Reason)
		}
	}
	if len(res.Ignored) != 1 || !strings.Contains(res.Ignored[0].Path, "dev/console") {
		t.Errorf("ignored = %v", res.Ignored)
	}

	// A name the host filesystem refuses is skipped, not fatal.
	res = unpackBytes(t, newcArchive([]tfile{{name: "bad\x00name", mode: sIFREG | 0o644, body: "n"}, {name: "good", mode: sIFREG | 0o644, body: "g"}}), Limits{})
	skipped, err := res.WriteDir(filepath.Join(t.TempDir(), "out"))
	if err != nil || len(skipped) != 1 {
		t.Errorf("WriteDir: skipped %v, %v", skipped, err)
	}
}

func TestLimits(t *testing.T) {
	bomb := gz(tarArchive(t, []tfile{{name: "zeros", mode: sIFREG | 0o644, body: strings.Repeat("\x00", 4<<20)}}))
	many := make([]tfile, 50)
	for i := range many {
		many[i] = tfile{name: "f" + strconv.Itoa(i), mode: sIFREG | 0o644, body: "x"}
	}
	deep := tarArchive(t, sampleTree)
	for range 5 {
		deep = gz(deep)
	}
	tests := []struct {
		name  string
		image []byte
		lim   Limits
		want  string
	}{
		{"ratio", bomb, Limits{MaxRatio: 10}, "max-ratio"},
		{"total", bomb, Limits{MaxTotalBytes: 1 << 20, MaxRatio: 1e6}, "max-total-bytes"},
		{"file-size", bomb, Limits{MaxFileSize: 1 << 20, MaxRatio: 1e6}, "max-file-size"},
		{"files", tarArchive(t, many), Limits{MaxFiles: 10}, "max-files"},
		{"depth", deep, Limits{MaxDepth: 3}, "max-depth"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := unpackBytes(t, tc.image, tc.lim)
			var reasons []string
			for _, u := range res.Unassessed {
				reasons = append(reasons, u.Reason)
			}
			if !strings.Contains(strings.Join(reasons, "\n"), tc.want) {
				t.Errorf("unassessed %q does not name %s", reasons, tc.want)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	p := writeTemp(t, gz(tarArchive(t, sampleTree)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Unpack(ctx, p, Limits{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if len(res.Files) != 0 {
		t.Errorf("extracted %d files after the deadline", len(res.Files))
	}
	if len(res.Unassessed) != 1 || !strings.Contains(res.Unassessed[0].Reason, "cancelled") {
		t.Errorf("unassessed %v, want the cancellation", res.Unassessed)
	}
	// A real deadline is reported as the timeout limit.
	res2 := unpackBytes(t, gz(tarArchive(t, sampleTree)), Limits{Timeout: time.Nanosecond})
	if len(res2.Unassessed) == 0 || !strings.Contains(res2.Unassessed[len(res2.Unassessed)-1].Reason, "limit timeout") {
		t.Errorf("unassessed %v, want the timeout limit", res2.Unassessed)
	}
}

func TestUnknownImage(t *testing.T) {
	data := bytes.Repeat([]byte("no container here "), 1000)
	res := unpackBytes(t, data, Limits{})
	if len(res.Files) != 1 || len(res.Unassessed) != 1 || len(res.Files[0].Chain) != 0 {
		t.Fatalf("files %v unassessed %v", res.Files, res.Unassessed)
	}
	if b, err := res.FS.ReadFile(res.Files[0].Path); err != nil || !bytes.Equal(b, data) {
		t.Errorf("raw image not readable: %v", err)
	}
}

func TestCorruptContainerIsUnassessed(t *testing.T) {
	img := newcArchive(sampleTree)
	img = img[:len(img)/2]
	res := unpackBytes(t, img, Limits{})
	if len(res.Files) == 0 || len(res.Unassessed) == 0 {
		t.Errorf("truncated cpio: files %d unassessed %v", len(res.Files), res.Unassessed)
	}
}

func TestNewcHardLinks(t *testing.T) {
	var b bytes.Buffer
	hdr := func(name string, ino, nlink int, data string) {
		b.WriteString(strings.ToUpper(""))
		b.WriteString("070701")
		for _, v := range []int{ino, sIFREG | 0o755, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0} {
			b.WriteString(strings.ToUpper(leftPad(v)))
		}
		b.WriteString(name + "\x00")
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
		b.WriteString(data)
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
	}
	hdr("bin/a", 7, 2, "")
	hdr("bin/b", 7, 2, "shared")
	hdr("TRAILER!!!", 0, 1, "")
	res := unpackBytes(t, b.Bytes(), Limits{})
	for _, n := range []string{"bin/a", "bin/b"} {
		if got, err := res.FS.ReadFile(n); err != nil || string(got) != "shared" {
			t.Errorf("%s = %q %v", n, got, err)
		}
	}
}

func leftPad(v int) string {
	s := []byte("00000000")
	h := []byte(strings.ToUpper(hex8(v)))
	copy(s[8-len(h):], h)
	return string(s)
}

func hex8(v int) string {
	const d = "0123456789abcdef"
	if v == 0 {
		return "0"
	}
	var out []byte
	for ; v > 0; v /= 16 {
		out = append([]byte{d[v%16]}, out...)
	}
	return string(out)
}

// TestSeedImages unpacks the checked-in tool-made images (also fuzz seeds).
func TestSeedImages(t *testing.T) {
	for _, tc := range []struct{ file, chain string }{
		{"small-gzip.sqsh", "squashfs"}, {"small-xz.sqsh", "squashfs"},
		{"small.ext2", "ext"}, {"small.ext4", "ext"}, {"small.cramfs", "cramfs"},
		{"small-le.jffs2", "jffs2"}, {"small-be.jffs2", "jffs2"},
		{"small.ubi", "ubi>ubifs"}, {"small.ubifs", "ubifs"}, {"small.fat", "fat"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			res := unpackFile(t, filepath.Join("testdata", tc.file), Limits{})
			f := byInner(res)["/etc/passwd"]
			if f == nil || chainFormats(f) != tc.chain {
				t.Fatalf("/etc/passwd not found under %s: %+v %v", tc.chain, f, res.Unassessed)
			}
			if len(res.Unassessed) > 0 {
				t.Errorf("unassessed: %v", res.Unassessed)
			}
		})
	}
}

func TestDuplicateNames(t *testing.T) {
	res := unpackBytes(t, tarArchive(t, []tfile{
		{name: "etc/passwd", mode: sIFREG | 0o644, body: "first"},
		{name: "etc/passwd", mode: sIFREG | 0o644, body: "second"},
	}), Limits{})
	if b, _ := res.FS.ReadFile("etc/passwd"); string(b) != "second" {
		t.Errorf("etc/passwd = %q, want the later member", b)
	}
	if b, _ := res.FS.ReadFile("etc/passwd~1"); string(b) != "first" {
		t.Errorf("etc/passwd~1 = %q, want the earlier member", b)
	}
	paths := map[string]bool{}
	for _, f := range res.Files {
		paths[f.Path] = true
	}
	if !paths["etc/passwd"] || !paths["etc/passwd~1"] {
		t.Errorf("file records %v", paths)
	}
}

func TestIdenticalNestedContentCopied(t *testing.T) {
	inner := string(gz(tarArchive(t, append(sampleTree, tfile{name: "lib", mode: sIFDIR | 0o755}, tfile{name: "lib/abs", mode: sIFLNK | 0o777, link: "/etc/passwd"}))))
	res := unpackBytes(t, tarArchive(t, []tfile{
		{name: "a", mode: sIFDIR | 0o755},
		{name: "a/pkg.tgz", mode: sIFREG | 0o644, body: inner},
		{name: "b", mode: sIFDIR | 0o755},
		{name: "b/copy.tgz", mode: sIFREG | 0o644, body: inner},
	}), Limits{MaxRatio: 1e6})
	for _, p := range []string{"a/pkg.tgz", "b/copy.tgz"} {
		f := res.Lookup(p + ".extracted/etc/passwd")
		if f == nil {
			t.Fatalf("%s: nested passwd missing", p)
		}
		if got := f.Container(); len(got) != 3 || got[1] != "/"+p+":gzip@0x0" {
			t.Errorf("%s: chain %v", p, got)
		}
		if b, err := res.FS.ReadFile(p + ".extracted/lib/abs"); err != nil || !strings.HasPrefix(string(b), "root:x") {
			t.Errorf("%s: symlink inside the copy: %q %v", p, b, err)
		}
		if f.Path != p+".extracted/etc/passwd" {
			t.Errorf("path %q", f.Path)
		}
	}
	mounts := map[string]int{}
	for _, c := range res.Containers {
		mounts[c.Mount]++
	}
	if mounts["a/pkg.tgz.extracted"] != 2 || mounts["b/copy.tgz.extracted"] != 2 {
		t.Errorf("containers %v", mounts)
	}
	if err := testFSWalk(res.FS); err != nil {
		t.Error(err)
	}
	// The copy was not unpacked again: only its own bytes were spooled.
	single := unpackBytes(t, tarArchive(t, []tfile{{name: "a", mode: sIFDIR | 0o755}, {name: "a/pkg.tgz", mode: sIFREG | 0o644, body: inner}}), Limits{MaxRatio: 1e6})
	if d := res.BytesWritten - single.BytesWritten; d != int64(len(inner)) {
		t.Errorf("second copy spooled %d bytes, want %d", d, len(inner))
	}
}

func TestEnclosing(t *testing.T) {
	tests := []struct {
		chain []Layer
		want  []string
	}{
		{nil, []string{}},
		{[]Layer{{Format: "squashfs"}}, []string{}},
		{[]Layer{{Format: "uimage"}, {Format: "squashfs", Offset: 0x40}}, []string{"uimage@0x0"}},
		{[]Layer{{Format: "gzip"}, {Format: "cpio"}, {Format: "gzip", Path: "/a.tgz"}, {Format: "tar"}},
			[]string{"gzip@0x0", "cpio@0x0", "/a.tgz:gzip@0x0"}},
	}
	for _, tt := range tests {
		got := (&File{Chain: tt.chain}).Enclosing()
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Enclosing(%v) = %q, want %q", tt.chain, got, tt.want)
		}
	}
}

// TestDuplicateNamesLinear unpacks a tar repeating one name: each new
// member renames the earlier one to the first free NAME~N, which was
// searched from N=1 every time (O(n²): 20,000 members took 22 s).
func TestDuplicateNamesLinear(t *testing.T) {
	const n = 3000
	files := make([]tfile, n)
	for i := range files {
		files[i] = tfile{name: "etc/a", mode: sIFREG | 0o644, body: strconv.Itoa(i)}
	}
	res := unpackBytes(t, tarArchive(t, files), Limits{})
	for name, want := range map[string]string{"etc/a": strconv.Itoa(n - 1), "etc/a~1": "0", fmt.Sprintf("etc/a~%d", n-1): strconv.Itoa(n - 2)} {
		if b, err := res.FS.ReadFile(name); err != nil || string(b) != want {
			t.Errorf("%s = %q, %v; want %q", name, b, err, want)
		}
	}
	dir, err := res.FS.lookup("etc", true)
	if err != nil {
		t.Fatal(err)
	}
	// Naming one more duplicate must not try the n names already taken.
	if allocs := testing.AllocsPerRun(5, func() { uniqueName(dir, "a") }); allocs > 10 {
		t.Errorf("naming a duplicate of a name held %d times: %.0f allocations", n, allocs)
	}
}

// jffs2Node returns a little-endian JFFS2 node of type typ whose body
// (after the 12-byte header) is body, padded to 4 bytes; crcs lists the
// body offsets (from the node start) at which to store the CRC of
// n[from:to].
func jffs2Node(typ uint16, body []byte, crcs ...[3]int) []byte {
	n := make([]byte, 12+len(body))
	binary.LittleEndian.PutUint16(n, jffs2Magic)
	binary.LittleEndian.PutUint16(n[2:], typ)
	binary.LittleEndian.PutUint32(n[4:], uint32(len(n)))
	binary.LittleEndian.PutUint32(n[8:], jffs2CRC(n[:8]))
	copy(n[12:], body)
	for _, c := range crcs {
		binary.LittleEndian.PutUint32(n[c[0]:], jffs2CRC(n[c[1]:c[2]]))
	}
	return append(n, make([]byte, (4-len(n)%4)%4)...)
}

// TestJFFS2ClaimedSize unpacks a JFFS2 image of a few hundred bytes whose
// one inode claims 512 MiB with 4 bytes of data: only what the byte
// budget (max-ratio) allows may be built in memory, not the claimed size
// (which was allocated whole).
func TestJFFS2ClaimedSize(t *testing.T) {
	const claimed = 512 << 20
	name := "big"
	dent := make([]byte, jffs2DirentLen-12+len(name))
	le := binary.LittleEndian
	le.PutUint32(dent[0:], jffs2RootIno) // pino
	le.PutUint32(dent[4:], 1)            // version
	le.PutUint32(dent[8:], 2)            // ino
	dent[16] = byte(len(name))
	copy(dent[28:], name)
	data := []byte("abcd")
	ino := make([]byte, jffs2InodeLen-12+len(data))
	le.PutUint32(ino[0:], 2)                    // ino
	le.PutUint32(ino[4:], 1)                    // version
	le.PutUint32(ino[8:], uint32(sIFREG|0o644)) // mode
	le.PutUint32(ino[16:], claimed)             // isize
	le.PutUint32(ino[36:], uint32(len(data)))   // csize
	le.PutUint32(ino[40:], uint32(len(data)))   // dsize
	copy(ino[56:], data)
	img := append(jffs2Node(jffs2Dirent, dent, [3]int{32, 0, 32}, [3]int{36, 40, 40 + len(name)}),
		jffs2Node(jffs2Inode, ino, [3]int{60, 68, 68 + len(data)}, [3]int{64, 0, 60})...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := unpackBytes(t, img, Limits{})
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("unpacking a %d byte image allocated %d MiB", len(img), alloc>>20)
	}
	if len(res.Unassessed) == 0 || !strings.Contains(res.Unassessed[0].Reason, "max-ratio") {
		t.Errorf("unassessed %v, want the max-ratio limit", res.Unassessed)
	}
}
