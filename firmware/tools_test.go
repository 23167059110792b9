package firmware

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tests in this file build images with Debian tools and skip when the
// tools are absent (CI: apt-get install -y squashfs-tools u-boot-tools
// cpio e2fsprogs dosfstools mtd-utils).

// rootOwned reports whether fixtures keep the owners we set (we are root).
func rootOwned() bool { return os.Geteuid() == 0 }

func TestSquashfsCompressors(t *testing.T) {
	needTool(t, "mksquashfs")
	src := filepath.Join(t.TempDir(), "root")
	writeTree(t, src, sampleTree)
	// Many small files share fragment blocks; big.bin spans several blocks
	// and sparse.bin has holes.
	want := map[string][]byte{}
	os.MkdirAll(filepath.Join(src, "many"), 0o755)
	for i := range 200 {
		b := bytes.Repeat([]byte(fmt.Sprintf("file %d ", i)), i*7+1)
		want[fmt.Sprintf("many/f%03d", i)] = b
	}
	big := make([]byte, 700<<10)
	for i := range big {
		big[i] = byte(i*7 + i/1000)
	}
	want["big.bin"] = big
	want["sparse.bin"] = append(make([]byte, 300<<10), []byte("tail")...)
	for n, b := range want {
		if err := os.WriteFile(filepath.Join(src, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, comp := range []string{"gzip", "lzo", "lz4", "xz", "zstd", "lzma"} {
		t.Run(comp, func(t *testing.T) {
			img := filepath.Join(t.TempDir(), "fs.sqsh")
			run(t, "", "mksquashfs", src, img, "-comp", comp, "-noappend", "-no-progress", "-quiet")
			res := unpackFile(t, img, Limits{MaxRatio: 1e4}) // the test data compresses extremely well
			checkSample(t, res, "squashfs", rootOwned())
			for n, b := range want {
				if got, err := res.FS.ReadFile(n); err != nil || !bytes.Equal(got, b) {
					t.Errorf("%s: %d bytes (want %d), %v", n, len(got), len(b), err)
				}
			}
			if len(res.Unassessed) > 0 {
				t.Errorf("unassessed: %v", res.Unassessed)
			}
		})
	}
}

func TestMkimageMulti(t *testing.T) {
	needTool(t, "mkimage", "mksquashfs")
	dir := t.TempDir()
	src := filepath.Join(dir, "root")
	writeTree(t, src, sampleTree)
	run(t, "", "mksquashfs", src, filepath.Join(dir, "rootfs"), "-comp", "xz", "-noappend", "-no-progress", "-quiet")
	os.WriteFile(filepath.Join(dir, "kernel"), gz([]byte("Linux version 6.1.0 (builder@host) #1 SMP")), 0o644)
	run(t, dir, "mkimage", "-A", "arm", "-O", "linux", "-T", "multi", "-C", "none", "-n", "fw 1.0", "-d", "kernel:rootfs", "fw.img")
	res := unpackFile(t, filepath.Join(dir, "fw.img"), Limits{})
	checkSample(t, res, "uimage>squashfs", rootOwned())
	var kernel bool
	for _, f := range res.Files {
		if chainFormats(f) == "uimage>gzip" {
			kernel = true
		}
	}
	if !kernel {
		t.Errorf("decompressed kernel part not extracted: %v", res.Containers)
	}
}

func TestExt(t *testing.T) {
	needTool(t, "mkfs.ext2", "mkfs.ext3", "mkfs.ext4")
	dir := t.TempDir()
	src := filepath.Join(dir, "root")
	writeTree(t, src, sampleTree)
	// Large enough for double-indirect blocks with 1 KiB blocks.
	big := bytes.Repeat([]byte("0123456789abcdef"), 300<<10/16)
	os.WriteFile(filepath.Join(src, "big.bin"), big, 0o644)
	long := strings.Repeat("x/", 40) + "target"
	os.Symlink(long, filepath.Join(src, "longlink"))
	for _, tc := range []struct{ mkfs, bs string }{{"mkfs.ext2", "1024"}, {"mkfs.ext3", "1024"}, {"mkfs.ext4", "4096"}, {"mkfs.ext4", "1024"}} {
		t.Run(tc.mkfs+"-"+tc.bs, func(t *testing.T) {
			img := filepath.Join(t.TempDir(), "fs.img")
			run(t, "", tc.mkfs, "-q", "-F", "-b", tc.bs, "-d", src, img, "8M")
			res := unpackFile(t, img, Limits{})
			checkSample(t, res, "ext", rootOwned())
			if b, err := res.FS.ReadFile("big.bin"); err != nil || !bytes.Equal(b, big) {
				t.Errorf("big.bin: %d bytes, %v", len(b), err)
			}
			if l, err := res.FS.ReadLink("longlink"); err != nil || l != long {
				t.Errorf("longlink = %q, %v", l, err)
			}
			for _, u := range res.Unassessed {
				t.Errorf("unassessed: %v", u)
			}
		})
	}
}

// TestUBIStaticSquashfs checks a UBI image whose rootfs is a squashfs in a
// static volume (the common OpenWrt NAND layout) next to a UBIFS overlay.
func TestUBIStaticSquashfs(t *testing.T) {
	needTool(t, "mkfs.ubifs", "ubinize", "mksquashfs")
	d := t.TempDir()
	src := filepath.Join(d, "root")
	writeTree(t, src, sampleTree)
	run(t, "", "mksquashfs", src, filepath.Join(d, "root.sqsh"), "-comp", "xz", "-noappend", "-no-progress", "-quiet")
	run(t, "", "mkfs.ubifs", "-r", src, "-m", "2048", "-e", "126976", "-c", "64", "-o", filepath.Join(d, "data.ubifs"))
	cfg := "[rootfs]\nmode=ubi\nimage=" + filepath.Join(d, "root.sqsh") + "\nvol_id=0\nvol_type=static\nvol_name=rootfs\n" +
		"[data]\nmode=ubi\nimage=" + filepath.Join(d, "data.ubifs") + "\nvol_id=1\nvol_type=dynamic\nvol_name=rootfs_data\n"
	os.WriteFile(filepath.Join(d, "ubi.cfg"), []byte(cfg), 0o644)
	run(t, d, "ubinize", "-o", "ubi.img", "-m", "2048", "-p", "128KiB", "-s", "2048", "ubi.cfg")
	res := unpackFile(t, filepath.Join(d, "ubi.img"), Limits{})
	chains := map[string]string{}
	for _, f := range res.Files {
		if f.InnerPath == "/etc/passwd" {
			chains[chainFormats(f)] = f.Chain[1].Path
		}
	}
	if chains["ubi>squashfs"] != "/rootfs.ubivol0" || chains["ubi>ubifs"] != "/rootfs_data.ubivol1" {
		t.Errorf("chains %v (unassessed %v)", chains, res.Unassessed)
	}
	vol := byInner(res)["/rootfs.ubivol0"]
	sq, _ := os.ReadFile(filepath.Join(d, "root.sqsh"))
	if vol == nil || vol.Size != int64(len(sq)) {
		t.Errorf("static volume size %+v, want %d", vol, len(sq))
	}
	for _, u := range res.Unassessed {
		t.Errorf("unassessed: %v", u)
	}
}

func TestUBIFS(t *testing.T) {
	needTool(t, "mkfs.ubifs", "ubinize")
	dir := t.TempDir()
	src := filepath.Join(dir, "root")
	writeTree(t, src, sampleTree)
	big := bytes.Repeat([]byte("UBIFS data block "), 20000)
	os.WriteFile(filepath.Join(src, "big.bin"), big, 0o644)
	for _, comp := range []string{"lzo", "zlib", "zstd", "none"} {
		t.Run(comp, func(t *testing.T) {
			d := t.TempDir()
			fsImg := filepath.Join(d, "rootfs.ubifs")
			run(t, "", "mkfs.ubifs", "-r", src, "-m", "2048", "-e", "126976", "-c", "64", "-x", comp, "-o", fsImg)
			cfg := "[rootfs]\nmode=ubi\nimage=" + fsImg + "\nvol_id=0\nvol_type=dynamic\nvol_name=rootfs\nvol_flags=autoresize\n" +
				"[data]\nmode=ubi\nvol_id=1\nvol_type=dynamic\nvol_name=data\nvol_size=1MiB\n"
			os.WriteFile(filepath.Join(d, "ubi.cfg"), []byte(cfg), 0o644)
			run(t, d, "ubinize", "-o", "ubi.img", "-m", "2048", "-p", "128KiB", "-s", "2048", "ubi.cfg")
			// Behind a vendor header, to exercise carving too.
			img, _ := os.ReadFile(filepath.Join(d, "ubi.img"))
			img = append(bytes.Repeat([]byte{0xAA}, 4096), img...)
			res := unpackBytes(t, img, Limits{})
			checkSample(t, res, "ubi>ubifs", rootOwned())
			f := byInner(res)["/big.bin"]
			if f == nil {
				t.Fatal("big.bin missing")
			}
			if b, err := res.FS.ReadFile(f.Path); err != nil || !bytes.Equal(b, big) {
				t.Errorf("big.bin: %d bytes, %v", len(b), err)
			}
			for _, u := range res.Unassessed {
				t.Errorf("unassessed: %v", u)
			}
			if f.Chain[0].Offset != 4096 || f.Chain[1].Path != "/rootfs.ubivol0" {
				t.Errorf("chain %v", f.Container())
			}
		})
	}
}

func TestJFFS2(t *testing.T) {
	needTool(t, "mkfs.jffs2")
	dir := t.TempDir()
	src := filepath.Join(dir, "root")
	writeTree(t, src, sampleTree)
	big := bytes.Repeat([]byte("JFFS2 data node "), 20000)
	os.WriteFile(filepath.Join(src, "big.bin"), big, 0o644)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"le-default", []string{"-l"}},
		{"be-default", []string{"-b"}},
		{"rtime-only", []string{"-l", "-x", "zlib", "-x", "lzo"}},
		{"lzo", []string{"-l", "-X", "lzo", "-x", "zlib", "-x", "rtime"}},
		{"none", []string{"-l", "-x", "zlib", "-x", "rtime", "-x", "lzo"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := filepath.Join(t.TempDir(), "fs.jffs2")
			args := append([]string{"-r", src, "-o", img, "-e", "128KiB", "-p"}, tc.args...)
			run(t, "", "mkfs.jffs2", args...)
			res := unpackFile(t, img, Limits{})
			checkSample(t, res, "jffs2", rootOwned())
			if b, err := res.FS.ReadFile("big.bin"); err != nil || !bytes.Equal(b, big) {
				t.Errorf("big.bin: %d bytes, %v", len(b), err)
			}
			for _, u := range res.Unassessed {
				t.Errorf("unassessed: %v", u)
			}
		})
	}
}

func TestCramfs(t *testing.T) {
	needTool(t, "mkfs.cramfs")
	dir := t.TempDir()
	src := filepath.Join(dir, "root")
	writeTree(t, src, sampleTree)
	big := bytes.Repeat([]byte("cramfs block "), 2000)
	os.WriteFile(filepath.Join(src, "big.bin"), big, 0o644)
	for _, endian := range []string{"little", "big"} {
		t.Run(endian, func(t *testing.T) {
			img := filepath.Join(t.TempDir(), "fs.cramfs")
			run(t, "", "mkfs.cramfs", "-N", endian, src, img)
			res := unpackFile(t, img, Limits{})
			checkSample(t, res, "cramfs", rootOwned())
			if b, err := res.FS.ReadFile("big.bin"); err != nil || !bytes.Equal(b, big) {
				t.Errorf("big.bin: %d bytes, %v", len(b), err)
			}
			for _, u := range res.Unassessed {
				t.Errorf("unassessed: %v", u)
			}
		})
	}
}

func TestFAT(t *testing.T) {
	needTool(t, "mkfs.vfat", "mcopy", "mmd")
	big := bytes.Repeat([]byte("FAT cluster chain "), 10000)
	for _, tc := range []struct{ fat, kb string }{{"12", "1440"}, {"16", "20000"}, {"32", "70000"}} {
		t.Run("FAT"+tc.fat, func(t *testing.T) {
			d := t.TempDir()
			img := filepath.Join(d, "fat.img")
			run(t, d, "mkfs.vfat", "-C", "-F", tc.fat, img, tc.kb)
			os.WriteFile(filepath.Join(d, "passwd"), []byte("root:x:0:0::/root:/bin/sh\n"), 0o644)
			os.WriteFile(filepath.Join(d, "big.bin"), big, 0o644)
			os.WriteFile(filepath.Join(d, "Long Firmware Name.cfg"), []byte("cfg"), 0o644)
			run(t, d, "mmd", "-i", img, "::/etc", "::/etc/deep")
			run(t, d, "mcopy", "-i", img, "passwd", "::/etc/passwd")
			run(t, d, "mcopy", "-i", img, "big.bin", "::/etc/deep/big.bin")
			run(t, d, "mcopy", "-i", img, "Long Firmware Name.cfg", "::/Long Firmware Name.cfg")
			res := unpackFile(t, img, Limits{})
			for name, want := range map[string][]byte{"etc/passwd": []byte("root:x:0:0::/root:/bin/sh\n"), "etc/deep/big.bin": big, "Long Firmware Name.cfg": []byte("cfg")} {
				got, err := res.FS.ReadFile(name)
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s: %d bytes, %v", name, len(got), err)
				}
			}
			if f := byInner(res)["/etc/passwd"]; f == nil || chainFormats(f) != "fat" {
				t.Errorf("chain of /etc/passwd: %+v", f)
			}
			for _, u := range res.Unassessed {
				t.Errorf("unassessed: %v", u)
			}
		})
	}
}

func TestFIT(t *testing.T) {
	needTool(t, "mkimage")
	dir := t.TempDir()
	kernel := append(bytes.Repeat([]byte{7}, 5000), "Linux version 6.1.0"...)
	ramdisk := gz(newcArchive(sampleTree))
	os.WriteFile(filepath.Join(dir, "k.gz"), gz(kernel), 0o644)
	os.WriteFile(filepath.Join(dir, "rd"), ramdisk, 0o644)
	for _, ext := range []bool{false, true} {
		t.Run(fmt.Sprintf("external=%v", ext), func(t *testing.T) {
			args := []string{"-f", "auto", "-A", "arm", "-O", "linux", "-T", "kernel", "-C", "gzip", "-n", "Linux 6.1", "-d", "k.gz", "-i", "rd"}
			if ext {
				args = append(args, "-E")
			}
			run(t, dir, "mkimage", append(args, "fit.itb")...)
			res := unpackFile(t, filepath.Join(dir, "fit.itb"), Limits{})
			checkSample(t, res, "fit>gzip>cpio-newc", true)
			k := byInner(res)["/images/kernel-1"]
			if b, err := res.FS.ReadFile(k.Path); err != nil || !bytes.Equal(b, kernel) {
				t.Errorf("kernel: %d bytes, %v", len(b), err)
			}
			for _, u := range res.Unassessed {
				t.Errorf("unassessed: %v", u)
			}
			os.Remove(filepath.Join(dir, "fit.itb"))
		})
	}
}

func TestLzop(t *testing.T) {
	needTool(t, "lzop", "mkimage")
	dir := t.TempDir()
	cpio := newcArchive(sampleTree)
	big := append(cpio, bytes.Repeat([]byte("lzop block filler "), 60000)...) // several lzop blocks
	os.WriteFile(filepath.Join(dir, "rd.cpio"), big, 0o644)
	for _, args := range [][]string{{"-1"}, {"-9"}, {"--crc32"}, {"--no-checksum"}} {
		t.Run(args[0], func(t *testing.T) {
			out := filepath.Join(dir, "rd.cpio.lzo")
			os.Remove(out)
			run(t, dir, "lzop", append(args, "-o", out, "rd.cpio")...)
			res := unpackFile(t, out, Limits{MaxRatio: 1e4})
			checkSample(t, res, "lzop>cpio-newc", true)
			if t.Name() == "TestLzop/-9" {
				run(t, dir, "mkimage", "-A", "arm", "-O", "linux", "-T", "ramdisk", "-C", "lzo", "-n", "rd", "-d", out, "rd.uimg")
				res := unpackFile(t, filepath.Join(dir, "rd.uimg"), Limits{MaxRatio: 1e4})
				checkSample(t, res, "uimage>cpio-newc", true)
			}
		})
	}
}

// TestSysupgradeLayout checks an OpenWrt-style flash image: a uImage with
// an lzma kernel, a squashfs rootfs and a big-endian JFFS2 overlay, each
// at a 64 KiB boundary.
func TestSysupgradeLayout(t *testing.T) {
	needTool(t, "mkimage", "lzma", "mksquashfs", "mkfs.jffs2")
	dir := t.TempDir()
	src := filepath.Join(dir, "root")
	writeTree(t, src, sampleTree)
	kernel := append(bytes.Repeat([]byte{0x42, 0x17, 0x99}, 50000), "Linux version 4.14.90 (builder@buildhost)"...)
	os.WriteFile(filepath.Join(dir, "vmlinux"), kernel, 0o644)
	run(t, dir, "lzma", "-k", "vmlinux")
	run(t, dir, "mkimage", "-A", "mips", "-O", "linux", "-T", "kernel", "-C", "lzma", "-n", "OpenWrt Linux", "-d", "vmlinux.lzma", "k.uimg")
	run(t, "", "mksquashfs", src, filepath.Join(dir, "root.sqsh"), "-comp", "xz", "-noappend", "-no-progress", "-quiet")
	run(t, "", "mkfs.jffs2", "-r", src, "-o", filepath.Join(dir, "ov.jffs2"), "-e", "64KiB", "-b", "-p")
	var img []byte
	for _, part := range []string{"k.uimg", "root.sqsh", "ov.jffs2"} {
		b, err := os.ReadFile(filepath.Join(dir, part))
		if err != nil {
			t.Fatal(err)
		}
		for len(img)%(64<<10) != 0 {
			img = append(img, 0xff)
		}
		img = append(img, b...)
	}
	res := unpackBytes(t, img, Limits{})
	chains := map[string]bool{}
	for _, f := range res.Files {
		if f.InnerPath == "/etc/passwd" {
			chains[chainFormats(f)] = true
		}
	}
	if !chains["squashfs"] || !chains["jffs2"] {
		t.Errorf("/etc/passwd reached via %v, want squashfs and jffs2 (unassessed %v)", chains, res.Unassessed)
	}
	k := byInner(res)["/kernel-OpenWrt_Linux"]
	if k == nil {
		t.Fatalf("kernel not extracted: %v", res.Containers)
	}
	if b, err := res.FS.ReadFile(k.Path); err != nil || !bytes.Equal(b, kernel) {
		t.Errorf("kernel: %d bytes, %v", len(b), err)
	}
}
