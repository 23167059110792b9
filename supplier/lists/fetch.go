package lists

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// errNotFound reports a file missing at its location.
var errNotFound = errors.New("not found")

// fetched is one downloaded file.
type fetched struct {
	state     FileState
	data      []byte
	unchanged bool // the server answered 304 Not Modified
}

// fetcher downloads list files from their official URLs or a mirror.
type fetcher struct {
	mirror string // "" (official URLs), a directory, or an http(s) base URL
	client *http.Client
	lim    Limits
	now    func() time.Time
}

// location returns where f is read from.
func (f *fetcher) location(sf SourceFile) string {
	switch {
	case f.mirror == "":
		return sf.URL
	case isURL(f.mirror):
		return strings.TrimRight(f.mirror, "/") + "/" + sf.MirrorPath
	default:
		return filepath.Join(f.mirror, filepath.FromSlash(sf.MirrorPath))
	}
}

func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

// fetch reads one file; prev (may be nil) enables a conditional request.
func (f *fetcher) fetch(ctx context.Context, sf SourceFile, prev *FileState) (*fetched, error) {
	loc := f.location(sf)
	if !isURL(loc) {
		return f.readFile(sf.Name, loc)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", loc, err)
	}
	req.Header.Set("User-Agent", "assay-supplier-lists/1")
	if prev != nil && prev.URL == loc {
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", loc, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && prev != nil:
		st := *prev
		st.FetchedAt = f.now()
		return &fetched{state: st, unchanged: true}, nil
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("fetch %s: %w", loc, errNotFound)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("fetch %s: HTTP %s", loc, resp.Status)
	}
	b, err := readBounded(loc, resp.Body, f.lim.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	return &fetched{data: b, state: FileState{Name: sf.Name, URL: loc, SHA256: digest(b), Size: int64(len(b)),
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), FetchedAt: f.now()}}, nil
}

func (f *fetcher) readFile(name, p string) (*fetched, error) {
	fh, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", p, errNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	b, err := readBounded(p, fh, f.lim.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	return &fetched{data: b, state: FileState{Name: name, URL: "file://" + filepath.ToSlash(p), SHA256: digest(b), Size: int64(len(b)),
		LastModified: fi.ModTime().UTC().Format(http.TimeFormat), FetchedAt: f.now()}}, nil
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// httpDate converts an HTTP Last-Modified value to YYYY-MM-DD, or "".
func httpDate(s string) string {
	t, err := http.ParseTime(s)
	if err != nil {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

// Download reads one file from its official URL or from opt.Mirror (the
// same rules as Update), bounded by opt.Limits.MaxFileBytes.
func Download(ctx context.Context, opt Options, sf SourceFile) ([]byte, error) {
	if opt.Client == nil {
		opt.Client = &http.Client{Timeout: 2 * time.Minute}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	f := &fetcher{mirror: opt.Mirror, client: opt.Client, lim: opt.Limits.withDefaults(), now: opt.Now}
	got, err := f.fetch(ctx, sf, nil)
	if err != nil {
		return nil, err
	}
	return got.data, nil
}
