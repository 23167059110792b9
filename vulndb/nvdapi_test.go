package vulndb

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/mirrortest"
)

// nvdAPIServer serves the shared NVD records the way the CVE API 2.0
// does: pages of at most pageSize records selected by startIndex.
func nvdAPIServer(t *testing.T, pageSize int) (*httptest.Server, *[]*http.Request) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(mirrortest.VulnDir(t), "nvd", "nvdcve-2.0-embedded.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		reqs []*http.Request
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reqs = append(reqs, r)
		mu.Unlock()
		start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
		per, _ := strconv.Atoi(r.URL.Query().Get("resultsPerPage"))
		per = min(per, pageSize)
		recs := doc.Vulnerabilities
		if r.URL.Query().Get("lastModStartDate") != "" {
			recs = recs[:1] // pretend one record changed since
		}
		end := min(start+per, len(recs))
		json.NewEncoder(w).Encode(map[string]any{
			"resultsPerPage": end - start, "startIndex": start, "totalResults": len(recs),
			"format": "NVD_CVE", "version": "2.0", "vulnerabilities": recs[start:end],
		})
	}))
	t.Cleanup(srv.Close)
	return srv, &reqs
}

func TestNVDAPIPaging(t *testing.T) {
	srv, reqs := nvdAPIServer(t, 5)
	home := t.TempDir()
	cfg := Config{
		Endpoints: Endpoints{NVDAPI: srv.URL + "/rest/json/cves/2.0"},
		Only:      []string{"nvd"}, NVDAPI: true, NVDAPIKey: "secret", NVDDelay: 20 * time.Millisecond,
	}
	start := time.Now()
	rep, err := Update(context.Background(), home, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(*reqs) != 4 {
		t.Errorf("%d requests for 18 records in pages of 5, want 4", len(*reqs))
	}
	if d := time.Since(start); d < 3*cfg.NVDDelay {
		t.Errorf("4 pages took %v: the %v pause between requests was not kept", d, cfg.NVDDelay)
	}
	for _, r := range *reqs {
		if r.Header.Get("apiKey") != "secret" || r.URL.Query().Get("apiKey") != "" {
			t.Errorf("API key not sent as the apiKey header only: %v", r.URL)
		}
	}
	if rep.Sources[0].Records != 18 || status(t, home).CPERecords != 12 {
		t.Errorf("imported %+v", rep.Sources)
	}

	// The next run asks only for what changed, and keeps the rest.
	*reqs = nil
	if _, err := Update(context.Background(), home, cfg); err != nil {
		t.Fatal(err)
	}
	if len(*reqs) != 1 || (*reqs)[0].URL.Query().Get("lastModStartDate") == "" {
		t.Errorf("incremental run made %d requests, first %v", len(*reqs), (*reqs)[0].URL)
	}
	if st := status(t, home); st.Advisories != 18 {
		t.Errorf("after an incremental run: %d advisories, want all 18 kept", st.Advisories)
	}
}
