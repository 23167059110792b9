package firmware

import (
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// Layer is one container in a provenance chain.
type Layer struct {
	// Format names the container or compression format ("squashfs",
	// "cpio-newc", "gzip", "uimage", ...).
	Format string `json:"format"`
	// Offset is the byte offset of the container inside its parent blob.
	Offset int64 `json:"offset"`
	// Path is the path, inside the previous layer, of the file that holds
	// this container; empty when the container sits in the previous
	// layer's own output (the image itself or a decompressed stream).
	Path string `json:"path,omitempty"`
}

// String renders the layer as "path:format@0xoffset".
func (l Layer) String() string {
	s := fmt.Sprintf("%s@%#x", l.Format, l.Offset)
	if l.Path != "" {
		s = l.Path + ":" + s
	}
	return s
}

// File describes one extracted directory entry and where it came from.
type File struct {
	// Path is the slash-separated path in Result.FS (no leading slash).
	Path string `json:"path"`
	// InnerPath is the path inside the innermost container, starting with "/".
	InnerPath string `json:"inner_path"`
	// Chain lists the enclosing containers from the outermost inward.
	Chain []Layer `json:"container"`
	// Mode holds the type and permission bits from the image's metadata
	// (including setuid, setgid and sticky).
	Mode fs.FileMode `json:"-"`
	// ModeString is Mode in ls -l form, for JSON output.
	ModeString string `json:"mode"`
	// Perm is the Unix permission in octal including setuid (4000),
	// setgid (2000) and sticky (1000) bits, for JSON output.
	Perm string `json:"perm"`
	// UID and GID are the owner ids recorded in the image (-1 if unknown).
	UID int `json:"uid"`
	GID int `json:"gid"`
	// Size is the content size of a regular file.
	Size int64 `json:"size"`
	// ModTime is the modification time recorded in the image.
	ModTime time.Time `json:"mtime"`
	// Link is the symlink target as recorded in the image.
	Link string `json:"link,omitempty"`
	// SHA256 is the hex content digest of a regular file.
	SHA256 string `json:"sha256,omitempty"`

	blob string // spool file holding the content
}

// Container describes one container found and unpacked.
type Container struct {
	// Chain is the provenance of the container; its last layer is the
	// container itself.
	Chain []Layer `json:"chain"`
	// Format and Offset repeat the last layer.
	Format string `json:"format"`
	Offset int64  `json:"offset"`
	// Size is the number of input bytes the container occupied, when known.
	Size int64 `json:"size"`
	// Mount is the directory of Result.FS holding the container's files
	// ("." for the root).
	Mount string `json:"mount"`
	// Files counts the entries extracted directly from this container.
	Files int `json:"files"`
}

// Unassessed names something that was not (fully) unpacked and why.
type Unassessed struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Result is the outcome of Unpack. It holds extracted content in a spool
// directory on disk: call Close to remove it.
type Result struct {
	// FS is a read-only view of every extracted file. Containers found at
	// offset 0 of the image are merged at the root; files holding nested
	// containers get a sibling directory NAME.extracted; containers carved
	// at other offsets get a directory "<hex offset>.<format>".
	FS *FS
	// Files lists every extracted entry in extraction order.
	Files []*File
	// Containers lists the containers unpacked.
	Containers []Container
	// Unassessed lists what was not unpacked, with reasons.
	Unassessed []Unassessed
	// Ignored lists entries deliberately not extracted (device files,
	// FIFOs, sockets), with reasons.
	Ignored []Unassessed
	// BytesWritten counts extracted and intermediate bytes.
	BytesWritten int64
	// Duration is the wall-clock time of the unpack.
	Duration time.Duration

	spool string
}

// Close removes the spooled content. The FS must not be used afterwards.
func (r *Result) Close() error {
	if r.spool == "" {
		return nil
	}
	err := os.RemoveAll(r.spool)
	r.spool = ""
	return err
}

// Lookup returns the File record for a path of FS, or nil.
func (r *Result) Lookup(name string) *File {
	n, err := r.FS.lookup(name, false)
	if err != nil {
		return nil
	}
	return n.file
}

// Container renders a file's chain as strings, outermost first.
func (f *File) Container() []string {
	out := make([]string, len(f.Chain))
	for i, l := range f.Chain {
		out[i] = l.String()
	}
	return out
}

// Enclosing renders the containers around the file's innermost filesystem,
// outermost first: Container without its last layer. A file at the top of a
// raw squashfs image has no enclosing container; a file in a squashfs inside
// a uImage has ["uimage@0x0"]. Findings and component locations report this
// list beside InnerPath.
func (f *File) Enclosing() []string {
	c := f.Container()
	if len(c) == 0 {
		return []string{}
	}
	return c[:len(c)-1]
}

func modeString(m fs.FileMode) string {
	return strings.TrimSpace(m.String())
}

// unixPermString renders the permission bits of m as Unix octal.
func unixPermString(m fs.FileMode) string {
	p := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		p |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		p |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		p |= 0o1000
	}
	return fmt.Sprintf("%04o", p)
}
