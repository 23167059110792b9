package vulndb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"time"
)

// NVD CVE API 2.0 limits (https://nvd.nist.gov/developers/start-here).
const (
	nvdPageSize     = 2000                   // resultsPerPage maximum
	nvdDelayPublic  = 6 * time.Second        // 5 requests per 30 s without a key
	nvdDelayWithKey = 600 * time.Millisecond // 50 requests per 30 s with a key
	nvdMaxModRange  = 120 * 24 * time.Hour   // longest lastMod date range accepted
	nvdMaxPages     = 10_000                 // safety bound on one run
)

// nvdAPI fetches CVEs page by page from the CVE API 2.0, pausing between
// requests to respect NVD's rate limits. After a first full download it
// asks only for records modified since the previous fetch (when that is
// within the API's 120-day window).
func (c *Config) nvdAPI(ctx context.Context, t *transport, prev sourceState, s sink) (int, string, error) {
	delay := c.NVDDelay
	if delay == 0 {
		delay = nvdDelayPublic
		if c.NVDAPIKey != "" {
			delay = nvdDelayWithKey
		}
	}
	base := url.Values{"resultsPerPage": {strconv.Itoa(nvdPageSize)}}
	now := c.now().UTC()
	if last, err := time.Parse(time.RFC3339, prev.FetchedAt); err == nil && now.Sub(last) < nvdMaxModRange {
		base.Set("lastModStartDate", last.Format("2006-01-02T15:04:05.000Z"))
		base.Set("lastModEndDate", now.Format("2006-01-02T15:04:05.000Z"))
	}
	h := sha256.New()
	total, start := 0, 0
	for page := 0; page < nvdMaxPages; page++ {
		if page > 0 {
			select {
			case <-ctx.Done():
				return total, "", ctx.Err()
			case <-time.After(delay):
			}
		}
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		q.Set("startIndex", strconv.Itoa(start))
		n, p, sum, err := c.nvdPage(ctx, t, q, s)
		total += n
		if err != nil {
			return total, "", fmt.Errorf("NVD API startIndex=%d: %w", start, err)
		}
		io.WriteString(h, sum)
		start = p.StartIndex + p.ResultsPerPage
		if p.ResultsPerPage == 0 || start >= p.TotalResults {
			return total, hex.EncodeToString(h.Sum(nil)), nil
		}
	}
	return total, "", fmt.Errorf("NVD API: more than %d pages", nvdMaxPages)
}

// nvdPage downloads one page to a temporary file and parses it.
func (c *Config) nvdPage(ctx context.Context, t *transport, q url.Values, s sink) (int, nvdPage, string, error) {
	u := c.Endpoints.NVDAPI + "?" + q.Encode()
	f, err := t.fetchWith(ctx, u, validators{}, map[string]string{"apiKey": c.NVDAPIKey})
	if err != nil {
		return 0, nvdPage{}, "", err
	}
	defer t.release(f)
	fh, err := os.Open(f.Path)
	if err != nil {
		return 0, nvdPage{}, "", err
	}
	defer fh.Close()
	n, p, err := parseNVD(fh, s)
	return n, p, f.SHA256, err
}
