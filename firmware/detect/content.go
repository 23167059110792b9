package detect

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"runtime"
	"strings"
	"sync"

	"github.com/assayhq/assay/firmware"
)

// content is one file's bytes as seen by the content detectors.
type content struct {
	f    *firmware.File
	data []byte
	text bool
	img  *image
	sc   *secretScanner

	strs    []str // lazily: printable strings (binary) or lines (text)
	strsSet bool
}

// Bounds for strings extracted from binaries.
const (
	minStringLen = 6
	maxStrings   = 200000
)

// units returns the text units searched by line-oriented detectors:
// physical lines of a text file (off = line number) or printable strings
// of a binary (off = byte offset).
func (c *content) units() []str {
	if !c.strsSet {
		if c.text {
			c.strs = textLines(c.data)
		} else {
			c.strs = printableStrings(c.data, minStringLen, maxStrings)
		}
		c.strsSet = true
	}
	return c.strs
}

// unitEvidence renders a unit's location and (redacted) text.
func (c *content) unitEvidence(u str, text string) string {
	if c.text {
		return lineEvidence(int(u.off), text)
	}
	return fmt.Sprintf("offset %#x: %s", u.off, clip(text, 200))
}

// where renders a byte offset as "line N" for text, "offset 0xN" else.
func (c *content) where(off int64) string {
	if c.text && off <= int64(len(c.data)) {
		return fmt.Sprintf("line %d", bytes.Count(c.data[:off], []byte("\n"))+1)
	}
	return fmt.Sprintf("offset %#x", off)
}

// testData reports whether the file sits in a test-suite directory.
func (c *content) testData() bool {
	p := c.f.InnerPath
	return strings.Contains(p, "/test/") || strings.Contains(p, "/tests/") || strings.Contains(p, "/testdata/")
}

// contentDetectors run on every regular file that is not documentation.
var contentDetectors = []func(*content) []Problem{
	detectKeys,
	detectSecrets,
	detectPlaintextPasswords,
	detectEndpoints,
	detectCryptoConfig,
	detectCertificates,
	detectCommandInjection,
	detectInsecureUpdate,
}

// cacheKey identifies results that depend only on content and the parts
// of the location the detectors look at, so identical files are analysed
// once.
func cacheKey(f *firmware.File) string {
	p := f.InnerPath
	return fmt.Sprintf("%s|%t|%t|%t|%t|%t|%t|%s", f.SHA256, isExecutable(f), isPackageDB(p), isWebPath(p),
		strings.Contains(p, "/test"), isCertFile(p), isTrustStore(p), path.Base(p))
}

// scanContent runs the content detectors over every regular file of the
// image with one worker per CPU; identical files are analysed once.
func scanContent(ctx context.Context, img *image) ([]Problem, error) {
	var files []*firmware.File
	unpacked := unpackedFiles(img.res)
	for _, r := range img.roots {
		for _, f := range r.order {
			if f.Mode.IsRegular() && f.Size > 0 && !isDoc(f.InnerPath) && !unpacked[fileKey(f.Container(), f.InnerPath)] {
				files = append(files, f)
			}
		}
	}
	var (
		mu    sync.Mutex
		cache = map[string][]Problem{}
		wait  = map[string]chan struct{}{}
		out   []Problem
	)
	jobs := make(chan *firmware.File)
	var wg sync.WaitGroup
	workers := max(1, runtime.GOMAXPROCS(0))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := newSecretScanner(ctx)
			for f := range jobs {
				if f.SHA256 == "" {
					ps := img.scanFile(ctx, f, sc)
					mu.Lock()
					out = append(out, ps...)
					mu.Unlock()
					continue
				}
				key := cacheKey(f)
				mu.Lock()
				if ch, ok := wait[key]; ok {
					mu.Unlock()
					<-ch
					mu.Lock()
					for _, p := range cache[key] {
						p.Path, p.Container = f.InnerPath, f.Enclosing()
						out = append(out, p)
					}
					mu.Unlock()
					continue
				}
				ch := make(chan struct{})
				wait[key] = ch
				mu.Unlock()
				ps := img.scanFile(ctx, f, sc)
				mu.Lock()
				cache[key] = ps
				out = append(out, ps...)
				mu.Unlock()
				close(ch)
			}
		}()
	}
	var err error
feed:
	for _, f := range files {
		select {
		case jobs <- f:
		case <-ctx.Done():
			err = fmt.Errorf("detect: %w", ctx.Err())
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanFile reads one file and runs the content detectors on it.
func (img *image) scanFile(ctx context.Context, f *firmware.File, sc *secretScanner) []Problem {
	data, err := img.readFile(f)
	if err != nil {
		img.opts.Log.Warn("detect: reading file", "path", f.Path, "err", err)
		return nil
	}
	if len(data) == 0 {
		return nil
	}
	c := &content{f: f, data: data, text: isText(data), img: img, sc: sc}
	var out []Problem
	for _, d := range contentDetectors {
		if ctx.Err() != nil {
			return out
		}
		out = append(out, d(c)...)
	}
	return out
}

// unpackedFiles returns the keys of files that the unpacker opened as a
// container from their first byte (a ramdisk cpio, a gzip'd tarball):
// their contents are analysed as the files extracted from them, so
// scanning the raw container too would report every problem twice.
func unpackedFiles(res *firmware.Result) map[string]bool {
	out := map[string]bool{}
	for _, c := range res.Containers {
		n := len(c.Chain)
		if n == 0 || c.Chain[n-1].Path == "" || c.Chain[n-1].Offset != 0 {
			continue
		}
		outer := make([]string, n-1)
		for i, l := range c.Chain[:n-1] {
			outer[i] = l.String()
		}
		out[fileKey(outer, c.Chain[n-1].Path)] = true
	}
	return out
}

func fileKey(container []string, inner string) string {
	return strings.Join(container, "\x00") + "\x00" + inner
}
