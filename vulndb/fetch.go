package vulndb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/lazyre"
)

// MaxFeedBytes bounds one downloaded feed file (Config.MaxFeedBytes
// overrides it).
const MaxFeedBytes int64 = 8 << 30

// validators identify the version of a feed file fetched before, for
// conditional requests and change detection.
type validators struct {
	SHA256, ETag, LastModified string
}

// fetched is a feed file made available locally.
type fetched struct {
	URL          string
	Path         string // local copy (or the mirror file itself)
	SHA256       string
	ETag         string
	LastModified string
	Size         int64
	NotModified  bool // same content as the validators given
}

// transport fetches feed files and directory listings from http(s) URLs
// and from local directories (file:// URLs or plain paths). Both serve
// the same importers; only the byte transport differs.
type transport struct {
	client   *http.Client
	maxBytes int64
	retries  int
	backoff  time.Duration
	tmpDir   string
	progress Progress
	agent    string
}

// joinURL appends path segments to a base URL or directory, escaping each
// segment for URLs (a ':' in "AlmaLinux:9" becomes %3A).
func joinURL(base string, segs ...string) string {
	if !isHTTP(base) {
		return filepath.Join(append([]string{strings.TrimPrefix(base, "file://")}, segs...)...)
	}
	esc := make([]string, len(segs))
	for i, s := range segs {
		esc[i] = strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
	}
	return strings.TrimRight(base, "/") + "/" + strings.Join(esc, "/")
}

func isHTTP(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// fetch makes the file at u available locally. When its content matches
// prev (by HTTP validators or by digest) the result is NotModified.
func (t *transport) fetch(ctx context.Context, u string, prev validators) (*fetched, error) {
	return t.fetchWith(ctx, u, prev, nil)
}

// fetchWith is fetch with extra request headers (empty values are not
// sent).
func (t *transport) fetchWith(ctx context.Context, u string, prev validators, header map[string]string) (*fetched, error) {
	if !isHTTP(u) {
		return t.fetchFile(u, prev)
	}
	var lastErr error
	for attempt := 0; attempt <= t.retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(t.backoff << (attempt - 1)):
			}
		}
		f, retry, err := t.fetchHTTP(ctx, u, prev, header)
		if err == nil {
			return f, nil
		}
		lastErr = err
		if !retry {
			break
		}
	}
	return nil, lastErr
}

func (t *transport) fetchFile(p string, prev validators) (*fetched, error) {
	p = strings.TrimPrefix(p, "file://")
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory", p)
	}
	bar := t.progress.Start("hash "+filepath.Base(p), fi.Size())
	defer bar.Done()
	h := sha256.New()
	if _, err := io.Copy(h, io.TeeReader(f, barWriter{bar})); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	return &fetched{URL: p, Path: p, SHA256: sum, Size: fi.Size(), LastModified: fi.ModTime().UTC().Format(http.TimeFormat), NotModified: sum == prev.SHA256}, nil
}

// fetchHTTP makes one attempt; retry reports whether another may succeed.
func (t *transport) fetchHTTP(ctx context.Context, u string, prev validators, header map[string]string) (f *fetched, retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("User-Agent", t.agent)
	for k, v := range header {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, ctx.Err() == nil, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return &fetched{URL: u, SHA256: prev.SHA256, ETag: prev.ETag, LastModified: prev.LastModified, NotModified: true}, false, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		if d := retryAfter(resp); d > 0 && d < time.Minute {
			time.Sleep(d)
		}
		return nil, true, fmt.Errorf("GET %s: %s", u, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, false, &statusError{URL: u, Status: resp.Status, Code: resp.StatusCode}
	}
	out, err := os.CreateTemp(t.tmpDir, "fetch-*")
	if err != nil {
		return nil, false, err
	}
	defer out.Close()
	bar := t.progress.Start("get "+path.Base(req.URL.Path), resp.ContentLength)
	defer bar.Done()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h, barWriter{bar}), io.LimitReader(resp.Body, t.maxBytes+1))
	if err != nil {
		os.Remove(out.Name())
		return nil, ctx.Err() == nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if n > t.maxBytes {
		os.Remove(out.Name())
		return nil, false, fmt.Errorf("GET %s: larger than the %d byte limit", u, t.maxBytes)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		os.Remove(out.Name())
		return nil, true, fmt.Errorf("GET %s: truncated: got %d of %d bytes", u, n, resp.ContentLength)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	return &fetched{
		URL: u, Path: out.Name(), SHA256: sum, Size: n,
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
		NotModified: sum == prev.SHA256,
	}, false, nil
}

func retryAfter(resp *http.Response) time.Duration {
	s, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil {
		return 0
	}
	return time.Duration(s) * time.Second
}

var hrefRE = lazyre.New(`(?i)href\s*=\s*["']([^"'#?]+)["']`)

// list returns the names in a directory of a mirror: the entries of a
// local directory, or the relative links of an HTTP directory index
// (as written by common static file servers). Subdirectories end in "/".
func (t *transport) list(ctx context.Context, dir string) ([]string, error) {
	if !isHTTP(dir) {
		entries, err := os.ReadDir(strings.TrimPrefix(dir, "file://"))
		if err != nil {
			return nil, err
		}
		var names []string
		for _, e := range entries {
			n := e.Name()
			if e.IsDir() {
				n += "/"
			}
			names = append(names, n)
		}
		return names, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(dir, "/")+"/", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", t.agent)
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &statusError{URL: dir, Status: resp.Status, Code: resp.StatusCode}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var names []string
	for _, m := range hrefRE().FindAllStringSubmatch(string(body), -1) {
		n, err := url.PathUnescape(html.UnescapeString(m[1]))
		if err != nil || n == "" || strings.HasPrefix(n, "/") || strings.HasPrefix(n, ".") || strings.Contains(n, "://") {
			continue
		}
		n = strings.TrimPrefix(n, "./")
		if strings.Contains(strings.TrimSuffix(n, "/"), "/") {
			continue
		}
		names = append(names, n)
	}
	return names, nil
}

// statusError is an HTTP response other than 200 or 304.
type statusError struct {
	URL, Status string
	Code        int
}

func (e *statusError) Error() string { return fmt.Sprintf("GET %s: %s", e.URL, e.Status) }

// isNotFound reports whether err means the file does not exist.
func isNotFound(err error) bool {
	var se *statusError
	return errors.Is(err, os.ErrNotExist) || (errors.As(err, &se) && se.Code == http.StatusNotFound)
}

// barWriter feeds bytes written to a progress bar.
type barWriter struct{ b Bar }

func (w barWriter) Write(p []byte) (int, error) {
	w.b.Add(int64(len(p)))
	return len(p), nil
}
