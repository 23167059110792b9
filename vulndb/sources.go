package vulndb

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/internal/lazyre"
)

// Kinds are the feed families Update knows, in import order.
var Kinds = []string{"osv", "kev", "epss", "nvd", "debian", "alpine"}

// Endpoints locate each feed. Every field is a URL (http, https) or a
// local directory or file; Official and Mirror fill them in.
type Endpoints struct {
	OSV      string // directory with ecosystems.txt and <Ecosystem>/all.zip
	KEV      string // known_exploited_vulnerabilities.json
	EPSS     string // epss_scores-current.csv.gz
	NVDFeeds string // directory with nvdcve-2.0-<name>.json.gz
	NVDAPI   string // CVE API 2.0 endpoint
	Debian   string // security-tracker data directory (DSA/list, DLA/list)
	Alpine   string // secdb root (v3.N/main.json, v3.N/community.json)
}

// Official returns the endpoints of the public feeds.
func Official() Endpoints {
	return Endpoints{
		OSV:      "https://osv-vulnerabilities.storage.googleapis.com",
		KEV:      "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
		EPSS:     "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz",
		NVDFeeds: "https://nvd.nist.gov/feeds/json/cve/2.0",
		NVDAPI:   "https://services.nvd.nist.gov/rest/json/cves/2.0",
		Debian:   "https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data",
		Alpine:   "https://secdb.alpinelinux.org",
	}
}

// Mirror returns the endpoints of a mirror (a directory or a URL) laid
// out like the shared vulndata folder: osv/, kev/, epss/, nvd/,
// debian/data/, alpine-secdb/.
func Mirror(base string) Endpoints {
	return Endpoints{
		OSV:      joinURL(base, "osv"),
		KEV:      joinURL(base, "kev", "known_exploited_vulnerabilities.json"),
		EPSS:     joinURL(base, "epss", "epss_scores-current.csv.gz"),
		NVDFeeds: joinURL(base, "nvd"),
		NVDAPI:   joinURL(base, "nvd", "api"),
		Debian:   joinURL(base, "debian", "data"),
		Alpine:   joinURL(base, "alpine-secdb"),
	}
}

// source is one unit of import: one or more feed files whose records
// replace, together, what the source imported before.
type source struct {
	name  string // unique, e.g. "osv/Go", "nvd/2024", "alpine"
	kind  string
	urls  []string
	parse func(ctx context.Context, files []*fetched, s sink) (int, error)
	// api, when set, fetches and parses the source itself (paged APIs).
	api func(ctx context.Context, t *transport, prev sourceState, s sink) (records int, digest string, err error)
	// incremental sources add to their previous rows instead of
	// replacing them.
	incremental bool
}

// plan lists the sources of one kind, reading indexes (ecosystems.txt,
// directory listings) where needed.
func plan(ctx context.Context, cfg *Config, t *transport, kind string) ([]source, error) {
	e := cfg.Endpoints
	switch kind {
	case "osv":
		ecos, err := osvEcosystems(ctx, cfg, t)
		if err != nil {
			return nil, err
		}
		var out []source
		for _, eco := range ecos {
			out = append(out, source{name: "osv/" + eco, kind: kind, urls: []string{joinURL(e.OSV, eco, "all.zip")}, parse: parseOSVFiles})
		}
		return out, nil
	case "kev":
		return []source{{name: "kev", kind: kind, urls: []string{e.KEV}, parse: oneFile(parseKEV)}}, nil
	case "epss":
		return []source{{name: "epss", kind: kind, urls: []string{e.EPSS}, parse: oneFile(parseEPSS)}}, nil
	case "nvd":
		if cfg.NVDAPI {
			return []source{{name: "nvd/api", kind: kind, urls: []string{e.NVDAPI}, api: cfg.nvdAPI, incremental: true}}, nil
		}
		feeds, err := nvdFeeds(ctx, cfg, t)
		if err != nil {
			return nil, err
		}
		var out []source
		for _, f := range feeds {
			out = append(out, source{name: "nvd/" + f, kind: kind, urls: []string{joinURL(e.NVDFeeds, "nvdcve-2.0-"+f+".json.gz")}, parse: oneFile(parseNVDFile)})
		}
		return out, nil
	case "debian":
		var out []source
		for _, list := range []string{"DSA", "DLA"} {
			out = append(out, source{name: "debian/" + list, kind: kind, urls: []string{joinURL(e.Debian, list, "list")}, parse: debianParser(list)})
		}
		return out, nil
	case "alpine":
		urls, err := alpineFiles(ctx, e.Alpine, t)
		if err != nil {
			return nil, err
		}
		return []source{{name: "alpine", kind: kind, urls: urls, parse: parseAlpineFiles}}, nil
	}
	return nil, fmt.Errorf("unknown source kind %q (known: %s)", kind, strings.Join(Kinds, ", "))
}

// osvEcosystems returns the configured ecosystems, else those named by
// ecosystems.txt, else the subdirectories of a mirror.
func osvEcosystems(ctx context.Context, cfg *Config, t *transport) ([]string, error) {
	if len(cfg.Ecosystems) > 0 {
		return cfg.Ecosystems, nil
	}
	f, err := t.fetch(ctx, joinURL(cfg.Endpoints.OSV, "ecosystems.txt"), validators{})
	if err == nil {
		defer t.release(f)
		data, err := os.ReadFile(f.Path)
		if err != nil {
			return nil, err
		}
		return parseEcosystems(data), nil
	}
	if !isNotFound(err) {
		return nil, fmt.Errorf("OSV ecosystems: %w", err)
	}
	names, lerr := t.list(ctx, cfg.Endpoints.OSV)
	if lerr != nil {
		return nil, fmt.Errorf("OSV ecosystems: no ecosystems.txt and no directory listing: %w", lerr)
	}
	var ecos []string
	for _, n := range names {
		if strings.HasSuffix(n, "/") {
			ecos = append(ecos, strings.TrimSuffix(n, "/"))
		}
	}
	sort.Strings(ecos)
	if len(ecos) == 0 {
		return nil, fmt.Errorf("OSV ecosystems: none found at %s", cfg.Endpoints.OSV)
	}
	return ecos, nil
}

var nvdFeedRE = lazyre.New(`^nvdcve-2\.0-([A-Za-z0-9_-]+)\.json\.gz$`)

// nvdFeeds returns the configured NVD feed names, else those a mirror
// lists, else the official yearly feeds plus "modified".
func nvdFeeds(ctx context.Context, cfg *Config, t *transport) ([]string, error) {
	if len(cfg.NVDFeeds) > 0 {
		return cfg.NVDFeeds, nil
	}
	if cfg.Endpoints.NVDFeeds == Official().NVDFeeds {
		var out []string
		for y := 2002; y <= cfg.now().Year(); y++ {
			out = append(out, strconv.Itoa(y))
		}
		return append(out, "modified"), nil
	}
	names, err := t.list(ctx, cfg.Endpoints.NVDFeeds)
	if err != nil {
		return nil, fmt.Errorf("NVD feeds: %w", err)
	}
	var out []string
	for _, n := range names {
		if m := nvdFeedRE().FindStringSubmatch(n); m != nil {
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil, fmt.Errorf("NVD feeds: no nvdcve-2.0-*.json.gz at %s", cfg.Endpoints.NVDFeeds)
	}
	return out, nil
}

// alpineFiles lists the secdb files of every release (v3.N/*.json).
func alpineFiles(ctx context.Context, base string, t *transport) ([]string, error) {
	names, err := t.list(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("list Alpine secdb: %w", err)
	}
	var urls []string
	for _, n := range names {
		rel := strings.TrimSuffix(n, "/")
		if !strings.HasSuffix(n, "/") || !alpineReleaseRE().MatchString(rel) {
			continue
		}
		files, err := t.list(ctx, joinURL(base, rel))
		if err != nil {
			return nil, fmt.Errorf("list Alpine secdb %s: %w", rel, err)
		}
		for _, f := range files {
			if f == "main.json" || f == "community.json" {
				urls = append(urls, joinURL(base, rel, f))
			}
		}
	}
	sort.Strings(urls)
	if len(urls) == 0 {
		return nil, fmt.Errorf("no Alpine secdb v3.N/main.json at %s", base)
	}
	return urls, nil
}

// oneFile adapts a single-stream parser.
func oneFile(parse func(io.Reader, sink) (int, error)) func(context.Context, []*fetched, sink) (int, error) {
	return func(_ context.Context, files []*fetched, s sink) (int, error) {
		f, err := os.Open(files[0].Path)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		return parse(f, s)
	}
}

func parseOSVFiles(ctx context.Context, files []*fetched, s sink) (int, error) {
	f, err := os.Open(files[0].Path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return parseOSVZip(ctx, f, files[0].Size, s)
}

func parseNVDFile(r io.Reader, s sink) (int, error) {
	r, closeFn, err := maybeGunzip(r)
	if err != nil {
		return 0, fmt.Errorf("NVD feed: %w", err)
	}
	defer closeFn()
	n, _, err := parseNVD(r, s)
	return n, err
}

func debianParser(list string) func(context.Context, []*fetched, sink) (int, error) {
	return oneFile(func(r io.Reader, s sink) (int, error) { return parseDebianList(r, list, s) })
}

func parseAlpineFiles(_ context.Context, files []*fetched, s sink) (int, error) {
	var m alpineMerger
	total := 0
	newest := time.Time{}
	for _, f := range files {
		fh, err := os.Open(f.Path)
		if err != nil {
			return total, err
		}
		n, err := m.add(fh, f.URL, s)
		fh.Close()
		total += n
		if err != nil {
			return total, err
		}
		if t, err := time.Parse(time.RFC1123, f.LastModified); err == nil && t.After(newest) {
			newest = t
		}
	}
	if newest.IsZero() {
		newest = time.Now()
	}
	return total, m.emit(newest.UTC().Format(timeLayout), s)
}
