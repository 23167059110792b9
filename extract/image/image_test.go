package image

import (
	"archive/tar"
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/assayhq/assay/extract/internal/imagetest"
	"github.com/assayhq/assay/extract/limit"
)

func all(string, fs.FileInfo) bool { return true }

func TestDockerArchive(t *testing.T) {
	fsys := fstest.MapFS{"img.tar": {Data: imagetest.DockerArchive(imagetest.Sample(), false)}}
	if !IsImageArchive(fsys, "img.tar") {
		t.Fatal("not recognised")
	}
	img, err := OpenArchive(context.Background(), fsys, "img.tar", limit.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	checkRootFS(t, img)
	if img.Format != "docker-archive" {
		t.Errorf("format %q", img.Format)
	}
}

func TestOCILayout(t *testing.T) {
	fsys := fstest.MapFS{}
	for name, data := range imagetest.OCIFiles(imagetest.Sample()) {
		fsys["layout/"+name] = &fstest.MapFile{Data: data}
	}
	img, err := Open(context.Background(), fsys, "layout", limit.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	checkRootFS(t, img)
	if img.Format != "oci-layout" || !strings.HasPrefix(img.Layers[0], "sha256:") {
		t.Errorf("format %q layers %v", img.Format, img.Layers)
	}
}

func checkRootFS(t *testing.T, img *Image) {
	t.Helper()
	root, err := img.RootFS(context.Background(), limit.Limits{}, all)
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		data, err := fs.ReadFile(root, p)
		if err != nil {
			return "ERR " + err.Error()
		}
		return string(data)
	}
	if s := read("var/lib/dpkg/status"); !strings.Contains(s, "libssl3") {
		t.Errorf("status from upper layer not applied: %q", s)
	}
	if s := read("etc/os-release"); !strings.Contains(s, "ID=debian") {
		t.Errorf("os-release through symlink: %q", s)
	}
	if s := read("app/hard"); !strings.Contains(s, "bash") {
		t.Errorf("hard link: %q", s)
	}
	for _, gone := range []string{"app/removed/go.mod", "opt/old/go.mod", "evil", "etc/passwd"} {
		if _, err := fs.Stat(root, gone); err == nil {
			t.Errorf("%s should not exist", gone)
		}
	}
	if _, err := fs.ReadFile(root, "app/link"); err == nil {
		t.Error("escaping symlink resolved to a file")
	}
	if s := read("opt/new/go.mod"); !strings.Contains(s, "example.com/new") {
		t.Errorf("opt/new: %q", s)
	}
	if root.Layer("var/lib/dpkg/status") != img.Layers[1] || root.Layer("usr/lib/os-release") != img.Layers[0] {
		t.Error("layer attribution wrong")
	}
	escaped := false
	for _, u := range img.Unassessed {
		if strings.Contains(u.Path, "../evil") {
			escaped = true
		}
	}
	if !escaped {
		t.Errorf("../evil not recorded: %v", img.Unassessed)
	}
	entries, err := fs.ReadDir(root, "opt")
	if err != nil || len(entries) != 1 || entries[0].Name() != "new" {
		t.Errorf("opt after opaque whiteout: %v %v", entries, err)
	}
}

func TestContentBudget(t *testing.T) {
	fsys := fstest.MapFS{"img.tar": {Data: imagetest.DockerArchive(imagetest.Sample(), false)}}
	lim := limit.Limits{MaxImageContentBytes: 64}
	img, err := OpenArchive(context.Background(), fsys, "img.tar", lim)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if _, err := img.RootFS(context.Background(), lim, all); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range img.Unassessed {
		if strings.Contains(u.Reason, "kept in memory") {
			n++
		}
	}
	if n == 0 {
		t.Errorf("budget not applied: %v", img.Unassessed)
	}
}

func TestBadImages(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		lim  limit.Limits
		want string
	}{
		{"missing layer", imagetest.DockerArchive(imagetest.Sample(), true), limit.Limits{}, "missing"},
		{"no manifest", imagetest.Tar([]imagetest.Entry{{Name: "a", Body: "b"}}), limit.Limits{}, "neither manifest.json nor index.json"},
		{"bad manifest", imagetest.Tar([]imagetest.Entry{{Name: "manifest.json", Body: "{"}}), limit.Limits{}, "manifest.json"},
		{"too many files", imagetest.DockerArchive(imagetest.Sample(), false), limit.Limits{MaxFiles: 5}, "more than 5"},
		{"too many bytes", imagetest.DockerArchive(imagetest.Sample(), false), limit.Limits{MaxTotalBytes: 100}, "total byte limit"},
		{"not tar", []byte("hello"), limit.Limits{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"img.tar": {Data: tt.data}}
			img, err := OpenArchive(context.Background(), fsys, "img.tar", tt.lim)
			if err == nil {
				_, err = img.RootFS(context.Background(), tt.lim, all)
				img.Close()
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzImageArchive(f *testing.F) {
	f.Add(imagetest.DockerArchive(imagetest.Sample(), false))
	f.Add(imagetest.Tar([]imagetest.Entry{{Name: "manifest.json", Body: `[{"Layers":["l"]}]`}, {Name: "l", Body: "x"}}))
	f.Add(imagetest.DockerArchiveImages([]string{"a:1", ""}, [][]imagetest.Layer{imagetest.Sample(), imagetest.Sample()[:1]}))
	lim := limit.Limits{MaxFiles: 1000, MaxTotalBytes: 1 << 20, MaxFileBytes: 1 << 16, MaxLayers: 8, MaxImages: 4}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"img.tar": {Data: data}}
		img, err := OpenArchive(context.Background(), fsys, "img.tar", lim)
		if err != nil {
			return
		}
		defer img.Close()
		if len(img.Refs) > lim.MaxImages {
			t.Fatalf("%d images, limit %d", len(img.Refs), lim.MaxImages)
		}
		for i := range img.Refs {
			if img.Select(i, lim) != nil {
				continue
			}
			root, err := img.RootFS(context.Background(), lim, all)
			if err != nil {
				continue
			}
			_ = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					_, _ = fs.ReadFile(root, p)
				}
				return nil
			})
		}
	})
}

// applyOpaque applies n files of layer 0 in d, then n files of layer 1
// each followed by an opaque whiteout of d.
func applyOpaque(n int) *RootFS {
	r := &RootFS{root: newDir(-1)}
	reg := &tar.Header{Typeflag: tar.TypeReg, Mode: 0o644}
	for i := range n {
		r.apply(fmt.Sprintf("d/f%d", i), reg, 0)
	}
	for i := range n {
		r.apply(fmt.Sprintf("d/g%d", i), reg, 1)
		r.apply("d/.wh..wh..opq", reg, 1)
	}
	return r
}

// TestOpaqueWhiteoutOncePerLayer checks that an opaque whiteout hides a
// directory's earlier layers only, applied once per layer however often
// the layer repeats it (each repeat walked the whole directory: 20,000
// files and markers took 2.5 s).
func TestOpaqueWhiteoutOncePerLayer(t *testing.T) {
	r := applyOpaque(1000)
	d := r.root.children["d"]
	if _, ok := d.children["f0"]; ok || len(d.children) != 1000 {
		t.Fatalf("%d entries in d (f0 kept: %v), want the 1000 of layer 1", len(d.children), ok)
	}
	r.apply("d/.wh..wh..opq", &tar.Header{Typeflag: tar.TypeReg}, 2)
	if len(d.children) != 0 {
		t.Errorf("a later layer's opaque whiteout left %d entries", len(d.children))
	}
}

func BenchmarkOpaqueWhiteouts(b *testing.B) {
	for b.Loop() {
		applyOpaque(20000)
	}
}
