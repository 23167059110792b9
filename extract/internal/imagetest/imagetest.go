// Package imagetest builds small container images (docker save archives
// and OCI layouts) in memory for tests.
package imagetest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Entry is one layer entry. Type is tar.TypeReg when zero.
type Entry struct {
	Name     string
	Body     string
	Mode     int64
	Type     byte
	Linkname string
}

// Layer is a layer's entries; Gzip compresses it.
type Layer struct {
	Entries []Entry
	Gzip    bool
}

// Tar returns a tar archive of the entries.
func Tar(entries []Entry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.Name, Mode: e.Mode, Typeflag: e.Type, Linkname: e.Linkname, Size: int64(len(e.Body))}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			panic(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(e.Body)); err != nil {
				panic(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func blob(l Layer) []byte {
	data := Tar(l.Entries)
	if !l.Gzip {
		return data
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// DockerArchive returns a `docker save` style archive of one image tagged
// test:latest; when missing is set, the last layer is listed in
// manifest.json but left out.
func DockerArchive(layers []Layer, missing bool) []byte {
	return dockerArchive([]string{"test:latest"}, [][]Layer{layers}, missing)
}

// DockerArchiveImages returns a `docker save` archive of several images,
// images[i] tagged tags[i] (no tag when tags[i] is empty).
func DockerArchiveImages(tags []string, images [][]Layer) []byte {
	return dockerArchive(tags, images, false)
}

func dockerArchive(tags []string, images [][]Layer, missing bool) []byte {
	var entries []Entry
	var manifests []map[string]any
	seen := map[string]bool{}
	config := `{"architecture":"amd64","os":"linux"}`
	cfgName := "blobs/sha256/" + digest([]byte(config))
	for k, layers := range images {
		var names []string
		for i, l := range layers {
			b := blob(l)
			name := "blobs/sha256/" + digest(b)
			names = append(names, name)
			if (missing && i == len(layers)-1) || seen[name] {
				continue
			}
			seen[name] = true
			entries = append(entries, Entry{Name: name, Body: string(b)})
		}
		m := map[string]any{"Config": cfgName, "Layers": names}
		if tags[k] != "" {
			m["RepoTags"] = []string{tags[k]}
		}
		manifests = append(manifests, m)
	}
	manifest, _ := json.Marshal(manifests)
	entries = append(entries, Entry{Name: cfgName, Body: config}, Entry{Name: "manifest.json", Body: string(manifest)})
	return Tar(entries)
}

// OCIFiles returns the files of an OCI image layout (path → content).
func OCIFiles(layers []Layer) map[string][]byte {
	files := map[string][]byte{"oci-layout": []byte(`{"imageLayoutVersion":"1.0.0"}`)}
	var descs []map[string]any
	for _, l := range layers {
		b := blob(l)
		d := digest(b)
		files["blobs/sha256/"+d] = b
		mt := "application/vnd.oci.image.layer.v1.tar"
		if l.Gzip {
			mt += "+gzip"
		}
		descs = append(descs, map[string]any{"mediaType": mt, "digest": "sha256:" + d, "size": len(b)})
	}
	config := []byte(`{"architecture":"amd64","os":"linux"}`)
	files["blobs/sha256/"+digest(config)] = config
	manifest, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + digest(config), "size": len(config)},
		"layers": descs})
	files["blobs/sha256/"+digest(manifest)] = manifest
	index, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []map[string]any{{
		"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + digest(manifest), "size": len(manifest)}}})
	files["index.json"] = index
	return files
}

// WriteOCI writes an OCI image layout into dir.
func WriteOCI(dir string, layers []Layer) error {
	for name, data := range OCIFiles(layers) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	return nil
}

// Sample returns two layers exercising the layer rules: a symlinked
// os-release, a dpkg database replaced by the second layer, a whiteout,
// an opaque directory, a "../" escape, an escaping symlink, a Go module
// and a non-Go executable.
func Sample() []Layer {
	status1 := "Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2\nArchitecture: amd64\n\n"
	status2 := status1 + "Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\n\n"
	return []Layer{
		{Gzip: true, Entries: []Entry{
			{Name: "etc/", Type: tar.TypeDir, Mode: 0o755},
			{Name: "etc/os-release", Type: tar.TypeSymlink, Linkname: "../usr/lib/os-release"},
			{Name: "usr/lib/os-release", Body: "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"},
			{Name: "var/lib/dpkg/status", Body: status1},
			{Name: "opt/old/go.mod", Body: "module example.com/old\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.1\n"},
			{Name: "app/removed/go.mod", Body: "module example.com/removed\n\ngo 1.21\n"},
			{Name: "bin/tool", Body: "\x7fELF\x02\x01\x01\x00not really", Mode: 0o755},
		}},
		{Entries: []Entry{
			{Name: "var/lib/dpkg/status", Body: status2},
			{Name: "app/.wh.removed", Body: ""},
			{Name: "opt/.wh..wh..opq", Body: ""},
			{Name: "opt/new/go.mod", Body: "module example.com/new\n\ngo 1.22\n\nrequire golang.org/x/text v0.14.0\n"},
			{Name: "../evil", Body: "escape"},
			{Name: "app/link", Type: tar.TypeSymlink, Linkname: "../../../../etc/passwd"},
			{Name: "app/hard", Type: tar.TypeLink, Linkname: "var/lib/dpkg/status"},
		}},
	}
}
