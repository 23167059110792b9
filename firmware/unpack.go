package firmware

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"
)

// weakMinOutput is how much a weak-magic stream must decode before an
// error for it to count as a real, damaged stream.
const weakMinOutput = 64 << 10

// probeSize is how many leading bytes of a candidate are read to decide
// its format.
const probeSize = 8 << 10

// Unpack reads the firmware image at path and recursively unpacks every
// container it recognises by content, within limits. Parse problems and
// limit hits become Result.Unassessed entries; an error is returned only
// when the image cannot be read at all or the spool cannot be created.
// Nothing from the image is executed. The caller must Close the Result.
func Unpack(ctx context.Context, path string, limits Limits) (*Result, error) {
	return UnpackLogger(ctx, path, limits, slog.New(slog.DiscardHandler))
}

// UnpackLogger is Unpack with debug logging of skipped carving candidates
// and progress to log.
func UnpackLogger(ctx context.Context, imagePath string, limits Limits, log *slog.Logger) (*Result, error) {
	start := time.Now()
	lim := limits.withDefaults()
	f, err := os.Open(imagePath)
	if err != nil {
		return nil, fmt.Errorf("unpack %s: %w", imagePath, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("unpack %s: %w", imagePath, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("unpack %s: not a regular file", imagePath)
	}
	spool, err := os.MkdirTemp("", "assay-firmware-*")
	if err != nil {
		return nil, fmt.Errorf("unpack %s: spool: %w", imagePath, err)
	}
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	u := newUnpacker(spool, lim, log, st.Size())
	img := blob{r: f, size: st.Size()}
	if !u.analyse(ctx, img, place{mount: ".", carve: true}) && u.stopErr() == nil {
		// Keep the raw image visible so that identification can still
		// scan it for version strings.
		name := filepath.Base(imagePath)
		u.unassessed(name, "no known container or compression format found in the image")
		if abs, err := filepath.Abs(imagePath); err == nil {
			h := sha256.New()
			if _, err := io.Copy(h, io.NewSectionReader(f, 0, st.Size())); err == nil {
				s := &sink{u: u, mount: ".", byPath: map[string]*File{}}
				s.addBlob(name, spooled{path: abs, size: st.Size(), sha256: hex.EncodeToString(h.Sum(nil))})
			}
		}
	}
	if err := u.stopErr(); err != nil {
		u.unassessed(".", "unpack stopped early; content after this point was not examined: "+err.Error())
	}
	u.res.BytesWritten = u.total
	u.res.Duration = time.Since(start)
	return u.res, nil
}

// newUnpacker prepares an unpack of an image of size bytes spooling into
// spool with limits lim (defaults already applied).
func newUnpacker(spool string, lim Limits, log *slog.Logger, size int64) *unpacker {
	u := &unpacker{
		lim:      lim,
		log:      log,
		fsys:     newFS(),
		spool:    spool,
		res:      &Result{spool: spool},
		analysed: map[string]*blobAnalysis{},
	}
	u.cap, u.capName = lim.MaxTotalBytes, "max-total-bytes"
	if r := int64(lim.MaxRatio * float64(max(size, 1))); r < u.cap {
		u.cap, u.capName = r, "max-ratio"
	}
	u.res.FS = u.fsys
	return u
}

type unpacker struct {
	lim     Limits
	log     *slog.Logger
	fsys    *FS
	spool   string
	res     *Result
	total   int64  // bytes spooled so far (guarded by mu)
	cap     int64  // effective total-bytes cap
	capName string // limit that sets cap
	files   int
	dropped int // unassessed entries beyond MaxUnassessed
	// analysed caches nested analyses by content hash (and carving mode).
	analysed map[string]*blobAnalysis

	// mu guards total and stopped, which parallel spooling updates.
	mu      sync.Mutex
	stopped error // a global limit was hit; nothing more is extracted
}

// blob is a byte range being analysed: the image or a spooled file.
type blob struct {
	r    io.ReaderAt
	size int64
}

// place says where a blob sits: its provenance and where containers
// found in it are mounted in the merged FS.
type place struct {
	chain    []Layer // containers enclosing the blob, outermost first
	blobPath string  // path of the blob inside the last layer; "" for a layer's own output
	mount    string  // FS directory for a container at offset 0
	carve    bool    // search the whole blob for containers, not just offset 0
	name     string  // FS name to give a decompressed stream that holds no container
}

func (u *unpacker) unassessed(p, reason string) {
	if len(u.res.Unassessed) >= u.lim.MaxUnassessed {
		u.dropped++
		last := Unassessed{Path: "*", Reason: fmt.Sprintf("%d more unassessed entries not listed (max-unassessed %d)", u.dropped, u.lim.MaxUnassessed)}
		if u.dropped == 1 {
			u.res.Unassessed = append(u.res.Unassessed, last)
		} else {
			u.res.Unassessed[len(u.res.Unassessed)-1] = last
		}
		return
	}
	u.res.Unassessed = append(u.res.Unassessed, Unassessed{Path: p, Reason: reason})
}

// stop records a global limit hit.
func (u *unpacker) stop(err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.stopped == nil {
		u.stopped = err
	}
}

// stopErr returns the global limit hit, if any.
func (u *unpacker) stopErr() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.stopped
}

// check returns the global stop reason, turning a context expiry into one.
func (u *unpacker) check(ctx context.Context) error {
	switch err := ctx.Err(); {
	case errors.Is(err, context.DeadlineExceeded):
		u.stop(&LimitError{Limit: "timeout", Value: u.lim.Timeout.String()})
	case err != nil:
		u.stop(fmt.Errorf("unpack cancelled: %w", err))
	}
	return u.stopErr()
}

// remaining returns the bytes the total-bytes cap still allows.
func (u *unpacker) remaining() int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	return max(u.cap-u.total, 0)
}

// reserve accounts for n more spooled bytes and returns how many may be
// written; err is set when the total cap is reached.
func (u *unpacker) reserve(n int) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.total+int64(n) <= u.cap {
		u.total += int64(n)
		return n, nil
	}
	n = int(max(u.cap-u.total, 0))
	u.total += int64(n)
	err := &LimitError{Limit: u.capName, Value: strconv.FormatInt(u.cap, 10) + " bytes"}
	if u.stopped == nil {
		u.stopped = err
	}
	return n, err
}

// analyse looks for containers in b and unpacks them. It reports whether
// any container was recognised.
func (u *unpacker) analyse(ctx context.Context, b blob, pl place) bool {
	if u.check(ctx) != nil {
		return false
	}
	hdr := readHeader(b, 0)
	found := false
	next := int64(0)
	for _, f := range formatsAt(hdr) {
		if used, ok := u.run(ctx, f, b, 0, pl); ok {
			found = true
			next = max(used, 1)
			break
		}
	}
	if !pl.carve || next >= b.size {
		return found
	}
	return u.carve(ctx, b, next, pl) || found
}

// carve scans b from offset from for container signatures.
func (u *unpacker) carve(ctx context.Context, b blob, from int64, pl place) bool {
	found := false
	next := from
	sc := newScanner(b, from)
	for {
		off, f, ok := sc.next()
		if !ok || u.check(ctx) != nil {
			return found
		}
		if off < next {
			continue
		}
		hdr := readHeader(b, off)
		if !f.probe(hdr) {
			continue
		}
		used, ok := u.run(ctx, f, b, off, pl)
		if !ok {
			continue
		}
		found = true
		if used > 0 {
			next = off + used
		} else {
			next = off + 1
		}
	}
}

func readHeader(b blob, off int64) []byte {
	n := min(b.size-off, probeSize)
	if n <= 0 {
		return nil
	}
	hdr := make([]byte, n)
	k, _ := b.r.ReadAt(hdr, off)
	return hdr[:k]
}

func hexOff(off int64) string { return strconv.FormatInt(off, 16) }

// run unpacks the container f found at off in b. ok reports whether the
// candidate was a real container (at least partly unpacked); used is
// the number of bytes it occupied, or 0 when unknown.
func (u *unpacker) run(ctx context.Context, f *format, b blob, off int64, pl place) (used int64, ok bool) {
	layer := Layer{Format: f.name, Offset: off, Path: pl.blobPath}
	where := pl.mount
	if off != 0 {
		where = path.Join(pl.mount, hexOff(off)+"."+f.name)
	}
	if len(pl.chain) >= u.lim.MaxDepth {
		u.unassessed(where, fmt.Sprintf("%s at offset %#x not unpacked: limit max-depth (%d) reached", f.name, off, u.lim.MaxDepth))
		return 0, true
	}
	chain := append(slices.Clone(pl.chain), layer)
	mount := pl.mount
	if off != 0 {
		mount = where
	}
	sec := io.NewSectionReader(b.r, off, b.size-off)
	defer func() {
		if r := recover(); r != nil {
			u.log.Debug("reader panic", "format", f.name, "offset", off, "panic", r, "stack", string(debug.Stack()))
			u.unassessed(where, fmt.Sprintf("%s at offset %#x: reader failed: %v", f.name, off, r))
			used, ok = 0, true
		}
	}()
	if f.open != nil {
		return u.runStream(ctx, f, sec, chain, mount, off, pl)
	}
	s := &sink{u: u, chain: chain, mount: mount, opaque: f.opaque, byPath: map[string]*File{}}
	// Record the container before its nested ones, so that the list goes
	// from the outermost inward.
	idx := len(u.res.Containers)
	u.res.Containers = append(u.res.Containers, Container{Chain: chain, Format: f.name, Offset: off})
	used, err := f.walk(ctx, sec, s)
	if s.count == 0 && err != nil {
		u.res.Containers = slices.Delete(u.res.Containers, idx, idx+1)
	}
	if errors.Is(err, errNotContainer) {
		return 0, false
	}
	if s.count == 0 && err != nil {
		if (off == 0 || errors.Is(err, errUnsupported)) && u.stopErr() == nil {
			u.unassessed(where, fmt.Sprintf("%s at offset %#x: %v", f.name, off, err))
			return 0, true
		}
		u.log.Debug("carving candidate rejected", "format", f.name, "offset", off, "err", err)
		return 0, false
	}
	if err != nil {
		u.unassessed(where, fmt.Sprintf("%s at offset %#x: partly unpacked: %v", f.name, off, err))
	}
	c := &u.res.Containers[idx]
	c.Size, c.Mount, c.Files = used, s.mountPath(), s.count
	return used, true
}

// runStream decompresses a stream container and analyses its output.
func (u *unpacker) runStream(ctx context.Context, f *format, sec *io.SectionReader, chain []Layer, mount string, off int64, pl place) (int64, bool) {
	cr := &countReader{r: sec}
	r, name, err := f.open(cr)
	if err != nil {
		return 0, false
	}
	if !pl.carve {
		// Inside a filesystem, only unpack compressed files that hold a
		// container: peek at the decompressed head first.
		head := make([]byte, probeSize)
		n, err := io.ReadFull(r, head)
		if err != nil && n == 0 {
			return 0, false
		}
		if len(formatsAt(head[:n])) == 0 {
			return 0, false
		}
		if _, err := sec.Seek(0, io.SeekStart); err != nil {
			return 0, false
		}
		cr = &countReader{r: sec}
		if r, name, err = f.open(cr); err != nil {
			return 0, false
		}
	}
	out, err := u.spoolCopy(ctx, r)
	var le *LimitError
	isLimit := errors.As(err, &le)
	if out.size == 0 && err != nil {
		if isLimit {
			u.unassessed(mount, fmt.Sprintf("%s at offset %#x not decompressed: %v", f.name, off, err))
			return 0, true
		}
		return 0, false
	}
	if err != nil && !isLimit && f.weak && out.size < weakMinOutput {
		// A format without a real magic that fails to decode early is
		// taken for a false positive, not a damaged stream.
		u.log.Debug("carving candidate rejected", "format", f.name, "offset", off, "err", err)
		return 0, false
	}
	if err != nil {
		// Data after the end of a stream is normal when carving; only
		// truncation and limits are worth reporting.
		if isLimit || errors.Is(err, io.ErrUnexpectedEOF) {
			u.unassessed(mount, fmt.Sprintf("%s at offset %#x: decompressed %d bytes, then: %v", f.name, off, out.size, err))
		} else {
			u.log.Debug("stream ended with an error", "format", f.name, "offset", off, "err", err)
		}
	}
	fh, ferr := os.Open(out.path)
	if ferr != nil {
		u.unassessed(mount, fmt.Sprintf("%s at offset %#x: %v", f.name, off, ferr))
		return cr.n, true
	}
	defer fh.Close()
	u.res.Containers = append(u.res.Containers, Container{Chain: chain, Format: f.name, Offset: off, Size: cr.n, Mount: mount})
	sub := place{chain: chain, mount: mount, carve: true}
	if u.analyse(ctx, blob{r: fh, size: out.size}, sub) || u.stopErr() != nil {
		return cr.n, true
	}
	// The stream holds no container: keep its content as a file.
	if name == "" {
		name = pl.name
	}
	fileName := path.Join(pl.mount, hexOff(off)+"."+f.name)
	if name != "" && off == 0 {
		fileName = path.Join(pl.mount, name)
	}
	s := &sink{u: u, chain: chain, mount: path.Dir(fileName), byPath: map[string]*File{}}
	s.addBlob(path.Base(fileName), out)
	return cr.n, true
}

// spooled is a blob written to the spool directory.
type spooled struct {
	path   string
	size   int64
	sha256 string
}

// spoolCopy copies r into the content-addressed spool within the limits.
// On a limit error the partial content is kept (size > 0).
func (u *unpacker) spoolCopy(ctx context.Context, r io.Reader) (spooled, error) {
	tmp, err := os.CreateTemp(u.spool, "tmp-*")
	if err != nil {
		return spooled{}, fmt.Errorf("spool: %w", err)
	}
	defer tmp.Close()
	h := sha256.New()
	buf := make([]byte, 256<<10)
	var size int64
	var cerr error
	for {
		if err := u.check(ctx); err != nil {
			cerr = err
			break
		}
		n, rerr := r.Read(buf)
		if n > 0 {
			if size+int64(n) > u.lim.MaxFileSize {
				n = int(u.lim.MaxFileSize - size)
				cerr = &LimitError{Limit: "max-file-size", Value: strconv.FormatInt(u.lim.MaxFileSize, 10)}
			}
			var lerr error
			if n, lerr = u.reserve(n); lerr != nil {
				cerr = lerr
			}
			if _, err := tmp.Write(buf[:n]); err != nil {
				return spooled{}, fmt.Errorf("spool: %w", err)
			}
			h.Write(buf[:n])
			size += int64(n)
		}
		if cerr != nil {
			break
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			cerr = rerr
			break
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := filepath.Join(u.spool, sum)
	if _, err := os.Stat(final); err == nil {
		os.Remove(tmp.Name())
	} else if err := os.Rename(tmp.Name(), final); err != nil {
		return spooled{}, fmt.Errorf("spool: %w", err)
	}
	return spooled{path: final, size: size, sha256: sum}, cerr
}

// countReader counts bytes read through it. It implements io.ByteReader
// so that flate-based decoders do not read ahead and the count is exact.
type countReader struct {
	r   io.Reader
	n   int64
	buf [4096]byte
	b   []byte
}

func (c *countReader) fill() error {
	k, err := c.r.Read(c.buf[:])
	c.b = c.buf[:k]
	if k > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

func (c *countReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		if err := c.fill(); err != nil {
			return 0, err
		}
	}
	k := copy(p, c.b)
	c.b = c.b[k:]
	c.n += int64(k)
	return k, nil
}

func (c *countReader) ReadByte() (byte, error) {
	if len(c.b) == 0 {
		if err := c.fill(); err != nil {
			return 0, err
		}
	}
	b := c.b[0]
	c.b = c.b[1:]
	c.n++
	return b, nil
}

var _ fs.FS = (*FS)(nil)
