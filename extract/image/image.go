// Package image reads container images — `docker save` archives, OCI image
// archives and OCI image layout directories — and applies their layers in
// order, with whiteouts, into an in-memory read-only file system that the
// directory walk of package extract then inventories.
//
// Nothing is written to disk. Layer entries whose names escape the root
// ("../") are refused and listed as unassessed; symbolic links are kept as
// links and resolved only inside the image root. Only the content of files
// the caller asks for is kept in memory (package databases, manifests,
// executables, likely SBOMs); every bound comes from limit.Limits.
package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
	"github.com/klauspost/compress/zstd"
)

// Image is an opened container image: its layers in order and how to read
// them.
type Image struct {
	// Format is "docker-archive", "oci-archive" or "oci-layout".
	Format string
	// Ref names the selected image: its first repository tag (docker
	// save), its org.opencontainers.image.ref.name annotation or manifest
	// digest (OCI). It is empty for an untagged docker save image.
	Ref string
	// Refs names every image of the archive or layout, in order (see
	// Select); len(Refs) is the number of images.
	Refs []string
	// Layers are the layer digests (or archive paths) of the selected
	// image in application order.
	Layers []string
	// Unassessed lists layer entries that were refused or not read.
	Unassessed []inventory.Unassessed

	name   string
	images []manifest
	paths  []string // blob path per layer
	open   func(name string) (io.ReadCloser, error)
	closer io.Closer
}

// manifest sizes are small; bound them separately from layers.
const maxManifestBytes = 4 << 20

// IsImageArchive reports whether the tar file p in fsys holds a
// manifest.json (docker save) or an index.json plus oci-layout (OCI).
func IsImageArchive(fsys fs.FS, p string) bool {
	f, err := fsys.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for i := 0; i < 10000; i++ {
		h, err := tr.Next()
		if err != nil {
			return false
		}
		switch path.Clean(h.Name) {
		case "manifest.json", "index.json", "oci-layout":
			return true
		}
	}
	return false
}

// OpenArchive opens a docker save or OCI image tar archive at p in fsys.
// The file must support random access (io.ReaderAt), as files on disk and
// in memory do.
func OpenArchive(ctx context.Context, fsys fs.FS, p string, lim limit.Limits) (*Image, error) {
	lim = lim.WithDefaults()
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	ra, ok := f.(io.ReaderAt)
	if err != nil || !ok {
		f.Close()
		return nil, fmt.Errorf("image archive %s: file does not support random access", p)
	}
	members, err := indexTar(ctx, io.NewSectionReader(ra, 0, info.Size()), lim)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("image archive: %w", err)
	}
	open := func(name string) (io.ReadCloser, error) {
		m, ok := members[path.Clean(name)]
		if !ok {
			return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
		}
		return io.NopCloser(io.NewSectionReader(ra, m.off, m.size)), nil
	}
	img, err := open2(ctx, open, p, lim)
	if err != nil {
		f.Close()
		return nil, err
	}
	img.closer = f
	if img.Format == "oci-layout" {
		img.Format = "oci-archive"
	}
	return img, nil
}

// Close releases the archive file, if any.
func (img *Image) Close() error {
	if img.closer == nil {
		return nil
	}
	return img.closer.Close()
}

// Open opens an OCI image layout directory dir in fsys.
func Open(ctx context.Context, fsys fs.FS, dir string, lim limit.Limits) (*Image, error) {
	lim = lim.WithDefaults()
	open := func(name string) (io.ReadCloser, error) {
		return fsys.Open(path.Join(dir, path.Clean("/" + name)[1:]))
	}
	return open2(ctx, open, dir, lim)
}

type member struct{ off, size int64 }

// indexTar records the offset and size of every regular member.
func indexTar(ctx context.Context, r io.Reader, lim limit.Limits) (map[string]member, error) {
	cr := &countingReader{r: r}
	tr := tar.NewReader(cr)
	members := map[string]member{}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return members, nil
		}
		if err != nil {
			return nil, err
		}
		if len(members) >= lim.MaxFiles {
			return nil, fmt.Errorf("%w: more than %d archive members", limit.ErrTooLarge, lim.MaxFiles)
		}
		if h.Typeflag == tar.TypeReg {
			members[path.Clean(h.Name)] = member{off: cr.n, size: h.Size}
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// manifest is one image of an archive or layout.
type manifest struct {
	ref    string
	paths  []string // blob path per layer
	layers []string // layer digest per layer
}

type dockerManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Annotations map[string]string `json:"annotations"`
}

type ociIndex struct {
	Manifests []ociDescriptor `json:"manifests"`
	Layers    []ociDescriptor `json:"layers"`
}

// open2 reads the manifests through open, lists the images and selects
// the first.
func open2(ctx context.Context, open func(string) (io.ReadCloser, error), name string, lim limit.Limits) (*Image, error) {
	img := &Image{name: name, open: open}
	if data, err := readSmall(open, "manifest.json"); err == nil {
		var ms []dockerManifest
		if err := json.Unmarshal(data, &ms); err != nil {
			return nil, fmt.Errorf("manifest.json: %w", err)
		}
		if len(ms) == 0 {
			return nil, errors.New("manifest.json lists no image")
		}
		img.Format = "docker-archive"
		for _, m := range ms {
			var im manifest
			if len(m.RepoTags) > 0 {
				im.ref = m.RepoTags[0]
			}
			for _, l := range m.Layers {
				im.paths = append(im.paths, l)
				im.layers = append(im.layers, layerID(l))
			}
			img.images = append(img.images, im)
		}
	} else {
		data, err := readSmall(open, "index.json")
		if err != nil {
			return nil, fmt.Errorf("neither manifest.json nor index.json: %w", err)
		}
		img.Format = "oci-layout"
		if err := img.readIndex(open, data); err != nil {
			return nil, err
		}
	}
	if n := len(img.images); n > lim.MaxImages {
		img.Unassessed = append(img.Unassessed, inventory.Unassessed{Path: name,
			Reason: fmt.Sprintf("archive holds %d images; only the first %d were inventoried (--max-images)", n, lim.MaxImages)})
		img.images = img.images[:lim.MaxImages]
	}
	for _, im := range img.images {
		img.Refs = append(img.Refs, im.ref)
	}
	if err := img.Select(0, lim); err != nil {
		return nil, err
	}
	return img, nil
}

// Select makes image i (an index into Refs) the one whose layers RootFS
// applies, checking that all its layers are present.
func (img *Image) Select(i int, lim limit.Limits) error {
	lim = lim.WithDefaults()
	if i < 0 || i >= len(img.images) {
		return fmt.Errorf("image %d of %d", i, len(img.images))
	}
	im := img.images[i]
	img.Ref, img.paths, img.Layers = im.ref, im.paths, im.layers
	if len(img.paths) > lim.MaxLayers {
		return fmt.Errorf("%w: %d layers, limit %d", limit.ErrTooLarge, len(img.paths), lim.MaxLayers)
	}
	for j, p := range img.paths {
		rc, err := img.open(p)
		if err != nil {
			return fmt.Errorf("layer %s missing: %w", img.Layers[j], err)
		}
		rc.Close()
	}
	return nil
}

// readIndex lists the images of a top-level OCI index: one per manifest
// it names.
func (img *Image) readIndex(open func(string) (io.ReadCloser, error), data []byte) error {
	var idx ociIndex
	if err := json.Unmarshal(data, &idx); err != nil {
		return fmt.Errorf("OCI index: %w", err)
	}
	if len(idx.Manifests) == 0 {
		return errors.New("OCI index lists no manifest")
	}
	for _, d := range idx.Manifests {
		im := manifest{ref: d.Annotations["org.opencontainers.image.ref.name"]}
		if im.ref == "" {
			im.ref = d.Digest
		}
		next, err := readSmall(open, blobPath(d.Digest))
		if err != nil {
			return fmt.Errorf("manifest %s missing: %w", d.Digest, err)
		}
		if err := img.followIndex(open, next, 1, &im); err != nil {
			return err
		}
		img.images = append(img.images, im)
	}
	return nil
}

// followIndex walks a (nested) OCI index down to its first image manifest.
func (img *Image) followIndex(open func(string) (io.ReadCloser, error), data []byte, depth int, im *manifest) error {
	if depth > 4 {
		return errors.New("OCI index nested too deep")
	}
	var idx ociIndex
	if err := json.Unmarshal(data, &idx); err != nil {
		return fmt.Errorf("OCI index or manifest: %w", err)
	}
	if len(idx.Layers) > 0 {
		for _, l := range idx.Layers {
			im.paths = append(im.paths, blobPath(l.Digest))
			im.layers = append(im.layers, l.Digest)
		}
		return nil
	}
	if len(idx.Manifests) == 0 {
		return errors.New("OCI index lists no manifest")
	}
	if len(idx.Manifests) > 1 {
		img.Unassessed = append(img.Unassessed, inventory.Unassessed{Path: img.name, Reason: fmt.Sprintf("%s: index lists %d manifests (platforms); only the first was inventoried", im.ref, len(idx.Manifests))})
	}
	next, err := readSmall(open, blobPath(idx.Manifests[0].Digest))
	if err != nil {
		return fmt.Errorf("manifest %s missing: %w", idx.Manifests[0].Digest, err)
	}
	return img.followIndex(open, next, depth+1, im)
}

func blobPath(digest string) string {
	alg, hex, _ := strings.Cut(digest, ":")
	return path.Join("blobs", path.Clean("/" + alg)[1:], path.Clean("/" + hex)[1:])
}

func layerID(p string) string {
	if strings.HasPrefix(p, "blobs/") {
		parts := strings.Split(p, "/")
		if len(parts) == 3 {
			return parts[1] + ":" + parts[2]
		}
	}
	return p
}

func readSmall(open func(string) (io.ReadCloser, error), name string) ([]byte, error) {
	rc, err := open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := limit.ReadAll(rc, maxManifestBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

// layerReader opens layer i decompressed (gzip, zstd or plain tar),
// charging its bytes to budget.
func (img *Image) layerReader(i int, budget *int64) (*tar.Reader, io.Closer, error) {
	rc, err := img.open(img.paths[i])
	if err != nil {
		return nil, nil, fmt.Errorf("layer %s: %w", img.Layers[i], err)
	}
	br := bufio.NewReader(rc)
	magic, _ := br.Peek(4)
	var r io.Reader = br
	closer := io.Closer(rc)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		gz, err := gzip.NewReader(br)
		if err != nil {
			rc.Close()
			return nil, nil, fmt.Errorf("layer %s: %w", img.Layers[i], err)
		}
		r = gz
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(256<<20))
		if err != nil {
			rc.Close()
			return nil, nil, fmt.Errorf("layer %s: %w", img.Layers[i], err)
		}
		r = zr.IOReadCloser()
	}
	return tar.NewReader(&budgetReader{r: r, left: budget}), closer, nil
}

// budgetReader fails once the shared decompression budget is spent.
type budgetReader struct {
	r    io.Reader
	left *int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if *b.left <= 0 {
		return 0, fmt.Errorf("%w: image decompresses to more than the total byte limit", limit.ErrTooLarge)
	}
	if int64(len(p)) > *b.left {
		p = p[:*b.left]
	}
	n, err := b.r.Read(p)
	*b.left -= int64(n)
	return n, err
}
