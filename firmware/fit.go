package firmware

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// U-Boot FIT images: a flattened device tree whose /images node holds
// the payloads (kernel, ramdisk, device trees), embedded in "data"
// properties or stored after the tree ("data-offset"/"data-position" with
// "data-size"). Each payload is emitted decompressed as images/NAME and
// carved in turn. A plain device tree without /images is not a container.

const (
	fdtMagic     = 0xd00dfeed
	fdtBeginNode = 1
	fdtEndNode   = 2
	fdtProp      = 3
	fdtNop       = 4
	fdtEnd       = 9
	fdtMaxSize   = 64 << 20
	fdtMaxDepth  = 32
)

// errNotContainer reports that a candidate is valid but holds nothing to
// unpack (a plain device tree); it is never reported as unassessed.
var errNotContainer = errors.New("not a container")

var fitComp = map[string]byte{"none": 0, "gzip": 1, "bzip2": 2, "lzma": 3, "lzo": 4, "lz4": 5, "zstd": 6}

func fitFormat() *format {
	return &format{
		name:   "fit",
		magic:  []byte{0xd0, 0x0d, 0xfe, 0xed},
		probe:  probeFDT,
		walk:   walkFIT,
		opaque: true,
	}
}

func probeFDT(h []byte) bool {
	if len(h) < 40 || binary.BigEndian.Uint32(h) != fdtMagic {
		return false
	}
	be := binary.BigEndian
	total, structOff, stringsOff, version := be.Uint32(h[4:]), be.Uint32(h[8:]), be.Uint32(h[12:]), be.Uint32(h[20:])
	return total >= 40 && total <= fdtMaxSize && structOff < total && stringsOff < total && version >= 16 && version <= 17
}

type fitImage struct {
	name  string
	props map[string][]byte
}

func walkFIT(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	h := make([]byte, 40)
	if _, err := r.ReadAt(h, 0); err != nil {
		return 0, err
	}
	be := binary.BigEndian
	total := int64(be.Uint32(h[4:]))
	if total > r.Size() {
		return 0, fmt.Errorf("fdt: total size %d exceeds the %d available bytes", total, r.Size())
	}
	tree := make([]byte, total)
	if _, err := r.ReadAt(tree, 0); err != nil {
		return 0, err
	}
	images, err := fitImages(tree, be.Uint32(h[8:]), be.Uint32(h[12:]))
	if err != nil {
		return 0, err
	}
	if len(images) == 0 {
		return total, errNotContainer
	}
	used := total
	extBase := (total + 3) &^ 3
	for _, im := range images {
		var data *io.SectionReader
		switch {
		case im.props["data"] != nil:
			data = io.NewSectionReader(bytes.NewReader(im.props["data"]), 0, int64(len(im.props["data"])))
		case im.props["data-size"] != nil:
			size := int64(fdtU32(im.props["data-size"]))
			off := extBase + int64(fdtU32(im.props["data-offset"]))
			if p := im.props["data-position"]; p != nil {
				off = int64(fdtU32(p))
			}
			if off+size > r.Size() {
				s.u.unassessed(s.display("/images/"+im.name), "fit: external data outside the image")
				continue
			}
			data = io.NewSectionReader(r, off, size)
			used = max(used, off+size)
		default:
			continue
		}
		comp := fitComp[strings.TrimRight(string(im.props["compression"]), "\x00")]
		name := sanitizeName(im.name)
		if name == "" {
			name = "image"
		}
		e := entry{Name: "images/" + name, Mode: 0o644, UID: -1, GID: -1, Size: data.Size()}
		e.Open = func() (io.Reader, error) { return uimageDecompress(comp, data) }
		if err := s.emit(ctx, e); err != nil {
			return used, err
		}
	}
	return used, nil
}

func fdtU32(b []byte) uint32 {
	if len(b) < 4 {
		return 0
	}
	return binary.BigEndian.Uint32(b)
}

// fitImages parses the structure block and returns the children of /images.
func fitImages(tree []byte, structOff, stringsOff uint32) ([]*fitImage, error) {
	be := binary.BigEndian
	var path []string
	var images []*fitImage
	var cur *fitImage
	for p := int(structOff); ; {
		if p+4 > len(tree) {
			return nil, errors.New("fdt: truncated structure block")
		}
		tok := be.Uint32(tree[p:])
		p += 4
		switch tok {
		case fdtBeginNode:
			end := bytes.IndexByte(tree[p:], 0)
			if end < 0 || len(path) >= fdtMaxDepth {
				return nil, errors.New("fdt: bad node")
			}
			name := string(tree[p : p+end])
			p += (end + 4) &^ 3
			path = append(path, name)
			if len(path) == 3 && path[1] == "images" {
				cur = &fitImage{name: name, props: map[string][]byte{}}
				images = append(images, cur)
			}
		case fdtEndNode:
			if len(path) == 0 {
				return nil, errors.New("fdt: unbalanced nodes")
			}
			if len(path) == 3 {
				cur = nil
			}
			path = path[:len(path)-1]
		case fdtProp:
			if p+8 > len(tree) {
				return nil, errors.New("fdt: truncated property")
			}
			n, nameOff := int(be.Uint32(tree[p:])), int(be.Uint32(tree[p+4:]))
			p += 8
			if n < 0 || p+n > len(tree) {
				return nil, errors.New("fdt: property outside the tree")
			}
			if cur != nil && len(path) == 3 {
				so := int(stringsOff) + nameOff
				if so < len(tree) {
					if e := bytes.IndexByte(tree[so:], 0); e >= 0 {
						cur.props[string(tree[so:so+e])] = tree[p : p+n]
					}
				}
			}
			p += (n + 3) &^ 3
		case fdtNop:
		case fdtEnd:
			return images, nil
		default:
			return nil, fmt.Errorf("fdt: bad token %#x", tok)
		}
	}
}
